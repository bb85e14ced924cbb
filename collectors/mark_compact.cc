#include "collectors/mark_compact.h"

#include <tbb/parallel_for.h>

#include <cstring>
#include <span>
#include <utility>

#include "heap/collection_cycle.h"

namespace gclab {

MarkCompactCollector::MarkCompactCollector(Heap& heap)
    : heap_(heap),
      marker_(heap.options().gc_threads, heap.allocator().side_marks()),
      arena_(heap.options().gc_threads) {}

Object* MarkCompactCollector::forwarded(Object* object) const {
  return reinterpret_cast<Object*>(
      heap_.allocator().arena().data() +
      std::size_t{object->gc_word().load(std::memory_order_relaxed)} *
          kGranuleBytes);
}

void MarkCompactCollector::collect(Mutator* requester, GcCause cause) {
  Heap::WorldStop world(heap_, requester, PauseKind::kFull);
  if (!world.stopped()) return;         // another mutator collected meanwhile
  CollectionCycle cycle(heap_, cause);  // closes before the world resumes

  std::uint8_t epoch = cycle.flip_mark_epoch();
  {
    PhaseTimer phase = cycle.phase("mark");
    MarkResult marked = marker_.mark_from_roots(heap_, epoch, phase);
    cycle.count_marked(marked.objects, marked.bytes);
  }
  cycle.record().moved_bytes = compact(epoch, cycle);
  heap_.note_relocation();
}

std::size_t MarkCompactCollector::compact(std::uint8_t epoch,
                                          CollectionCycle& cycle) {
  Allocator& allocator = heap_.allocator();
  CycleRecord& record = cycle.record();
  std::byte* const base = allocator.arena().data();
  std::size_t new_top = 0;  // bytes from the base
  {
    PhaseTimer phase = cycle.phase("forward");
    chunk_starts_.clear();
    std::byte* next_chunk = base;
    allocator.for_each_object([&](Object* object) {
      if (object->address() >= next_chunk) {
        chunk_starts_.push_back(object->address());
        next_chunk = object->address() + kUpdateChunkBytes;
      }
      if (!object->is_marked(epoch)) {
        ++record.freed_objects;
        record.freed_bytes += object->size_bytes();
        return;
      }
      object->gc_word().store(
          static_cast<std::uint32_t>(new_top / kGranuleBytes),
          std::memory_order_relaxed);
      new_top += object->size_bytes();
    });
  }
  {
    PhaseTimer phase = cycle.phase("update");
    heap_.for_each_root([this](Object** slot) {
      if (*slot != nullptr) *slot = forwarded(*slot);
    });
    // Chunks of the arena, each starting at an object the forward pass
    // noted, are independent: a slot is rewritten only by the chunk that
    // holds it, and forwarding addresses are only read.
    std::span<std::byte> blocks = allocator.parseable();
    std::byte* end = blocks.data() + blocks.size();
    arena_.execute([&] {
      tbb::parallel_for(
          std::size_t{0}, chunk_starts_.size(), [&](std::size_t i) {
            std::byte* chunk_end =
                i + 1 < chunk_starts_.size() ? chunk_starts_[i + 1] : end;
            for_each_object_in(
                chunk_starts_[i], chunk_end, [&](Object* object) {
                  if (!object->is_marked(epoch)) return;
                  for (std::size_t s = 0, n = object->num_refs(); s < n; ++s) {
                    if (Object* target = object->load_slot(s)) {
                      object->store_slot(s, forwarded(target));
                    }
                  }
                });
          });
    });
  }
  std::size_t moved = 0;
  {
    PhaseTimer phase = cycle.phase("move");
    allocator.for_each_object([&](Object* object) {
      if (!object->is_marked(epoch)) return;
      object->survive_collection();
      Object* destination = forwarded(object);
      if (destination == object) return;
      std::size_t size = object->size_bytes();
      std::memmove(destination->address(), object->address(), size);
      moved += size;
    });
    allocator.reset_top(base + new_top);
  }
  return moved;
}

}  // namespace gclab
