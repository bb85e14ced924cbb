// HeapCensus: live objects and bytes per allocation site, and the ages of
// the survivors, counted again and again through a run (gclab run
// --census); with leak tracking (--leak-report), which sites keep growing,
// a path to a growing site's objects, and the garbage a collector that
// frees objects could not free.
//
// When a census is taken depends on what the collector's marks say
// (CollectorCapabilities::marks_reachable):
//  - They say what is live (mark-sweep, mark-compact,
//    concurrent-mark-sweep): at the close of every collection, in its
//    closing pause (CollectionCycle::close), timed as the cycle's phase
//    "census". It walks the allocator's objects and counts those carrying
//    the cycle's epoch, which is every object the cycle kept: under a
//    concurrent cycle that includes what was allocated black while it
//    marked and what became unreachable meanwhile (floating garbage).
//    Ages are Object::age as the census finds it: a lazy sweep over an
//    allocator that ages in its sweep (free-list, tlsf) has not yet passed
//    the survivors of the cycle just closed, so there they read one
//    younger than under an eager sweep, a compactor or side mark bits.
//  - They say nothing (none, ref-count): every N allocations
//    (CensusOptions::interval_allocations) of any one mutator since the
//    last census — each census restarts every mutator's count, so with M
//    mutators at a like pace a census comes about every M * N allocations
//    in all, and never two back to back. The mutator whose allocation makes
//    it due (Mutator::allocate's countdown, shared with --stress) stops
//    the world itself, with a stop that is recorded as no pause and no GC
//    CPU (Heap::WorldStop::Unrecorded: watching the heap is no collector's
//    work, and would make `none` pause); the census times itself. It
//    traces from every root (heap/census_trace.h), never touching mark
//    epochs or side mark bits, and ages each object it reaches, so that an
//    age under these collectors counts the censuses it survived.
//
// With leak tracking, each census's live bytes per site go to a
// LeakGrowth (heap/leak_growth.h); at a census where some site is flagged
// and still growing, a trace (the census's own, or one taken then, in the
// closing pause) gives each such site a shortest path from a root to one
// of its objects. Under a collector that frees objects but marks nothing,
// the objects a trace did not reach are grouped into strongly connected
// components (heap/garbage_cycles.h) and those with a cycle kept, the
// latest census's replacing the last: garbage a reference counter cannot
// free.
//
// end_of_run() is the classic leak check, after the run: what stays
// allocated per site once every mutator has finished.
//
// Design note: docs/design.md#the-heap-census.
#ifndef GCLAB_HEAP_CENSUS_H_
#define GCLAB_HEAP_CENSUS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "heap/census_counts.h"
#include "heap/collector.h"
#include "heap/garbage_cycles.h"
#include "heap/leak_growth.h"

namespace gclab {

class Heap;
class Mutator;

// Allocations between censuses under a collector whose marks say nothing.
// A census traces what is reachable, at about 10 ns an object here, and
// allocating costs 5-10 ns; 4 Mi allocations keep the census under a few
// percent of the run for live sets of up to a few hundred thousand objects
// (docs/design.md#the-heap-census has the measurements).
inline constexpr std::uint64_t kDefaultCensusInterval = std::uint64_t{4} << 20;

struct CensusOptions {
  bool enabled = false;
  std::uint64_t interval_allocations = kDefaultCensusInterval;
  // K of LeakGrowth; 0: no leak tracking.
  int leak_growth_censuses = 0;
};

struct CensusRecord {
  std::uint32_t index = 0;
  std::int64_t time_ns = 0;  // when the census began (the heap's clock)
  std::optional<std::uint32_t> cycle{};  // the collection it closed
  // By every mutator so far, counting an allocation in progress (the one
  // that made an interval census due, or whose failure began a cycle).
  std::uint64_t allocated_objects = 0;
  std::uint64_t allocated_bytes = 0;
  std::int64_t duration_ns = 0;
  std::vector<SiteTally> sites{};  // sites with a live object, in site order
  std::vector<AgeTally> ages{};    // ages with a live object, youngest first
};

// The garbage cycles of the last census that looked for them.
struct GarbageCycles {
  std::uint32_t census = 0;
  std::vector<GarbageComponent> components{};  // most bytes first
};

// What stays allocated once the run is over, per site.
struct EndOfRunAllocation {
  bool collector_frees = true;
  // True: the objects reachable from the roots that remain (the global
  // ones) — what a final full collection by a tracing collector keeps.
  // False: every object still allocated (what a collector that marks
  // nothing has not freed; under none, everything).
  bool reachable_only = true;
  std::vector<SiteTally> sites{};
};

class HeapCensus {
 public:
  HeapCensus(Heap& heap, const CensusOptions& options,
             const CollectorCapabilities& collector);

  // Whether censuses are taken at every collection's close (else every
  // allocation_interval() allocations).
  bool at_collections() const { return at_collections_; }
  // 0 when at_collections().
  std::uint64_t allocation_interval() const {
    return at_collections_ ? 0 : options_.interval_allocations;
  }
  bool tracks_leaks() const { return growth_.has_value(); }
  // K of the leak tracker; 0 without one.
  int growth_censuses() const {
    return growth_ ? growth_->growth_censuses() : 0;
  }

  // From CollectionCycle::close, with the world stopped: counts the objects
  // marked with `epoch`, the mark of cycle `cycle`.
  void take_at_close(std::uint32_t cycle, std::uint8_t epoch);
  // From Heap::allocate_slow when `requester`'s count is due: stops the
  // world and traces. Does nothing if another thread holds the world.
  void take_between_collections(Mutator& requester);

  // After the run, with no mutator attached and every sweep finished.
  EndOfRunAllocation end_of_run();

  const std::vector<CensusRecord>& records() const { return records_; }
  // With leak tracking.
  std::vector<GrowingSite> growing_sites() const;
  const std::optional<GarbageCycles>& garbage_cycles() const {
    return garbage_cycles_;
  }

 private:
  // What both kinds of census share: the record's counts and allocation
  // totals, then the leak tracker. `trace` is the census's own trace, if it
  // made one. The caller sets the duration once it has done all it does.
  void record(CensusRecord record, const CensusCounts& counts,
              const CensusTrace* trace);
  void find_garbage_cycles(std::uint32_t census, const CensusTrace& trace);

  Heap& heap_;
  const CensusOptions options_;
  const bool at_collections_;
  const bool collector_frees_;
  // What every trace borrows, made at the first.
  CensusTrace::Workspace& workspace();

  std::optional<CensusTrace::Workspace> workspace_;
  std::vector<CensusRecord> records_;
  std::optional<LeakGrowth> growth_;
  std::optional<GarbageCycles> garbage_cycles_;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_CENSUS_H_
