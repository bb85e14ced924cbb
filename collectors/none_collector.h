// `none`: never collects (Epsilon, NoGC). The baseline for lower-bound
// overhead: a run's cost under `none` with a large enough heap is the cost of
// the mutator and the allocator alone. Allocation failure under `none` is heap
// exhaustion.
//
// Design note: docs/design.md#none.
#ifndef GCLAB_COLLECTORS_NONE_COLLECTOR_H_
#define GCLAB_COLLECTORS_NONE_COLLECTOR_H_

#include "heap/collector.h"

namespace gclab {

class NoneCollector final : public Collector {
 public:
  static constexpr CollectorCapabilities kCapabilities{
      .collects = false, .marks_reachable = false};

  CollectorCapabilities capabilities() const override { return kCapabilities; }
  void collect(Mutator*, GcCause) override {}
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_NONE_COLLECTOR_H_
