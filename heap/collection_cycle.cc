#include "heap/collection_cycle.h"

#include <string>
#include <utility>

#include "heap/fatal.h"
#include "heap/heap.h"

namespace gclab {

CollectionCycle::CollectionCycle(Heap& heap, GcCause cause)
    : heap_(heap),
      record_{.index = heap.events().next_cycle_index(),
              .cause = cause,
              .start_ns = heap.events().now_ns()} {
  record_.before = heap_.allocator().stats();
}

CollectionCycle::~CollectionCycle() {
  if (!closed_) close();
}

PhaseTimer CollectionCycle::phase(std::string_view name) {
  return PhaseTimer(heap_.events(), record_, name);
}

std::uint8_t CollectionCycle::flip_mark_epoch() {
  reachable_mark_ = heap_.flip_mark_epoch();
  return *reachable_mark_;
}

void CollectionCycle::close() {
  if (closed_) fatal("a collection cycle closed twice");
  if (!heap_.safepoints().world_stopped()) {
    fatal("collection " + std::to_string(record_.index) +
          " closed while the mutators run: a cycle closes with the world "
          "stopped");
  }
  closed_ = true;
  HeapCensus* census = heap_.census();
  if (census != nullptr && census->at_collections() && reachable_mark_) {
    PhaseTimer timer = phase("census");
    census->take_at_close(record_.index, *reachable_mark_);
  }
  GcEventRecorder& events = heap_.events();
  record_.after = heap_.allocator().stats();
  record_.duration_ns = events.now_ns() - record_.start_ns;
  heap_.trigger().after_collection(record_.after,
                                   record_.allocated_black_bytes);
  const std::uint32_t index = record_.index;
  events.record_cycle(std::move(record_));
  if (!heap_.options().verify) return;
  if (auto violation = heap_.verifier().check(heap_, reachable_mark_)) {
    fatal("verification failed after collection " + std::to_string(index) +
          ": " + *violation);
  }
}

}  // namespace gclab
