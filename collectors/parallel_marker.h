// ParallelMarker: marks everything reachable from a set of roots, using up to
// N threads of a TBB arena, with no lock per object.
//
// Each TBB task drains a private mark stack (collectors/mark_drain.h) and
// donates work to tbb::parallel_for_each's feeder, where idle threads steal
// it. Marking ends when every task has drained.
//
// Invariant on return: every object reachable from the roots carries `epoch`.
// The caller must keep the graph still (the world stopped) while marking.
//
// For a trace's GC thread tracks (docs/metrics.md#timelines), and only when
// the heap's recorder asks (GcEventRecorder::records_gc_threads), each task
// is timed by two clock reads, never one per object, into a list of its
// thread's own, so no lock is taken and no cache line shared. Even so it is
// not free: a GCBench task scans about 350 objects in 5 us (drains donate
// every kDonationInterval objects), and the two reads around each made its
// mark phases about 2% longer (GCBench 64M, mark-sweep, 15 interleaved runs
// with loop alignment pinned; up to 6% in the default build's layout), so
// runs without a trace mark untimed, as before. The thread is named by
// tbb::this_task_arena::current_thread_index(), its slot in this marker's
// arena: 0 .. threads - 1, read from TBB's thread-local state, so free, and
// the same numbering the concurrent marker uses; slot 0 is the thread that
// called mark. Tasks that follow one another on a thread with almost no gap
// are recorded as one stretch.
#ifndef GCLAB_COLLECTORS_PARALLEL_MARKER_H_
#define GCLAB_COLLECTORS_PARALLEL_MARKER_H_

#include <tbb/task_arena.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "collectors/mark_drain.h"
#include "heap/gc_events.h"
#include "heap/heap.h"
#include "heap/object.h"

namespace gclab {

class ParallelMarker {
 public:
  // `side_marks`: the allocator's, or null (see mark_drain.h).
  ParallelMarker(int threads, SideMarkBitmap* side_marks);

  // Marks as part of `phase`, to which it adds its GC threads' intervals.
  MarkResult mark(std::span<Object* const> roots, std::uint8_t epoch,
                  PhaseTimer& phase);
  // Marks from every root of `heap` (world stopped).
  MarkResult mark_from_roots(Heap& heap, std::uint8_t epoch, PhaseTimer& phase);

  int threads() const { return threads_; }

 private:
  int threads_;
  tbb::task_arena arena_;
  SideMarkBitmap* side_marks_;
  std::vector<Object*> roots_;  // reused across cycles
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_PARALLEL_MARKER_H_
