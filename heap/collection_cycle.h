// CollectionCycle: one collection's record, opened, timed and closed the same
// way by every collector, so that no collector can forget the tail that
// --verify and the trigger depend on.
//
// It opens with the cycle's index, cause, start and the allocator's
// statistics before it. `phase` times a phase (and tells the heap's phase
// observer it begins, heap/gc_events.h). `flip_mark_epoch` flips the heap's
// mark epoch and remembers it as the mark every reachable object must carry
// when the cycle ends. It closes, with the world stopped:
//   0. with --census, under a collector whose marks say what is live, the
//      heap census is taken, timed as the phase "census" (heap/census.h);
//   1. the allocator's statistics after it and the cycle's duration;
//   2. the trigger is told what the cycle left (Trigger::after_collection);
//   3. the record is kept (GcEventRecorder::record_cycle);
//   4. with --verify, the heap is verified: every reachable object allocated
//      and sane, and, once flip_mark_epoch was called, carrying the epoch.
// Closing with the world stopped is an invariant, checked: the verifier
// needs a still heap, and the trigger's state can then be plain fields that
// mutators read on their allocation slow paths without a lock, since it is
// written only while no mutator runs (the safepoint's mutex orders those
// writes before the mutators' next reads).
//
// A collector that stops the world once declares its cycle after the
// WorldStop, so that the cycle closes on destruction, before the world
// resumes. One whose cycle spans several pauses (concurrent-mark-sweep)
// calls `close` in its last pause; the destructor then does nothing.
//
// Design note: docs/design.md#collection-cycles.
#ifndef GCLAB_HEAP_COLLECTION_CYCLE_H_
#define GCLAB_HEAP_COLLECTION_CYCLE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "heap/allocator.h"
#include "heap/collector.h"
#include "heap/gc_events.h"

namespace gclab {

class Heap;

class CollectionCycle {
 public:
  CollectionCycle(Heap& heap, GcCause cause);
  // Closes the cycle unless `close` already has.
  ~CollectionCycle();
  CollectionCycle(const CollectionCycle&) = delete;
  CollectionCycle& operator=(const CollectionCycle&) = delete;

  // The record while the cycle is open, for what only its collector knows
  // (moved bytes, the concurrent figures, the pacer's).
  CycleRecord& record() { return record_; }
  std::uint32_t index() const { return record_.index; }

  // Times a phase from now until the returned timer is destroyed.
  [[nodiscard]] PhaseTimer phase(std::string_view name);

  // Flips the heap's mark epoch (Heap::flip_mark_epoch) and returns the new
  // one, which every reachable object must carry at close.
  std::uint8_t flip_mark_epoch();

  void count_marked(std::size_t objects, std::size_t bytes) {
    record_.marked_objects += objects;
    record_.marked_bytes += bytes;
  }
  // What an eager sweep freed (a lazy one's totals are added to the record
  // when the sweep is finished: GcEventRecorder::amend_last_cycle_sweep).
  void count_swept(const SweepResult& swept) {
    record_.freed_objects += swept.freed_objects;
    record_.freed_bytes += swept.freed_bytes;
  }

  // Steps 0-4 above. The world must be stopped.
  void close();

 private:
  Heap& heap_;
  CycleRecord record_;
  std::optional<std::uint8_t> reachable_mark_;
  bool closed_ = false;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_COLLECTION_CYCLE_H_
