// Heap: one run's heap. It owns the allocator, the collector and the trigger
// (three independent choices), the safepoint coordinator, the global roots,
// the allocation-site table, the GC event recorder and the verifier's state.
//
// The heap owns its collector's lifetime: the collector is built last, once
// everything it may touch exists, and destroyed first, after it has been
// told to finish (Collector::finish), so a concurrent collector's thread is
// joined before any member it reads is gone, whichever way the heap's owner
// leaves (an error path included).
//
// Size is fixed per run (HeapOptions::heap_bytes, like -Xmx) and reserved by
// the allocator up front. Running out is a clean failure: HeapExhausted, with
// a message that says why (live data too large, or fragmentation).
#ifndef GCLAB_HEAP_HEAP_H_
#define GCLAB_HEAP_HEAP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "heap/allocator.h"
#include "heap/barrier.h"
#include "heap/census.h"
#include "heap/collector.h"
#include "heap/gc_events.h"
#include "heap/mutator.h"
#include "heap/ref_counting.h"
#include "heap/safepoint.h"
#include "heap/trigger.h"
#include "heap/verifier.h"

namespace gclab {

struct HeapOptions {
  std::size_t heap_bytes = 64 << 20;
  int gc_threads = 1;
  bool verify = false;                // verify the heap after every collection
  std::uint64_t stress_interval = 0;  // collect every N allocations (0: off)
  // A concurrent collector turns it on while it marks; under any other
  // collector a barrier other than none is on for the whole run.
  BarrierKind barrier = BarrierKind::kNone;
  // The most mutators the run attaches: reference counting defers its
  // decrements when there may be more than one.
  int mutators = 1;
  CensusOptions census{};  // gclab run --census, --leak-report
};

class Heap;
using CollectorFactory = std::function<std::unique_ptr<Collector>(Heap&)>;

class Heap {
 public:
  Heap(HeapOptions options, std::unique_ptr<Allocator> allocator,
       std::unique_ptr<Trigger> trigger, const CollectorFactory& collector);
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  const HeapOptions& options() const { return options_; }
  Allocator& allocator() { return *allocator_; }
  Collector& collector() { return *collector_; }
  Trigger& trigger() { return *trigger_; }
  GcEventRecorder& events() { return events_; }
  SafepointCoordinator& safepoints() { return safepoints_; }
  HeapVerifier& verifier() { return verifier_; }
  // Null unless options().census.enabled.
  HeapCensus* census() { return census_.get(); }
  // gclab run --record-trace: set before any mutator attaches, which then
  // records what it does (heap/trace_recorder.h); null otherwise.
  void set_trace_recorder(TraceRecorder* recorder) { recorder_ = recorder; }
  TraceRecorder* trace_recorder() const { return recorder_; }

  // How many collections have moved objects: a moving collector counts
  // each in its stop. Code that keeps addresses outside Roots (trace
  // replay) finds them again when it changes.
  void note_relocation() {
    relocations_.fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t relocations() const {
    return relocations_.load(std::memory_order_relaxed);
  }

  // Allocation sites: small ids in object headers, names for reports.
  std::uint16_t register_site(std::string_view name);
  std::vector<std::string> site_names() const;

  // Global roots: slots outside any mutator (see GlobalRoot).
  void add_global_root(Object** slot);
  void remove_global_root(Object** slot);

  // Every root slot: each registered mutator's root stack, then the global
  // roots. Only with the world stopped.
  void for_each_root(const std::function<void(Object**)>& visit);
  // The global roots' slots alone; their values change only through
  // Mutator::write_global, so a concurrent reader loads them atomically.
  void for_each_global_root(const std::function<void(Object**)>& visit);

  // Asks the collector for a collection (see Collector::collect).
  void collect(Mutator* requester, GcCause cause);

  // Stops every mutator for the lifetime of the returned scope, retires their
  // allocation buffers (so the heap is parseable) and records the pause.
  // `stopped()` is false when another thread got there first; that thread
  // has collected by the time this returns. A pause that neither walks the
  // heap nor starts a sweep may keep the buffers where they are (retiring
  // one costs a free-list insertion).
  enum class Buffers { kRetire, kKeep };
  class WorldStop {
   public:
    WorldStop(Heap& heap, Mutator* requester, PauseKind kind,
              Buffers buffers = Buffers::kRetire);
    // A stop that is no collector's work (a heap census, heap/census.h):
    // recorded neither as a pause nor as GC CPU, so that watching the heap
    // changes no collector's pause figures; whoever stops times it. Buffers
    // are retired.
    struct Unrecorded {};
    WorldStop(Heap& heap, Mutator* requester, Unrecorded);
    ~WorldStop();
    WorldStop(const WorldStop&) = delete;
    WorldStop& operator=(const WorldStop&) = delete;
    bool stopped() const { return stopped_; }

   private:
    Heap& heap_;
    Mutator* requester_;
    std::optional<PauseKind> kind_;  // none: Unrecorded
    bool stopped_;
    std::int64_t start_ns_;
    std::int64_t stopped_ns_ = 0;  // when every mutator had stopped
    std::int64_t start_cpu_ns_;
    std::uint32_t cycle_ = 0;  // the cycle run (or about to open) in the stop
  };

  // Mark epochs alternate between 1 and 2, so marks never need clearing: an
  // object is marked in this cycle iff its mark equals the current epoch.
  std::uint8_t flip_mark_epoch();
  std::uint8_t mark_epoch() const {
    return mark_epoch_.load(std::memory_order_relaxed);
  }
  // The mark new objects get: kUnmarked, or the epoch while allocating black.
  void set_allocation_mark(std::uint8_t mark) {
    allocation_mark_.store(mark, std::memory_order_relaxed);
  }

  // The barrier (heap/barrier.h). Turned on and off with the world stopped,
  // so that every mutator sees the change when it resumes.
  void set_barrier_active(bool active) {
    barrier_active_.store(active, std::memory_order_relaxed);
  }
  // Where full barrier buffers go; null restores the default, which
  // discards them.
  void set_barrier_sink(BarrierSink* sink) {
    barrier_sink_ = sink != nullptr ? sink : &discarding_sink_;
  }
  BarrierSink& barrier_sink() { return *barrier_sink_; }

  // Reference counting (heap/ref_counting.h): a counting collector sets it
  // from its constructor, before any mutator attaches; it also turns the
  // barrier on for the whole run.
  void set_reference_counting(const RefCounting& counting);
  const RefCounting& reference_counting() const { return counting_; }

  // Ends the lazy sweep the last cycle began, if one is in progress: sweeps
  // what the mutators have not reached and adds the sweep's totals to that
  // cycle's record (GcEventRecorder::amend_last_cycle_sweep). A collector
  // that sweeps lazily calls it with the world stopped before it marks
  // again; the runner calls it once the last mutator has finished, so that
  // the last cycle's figures are complete too. A no-op for an allocator that
  // cannot sweep lazily.
  void finish_lazy_sweep();

  // The mutator slow paths (see Mutator).
  std::byte* allocate_slow(Mutator& mutator, std::size_t bytes, bool stress_due,
                           bool census_due);
  void enter_safepoint(Mutator& mutator);
  // Memory for one object from the buffer or the allocator; between bounded
  // lazy-sweep steps the mutator polls, so a long sweep never holds up a
  // stop or a handshake. Null when the allocator cannot satisfy it.
  std::byte* refill(Mutator& mutator, std::size_t bytes);

  // Ends the run in every mutator: their next safepoint throws RunAborted.
  void abort_run();
  bool aborted() const { return aborted_.load(std::memory_order_relaxed); }

  // Mutator registration (Mutator's constructor and destructor).
  void attach(Mutator& mutator);
  void detach(Mutator& mutator);

  // Counters of every mutator that has detached (all of them, after a run).
  MutatorCounters mutator_totals() const;

  // Wiring read by the mutator fast paths.
  const std::atomic<bool>& barrier_active() const { return barrier_active_; }
  const std::atomic<bool>& aborted_flag() const { return aborted_; }
  const std::atomic<std::uint8_t>& allocation_mark() const {
    return allocation_mark_;
  }
  const std::atomic<std::uint8_t>& mark_epoch_flag() const {
    return mark_epoch_;
  }

 private:
  class DiscardingSink final : public BarrierSink {
   public:
    void accept(std::span<Object* const>) override {}
  };

  HeapOptions options_;
  std::unique_ptr<Allocator> allocator_;
  std::unique_ptr<Trigger> trigger_;
  GcEventRecorder events_;
  SafepointCoordinator safepoints_;
  HeapVerifier verifier_;

  std::atomic<bool> barrier_active_{false};
  std::atomic<bool> aborted_{false};
  std::atomic<std::uint8_t> allocation_mark_{kUnmarked};
  std::atomic<std::uint8_t> mark_epoch_{2};
  DiscardingSink discarding_sink_;
  BarrierSink* barrier_sink_ = &discarding_sink_;
  RefCounting counting_;
  // Built once the collector is, since what it does depends on whether the
  // collector's marks say what is live.
  std::unique_ptr<HeapCensus> census_;
  TraceRecorder* recorder_ = nullptr;
  std::atomic<std::uint64_t> relocations_{0};

  mutable std::mutex mutex_;  // guards the members below
  std::vector<std::string> site_names_;
  std::vector<Object**> global_roots_;
  MutatorCounters detached_totals_;

  // Last: built once everything above exists, destroyed (after ~Heap has
  // finished it) while everything above still does.
  std::unique_ptr<Collector> collector_;
};

// A root outside any mutator, registered with the heap for its lifetime.
// Stores into it pass the write barrier (Mutator::write_global), as stores
// into a heap slot do, so a concurrent collector scans global roots once per
// cycle and never needs to rescan them.
class GlobalRoot {
 public:
  explicit GlobalRoot(Heap& heap);
  GlobalRoot(Mutator& mutator, Object* object);
  ~GlobalRoot();
  GlobalRoot(const GlobalRoot&) = delete;
  GlobalRoot& operator=(const GlobalRoot&) = delete;

  Object* get() const {
    return std::atomic_ref<Object*>(object_).load(std::memory_order_acquire);
  }
  void set(Mutator& mutator, Object* object);

 private:
  Heap& heap_;
  mutable Object* object_ = nullptr;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_HEAP_H_
