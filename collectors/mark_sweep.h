// `mark-sweep`: stop-the-world mark-sweep, sweeping eagerly or lazily.
//
// Phases of one collection, all with the world stopped:
//   1. stop: every mutator reaches a safepoint; their allocation buffers are
//      retired, so the heap is parseable;
//   2. (lazy) finish-sweep: the allocator sweeps what the mutators left of
//      the previous collection's lazy sweep, whose totals are then added to
//      that collection's record;
//   3. mark: flip the mark epoch (marks never need clearing) and mark from
//      every root with the ParallelMarker (--gc-threads N, TBB);
//   4. sweep (eager): the allocator frees every object not carrying the
//      epoch — each allocator knows its own layout (free lists, bitmaps); or
//      begin-sweep (lazy): the allocator only notes the epoch and frees dead
//      objects later, on allocation, a bounded step at a time (Hughes 1982;
//      Boehm's collector and Go sweep this way), so the pause is the mark;
//   5. the cycle closes (heap/collection_cycle.h): with --verify, the heap
//      verifier checks that every reachable object is allocated, sane and
//      marked.
// Invariant: after step 3 every reachable object carries the epoch, so the
// sweep frees only garbage. A lazy sweep must be over before the epoch flips
// back (step 2 precedes step 3): a dead object it had not reached may carry
// the next epoch's value from two collections ago and would pass for live.
// Objects allocated meanwhile never meet the lazy sweep: the allocator hands
// out only memory the sweep has passed.
//
// Needs a sweepable allocator, and one that sweeps lazily for sweep=lazy
// (capabilities_of, which the harness checks). Never moves objects.
//
// Design note: docs/design.md#mark-sweep.
#ifndef GCLAB_COLLECTORS_MARK_SWEEP_H_
#define GCLAB_COLLECTORS_MARK_SWEEP_H_

#include <memory>
#include <string_view>

#include "collectors/parallel_marker.h"
#include "heap/collector.h"
#include "heap/heap.h"
#include "heap/params.h"

namespace gclab {

enum class SweepMode { kEager, kLazy };

// Parses "eager" or "lazy"; throws ConfigError otherwise.
SweepMode parse_sweep_mode(std::string_view name);

class MarkSweepCollector final : public Collector {
 public:
  // With sweep=lazy, also .needs_lazy_sweep (capabilities_of).
  static constexpr CollectorCapabilities kCapabilities{
      .needs_sweepable_allocator = true};
  static constexpr ParamSpec kParams[] = {
      {"sweep", ParamKind::kChoice, "lazy",
       "when garbage is freed: eager sweeps the whole heap in the pause; lazy "
       "sweeps on allocation, a step at a time (the pause is the mark, plus "
       "finishing the previous sweep), needs an allocator that sweeps "
       "lazily",
       "eager|lazy"},
  };

  MarkSweepCollector(Heap& heap, SweepMode sweep);
  static std::unique_ptr<Collector> create(Heap& heap,
                                           const ParamValues& params);
  static CollectorCapabilities capabilities_of(const ParamValues& params);
  static CollectorCapabilities capabilities_for(SweepMode sweep);

  CollectorCapabilities capabilities() const override {
    return capabilities_for(sweep_);
  }
  void collect(Mutator* requester, GcCause cause) override;

  SweepMode sweep_mode() const { return sweep_; }

 private:
  Heap& heap_;
  const SweepMode sweep_;
  ParallelMarker marker_;
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_MARK_SWEEP_H_
