// ConcurrentMarker: marks from a GreyQueue with N GC threads (a TBB arena)
// while mutators run, and lets mutators assist.
//
// `mark` runs one round: N workers take packets from the queue and drain
// them (collectors/mark_drain.h), donating work back to the queue, until the
// queue is empty and no worker holds work. Mutators keep pushing (barrier
// buffers) meanwhile; what arrives after the last worker went idle stays for
// the next round, which the collector runs after flushing every mutator's
// buffer, and finally in the remark pause. So a round ends; marking is over
// only when a round under a stopped world ends.
//
// Termination: a worker that finds the queue empty leaves the active count
// and waits until the queue has work again (it rejoins) or the count is zero
// (it ends). A worker only gives work away while active, so once the count
// is zero nobody inside the round can refill the queue.
//
// When the heap's recorder asks (GcEventRecorder::records_gc_threads, for a
// trace's timelines, docs/metrics.md#timelines), each worker's round is one
// interval of the phase's GC thread work: two clock reads per worker per
// round, beside the CPU clock it reads anyway. Workers are named by
// their slot in the arena (tbb::this_task_arena::current_thread_index(), as
// for their CPU time and in the ParallelMarker), so slot 0 is the collector
// thread that runs the round.
#ifndef GCLAB_COLLECTORS_CONCURRENT_MARKER_H_
#define GCLAB_COLLECTORS_CONCURRENT_MARKER_H_

#include <tbb/task_arena.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "collectors/grey_queue.h"
#include "collectors/mark_drain.h"
#include "heap/gc_events.h"

namespace gclab {

class ConcurrentMarker {
 public:
  // `side_marks`: the allocator's, or null (see mark_drain.h).
  ConcurrentMarker(int threads, SideMarkBitmap* side_marks);

  GreyQueue& queue() { return queue_; }
  int threads() const { return threads_; }

  // One round (see above) as part of `phase`, to which it adds each
  // worker's interval. Adds each GC thread's CPU time to
  // `cpu_by_thread[thread]` when given (threads() entries).
  MarkResult mark(std::uint8_t epoch, std::span<std::int64_t> cpu_by_thread,
                  PhaseTimer& phase);

  // A mutator's assist: marks about `budget` bytes of queued work, from its
  // own thread. Returns what it marked (nothing when the queue is empty).
  MarkResult assist(std::uint8_t epoch, std::size_t budget);

 private:
  MarkResult work(std::uint8_t epoch);

  int threads_;
  tbb::task_arena arena_;
  GreyQueue queue_;
  std::atomic<int> active_{0};
  SideMarkBitmap* side_marks_;
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_CONCURRENT_MARKER_H_
