// ParallelMarker: marks everything reachable from a set of roots, using up to
// N threads of a TBB arena, with no lock per object.
//
// Each TBB task drains a private mark stack (collectors/mark_drain.h) and
// donates work to tbb::parallel_for_each's feeder, where idle threads steal
// it. Marking ends when every task has drained.
//
// Invariant on return: every object reachable from the roots carries `epoch`.
// The caller must keep the graph still (the world stopped) while marking.
#ifndef GCLAB_COLLECTORS_PARALLEL_MARKER_H_
#define GCLAB_COLLECTORS_PARALLEL_MARKER_H_

#include <tbb/task_arena.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "collectors/mark_drain.h"
#include "heap/heap.h"
#include "heap/object.h"

namespace gclab {

class ParallelMarker {
 public:
  // `side_marks`: the allocator's, or null (see mark_drain.h).
  ParallelMarker(int threads, SideMarkBitmap* side_marks);

  MarkResult mark(std::span<Object* const> roots, std::uint8_t epoch);
  // Marks from every root of `heap` (world stopped).
  MarkResult mark_from_roots(Heap& heap, std::uint8_t epoch);

  int threads() const { return threads_; }

 private:
  int threads_;
  tbb::task_arena arena_;
  SideMarkBitmap* side_marks_;
  std::vector<Object*> roots_;  // reused across cycles
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_PARALLEL_MARKER_H_
