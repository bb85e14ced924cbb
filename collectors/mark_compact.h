// `mark-compact`: stop-the-world sliding compaction in the Lisp-2 style
// (Jones, Hosking and Moss 2011, section 3.2), over any contiguous
// allocator.
//
// Phases of one collection, all with the world stopped (buffers retired, so
// the arena is parseable from its base):
//   1. mark: flip the epoch and mark from every root with the ParallelMarker
//      (--gc-threads), as mark-sweep does;
//   2. forward: walk the arena in address order and give every marked object
//      its new address, the next free place from the base, kept in the
//      object's collector word (as granules from the arena base);
//   3. update: rewrite every root and every slot of every live object to its
//      target's new address, over chunks of the arena in parallel
//      (--gc-threads; the forward pass notes where each chunk's first object
//      starts);
//   4. move: walk the arena again, sliding each live object down to its new
//      address (memmove: it never moves up, so no object is overwritten
//      before it has moved); then the allocator restarts at the new top.
// Invariant: objects keep their address order (sliding), so allocation
// order locality survives; after step 4 the arena holds exactly the live
// objects, contiguously from the base, and everything above is free.
// Step 2 reads each block's size before the object is touched, and step 4
// reads it before the memmove, which may overwrite the header it came from.
//
// Design note: docs/design.md#mark-compact.
#ifndef GCLAB_COLLECTORS_MARK_COMPACT_H_
#define GCLAB_COLLECTORS_MARK_COMPACT_H_

#include <tbb/task_arena.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "collectors/parallel_marker.h"
#include "heap/collection_cycle.h"
#include "heap/collector.h"
#include "heap/heap.h"
#include "heap/params.h"

namespace gclab {

class MarkCompactCollector final : public Collector {
 public:
  static constexpr CollectorCapabilities kCapabilities{
      .moving = true, .needs_contiguous_allocator = true};

  explicit MarkCompactCollector(Heap& heap);

  CollectorCapabilities capabilities() const override { return kCapabilities; }
  void collect(Mutator* requester, GcCause cause) override;

 private:
  // Steps 2-4, counting what the mark did not keep as freed; returns the
  // bytes moved.
  std::size_t compact(std::uint8_t epoch, CollectionCycle& cycle);
  Object* forwarded(Object* object) const;

  // The update pass runs over chunks of about this much arena in parallel
  // (--gc-threads); small enough to balance, large enough that a task
  // costs little next to its objects.
  static constexpr std::size_t kUpdateChunkBytes = std::size_t{256} << 10;

  Heap& heap_;
  ParallelMarker marker_;
  tbb::task_arena arena_;
  std::vector<std::byte*> chunk_starts_;  // the first object of each chunk
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_MARK_COMPACT_H_
