// `mark-sweep`: stop-the-world mark-sweep.
//
// Phases, all with the world stopped:
//   1. stop: every mutator reaches a safepoint; their allocation buffers are
//      retired, so the heap is parseable;
//   2. mark: flip the mark epoch (marks never need clearing) and mark from
//      every root with the ParallelMarker (--gc-threads N, TBB);
//   3. sweep: the allocator frees every object not carrying the epoch —
//      each allocator knows its own layout (free lists, bitmaps);
//   4. with --verify, the heap verifier checks that every reachable object is
//      allocated, sane and marked.
// Invariant: after step 2 every reachable object carries the epoch, so the
// sweep frees only garbage. Needs a sweepable allocator; never moves objects.
#ifndef GCLAB_COLLECTORS_MARK_SWEEP_H_
#define GCLAB_COLLECTORS_MARK_SWEEP_H_

#include <vector>

#include "collectors/parallel_marker.h"
#include "heap/collector.h"
#include "heap/heap.h"

namespace gclab {

class MarkSweepCollector final : public Collector {
 public:
  static constexpr CollectorCapabilities kCapabilities{
      .needs_sweepable_allocator = true};

  explicit MarkSweepCollector(Heap& heap);

  CollectorCapabilities capabilities() const override { return kCapabilities; }
  void collect(Mutator* requester, GcCause cause) override;

 private:
  Heap& heap_;
  ParallelMarker marker_;
  std::vector<Object*> roots_;  // reused across cycles
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_MARK_SWEEP_H_
