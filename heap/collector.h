// The Collector interface: one per collection policy, chosen at run time.
//
// A collector decides when the world stops and what happens then. It is given
// the Heap at construction and reaches the allocator only through the
// Allocator interface, so any collector runs over any allocator whose
// capabilities fit its needs (the harness checks the pair before a run).
//
// `collect` is called by the heap without stopping anything: a stop-the-world
// collector stops the world itself (Heap::WorldStop), a concurrent one stops
// it only for its short phases. Several mutators may ask at once; a
// collector must let a second request return once the first has collected.
// Every collection is a CollectionCycle (heap/collection_cycle.h), which
// records it, tells the trigger and, with --verify, checks the heap.
//
// What a collector needs of the allocator and the barrier is all in its
// capabilities, and the harness checks them before a run
// (harness/selection.h), so a collector does not check its pair itself.
#ifndef GCLAB_HEAP_COLLECTOR_H_
#define GCLAB_HEAP_COLLECTOR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gclab {

class Mutator;
class Object;

enum class GcCause : std::uint8_t {
  kAllocationFailure,  // the allocator could not satisfy a request
  kTrigger,            // the trigger policy asked for a collection
  kStress,             // --stress N: every N allocations of a mutator
  kExplicit,           // a workload or test asked
};

std::string_view to_string(GcCause cause);

// Facts about a collector with given parameters, checked against the
// allocator's and the barrier.
struct CollectorCapabilities {
  bool collects = true;  // false only for `none`
  // At every cycle's close, each object that survived carries the cycle's
  // mark epoch, so the heap census (heap/census.h) counts the objects with
  // is_marked(epoch), in the closing pause. False for a collector whose
  // marks do not say what is live (none; reference counting), under which
  // the census traces from the roots itself, every N allocations.
  bool marks_reachable = true;
  bool moving = false;
  // Runs beside the mutators, and turns the barrier on and off itself.
  bool concurrent = false;
  // A barrier other than none: marking beside the mutators loses objects
  // without one.
  bool needs_barrier = false;
  bool needs_sweepable_allocator = false;
  // Leaves sweeping to allocation or a background thread
  // (Allocator::begin_lazy_sweep).
  bool needs_lazy_sweep = false;
  bool needs_contiguous_allocator = false;
  bool needs_object_free = false;
  // Counts references in a barrier of its own (heap/ref_counting.h), on for
  // the whole run, so --barrier must be none.
  bool counts_references = false;
};

struct AllocatorCapabilities;

// Why a collector cannot run over an allocator ("needs an allocator that can
// sweep"), or empty when the pair fits.
std::string missing_capability(const CollectorCapabilities& collector,
                               const AllocatorCapabilities& allocator);

class Collector {
 public:
  virtual ~Collector() = default;

  virtual CollectorCapabilities capabilities() const = 0;

  // Runs (or starts, for a concurrent collector) one collection. `requester`
  // is the mutator whose allocation asked for it, or null for a non-mutator.
  virtual void collect(Mutator* requester, GcCause cause) = 0;

  // The run is over (every mutator has finished), or the heap is being
  // destroyed: completes any cycle in progress and starts no more, so that
  // the heap can be inspected. May be called more than once; the heap calls
  // it before it destroys anything. Only a collector with threads of its own
  // has anything to do.
  virtual void finish() {}
};

}  // namespace gclab

#endif  // GCLAB_HEAP_COLLECTOR_H_
