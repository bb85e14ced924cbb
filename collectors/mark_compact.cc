#include "collectors/mark_compact.h"

#include <cstring>
#include <utility>

namespace gclab {

MarkCompactCollector::MarkCompactCollector(Heap& heap)
    : heap_(heap), marker_(heap.options().gc_threads) {}

Object* MarkCompactCollector::forwarded(Object* object) const {
  return reinterpret_cast<Object*>(
      heap_.allocator().arena().data() +
      std::size_t{object->gc_word().load(std::memory_order_relaxed)} *
          kGranuleBytes);
}

void MarkCompactCollector::collect(Mutator* requester, GcCause cause) {
  Heap::WorldStop world(heap_, requester, "full");
  if (!world.stopped()) return;  // another mutator collected meanwhile

  GcEventRecorder& events = heap_.events();
  Allocator& allocator = heap_.allocator();
  CycleRecord cycle{.index = events.next_cycle_index(),
                    .cause = cause,
                    .start_ns = events.now_ns()};
  cycle.before = allocator.stats();
  std::uint8_t epoch = heap_.flip_mark_epoch();
  {
    PhaseTimer phase(events, cycle, "mark");
    roots_.clear();
    heap_.for_each_root([this](Object** slot) { roots_.push_back(*slot); });
    MarkResult marked = marker_.mark(roots_, epoch);
    cycle.marked_objects = marked.objects;
    cycle.marked_bytes = marked.bytes;
  }
  cycle.moved_bytes = compact(epoch, cycle);
  cycle.after = allocator.stats();
  cycle.duration_ns = events.now_ns() - cycle.start_ns;
  heap_.finish_cycle(std::move(cycle), epoch);
}

std::size_t MarkCompactCollector::compact(std::uint8_t epoch,
                                          CycleRecord& cycle) {
  GcEventRecorder& events = heap_.events();
  Allocator& allocator = heap_.allocator();
  std::byte* const base = allocator.arena().data();
  std::size_t new_top = 0;  // bytes from the base
  {
    PhaseTimer phase(events, cycle, "forward");
    allocator.for_each_object([&](Object* object) {
      if (!object->is_marked(epoch)) {
        ++cycle.freed_objects;
        cycle.freed_bytes += object->size_bytes();
        return;
      }
      object->gc_word().store(
          static_cast<std::uint32_t>(new_top / kGranuleBytes),
          std::memory_order_relaxed);
      new_top += object->size_bytes();
    });
  }
  {
    PhaseTimer phase(events, cycle, "update");
    heap_.for_each_root([this](Object** slot) {
      if (*slot != nullptr) *slot = forwarded(*slot);
    });
    allocator.for_each_object([&](Object* object) {
      if (!object->is_marked(epoch)) return;
      for (std::size_t i = 0, n = object->num_refs(); i < n; ++i) {
        if (Object* target = object->load_slot(i)) {
          object->store_slot(i, forwarded(target));
        }
      }
    });
  }
  std::size_t moved = 0;
  {
    PhaseTimer phase(events, cycle, "move");
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
