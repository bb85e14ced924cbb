// GC event recording: the hooks collectors call to say what they did.
//
// Cycles are recorded by whichever thread holds the world stopped (or, for a
// concurrent collector, by its one driving thread). Pauses and GC CPU time
// may also come from mutator threads (handshakes, assists, stalls), so those
// take a lock. When asked, markers also record what each GC thread did,
// phase by phase (GcThreadInterval), for a trace's timelines. All output
// happens after the run. Times are nanoseconds since the heap was created,
// on the steady clock.
//
// A lazy sweep frees a cycle's garbage after its pause, on allocation; its
// totals are known only when it is finished (by the next cycle, or at the
// end of the run), so they are added to the cycle's record then.
//
// Design note: docs/design.md#event-recording.
#ifndef GCLAB_HEAP_GC_EVENTS_H_
#define GCLAB_HEAP_GC_EVENTS_H_

#include <chrono>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "heap/allocator.h"
#include "heap/collector.h"
#include "heap/fatal.h"

namespace gclab {

// CPU time of the whole process, for GC CPU (measured across pauses) and a
// run's total.
inline std::int64_t process_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// CPU time of the calling thread, for GC work done outside pauses.
inline std::int64_t thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// What a pause was. The first four stop the world; the others stop one
// mutator while the rest run on. Every kind counts in the pause statistics
// and the MMU.
enum class PauseKind : std::uint8_t {
  kFull,         // a stop-the-world collection
  kInitialMark,  // a concurrent cycle's first stop
  kRemark,       // a concurrent cycle's stop that ends (or resumes) marking
  kCount,        // ref-count applying logged decrements (several mutators)
  kHandshake,    // one mutator greying its own roots while the others run
  kAssist,       // one mutator marking because it allocated past the goal
  kStall,        // one mutator waiting for a cycle because allocation failed
};

// "full", "initial-mark", "remark", "count", "handshake", "assist",
// "stall": the names reports use.
std::string_view to_string(PauseKind kind);

struct PauseRecord {
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
  PauseKind kind = PauseKind::kFull;
  // For a stop of the world: how long the mutators took to reach their
  // safepoints, the part of the pause the collector's work does not explain.
  std::int64_t time_to_safepoint_ns = 0;
  // The cycle the pause belongs to (its CycleRecord::index): the one the
  // stop of the world ran, the one a mutator assisted or greyed its roots
  // for, the one a stalled mutator waited for.
  std::uint32_t cycle = 0;
  // The mutator a one-mutator pause stopped (Mutator::index); none for a
  // stop of the world, which stopped every one.
  std::optional<int> mutator{};
};

struct PhaseRecord {
  std::string_view name;  // a string literal: "mark", "sweep", ...
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
};

// A stretch of time one GC thread spent on one phase's work: a marker's
// tasks, timed by two clock reads each, never per object. Recorded only when
// GcEventRecorder::records_gc_threads (for a trace), because timing every
// task of a stop-the-world mark costs it about 2% (see
// collectors/parallel_marker.h). `gc_thread` is the thread's slot in the
// marker's TBB arena (0 .. --gc-threads - 1), not an OS thread.
struct GcThreadInterval {
  int gc_thread = 0;
  std::string_view phase;  // a string literal, as PhaseRecord's
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
};

struct CycleRecord {
  std::uint32_t index = 0;
  GcCause cause = GcCause::kExplicit;
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
  std::vector<PhaseRecord> phases{};
  // What the GC threads did, phase by phase, for a trace's timelines
  // (docs/metrics.md#timelines), when recorded; in no particular order.
  std::vector<GcThreadInterval> gc_thread_intervals{};
  std::size_t marked_objects = 0;
  std::size_t marked_bytes = 0;
  std::size_t freed_objects = 0;
  std::size_t freed_bytes = 0;
  // Bytes a compacting collector moved (0 for the others).
  std::size_t moved_bytes = 0;
  // Time the mutators spent sweeping this cycle's garbage lazily, outside any
  // pause (0 for a sweep done in the pause).
  std::int64_t lazy_sweep_ns = 0;
  AllocatorStats before{};
  AllocatorStats after{};

  // Concurrent collection; zero or empty for stop-the-world cycles.
  // CPU time each GC thread spent marking while the mutators ran.
  std::vector<std::int64_t> gc_thread_mark_ns{};
  // Time the collector's thread spent sweeping while the mutators ran.
  std::int64_t concurrent_sweep_ns = 0;
  // Objects allocated during marking are allocated black: live this cycle
  // whatever happens to them (floating garbage if they die meanwhile).
  std::size_t allocated_black_bytes = 0;
  // With --verify: what the cycle kept (marked or allocated black) that was
  // no longer reachable when marking ended (the checkmark measures it).
  std::optional<std::size_t> floating_garbage_bytes{};
  // Barrier buffers the marker received (SATB buffers, for yuasa).
  std::uint64_t barrier_buffers = 0;
  // Bytes marked by mutators assisting.
  std::size_t assist_marked_bytes = 0;

  // Pacing, when the trigger has a heap goal: the in-use bytes at which the
  // trigger started this cycle and the goal it meant marking to finish by.
  std::optional<std::size_t> trigger_bytes{};
  std::optional<std::size_t> goal_bytes{};
};

// Told when each phase of a cycle begins, on the thread that runs it, before
// the phase does anything: a test holds a cycle at a known point this way
// (the concurrent collector's lost-object test waits at "concurrent-mark",
// once the roots are grey). The phase waits until it returns.
class PhaseObserver {
 public:
  virtual ~PhaseObserver() = default;
  virtual void phase_started(std::string_view phase) = 0;
};

class GcEventRecorder {
 public:
  GcEventRecorder() : origin_(std::chrono::steady_clock::now()) {}

  // Null (the default) observes nothing. Set before the first cycle.
  void set_phase_observer(PhaseObserver* observer) { observer_ = observer; }
  PhaseObserver* phase_observer() const { return observer_; }

  // Whether markers record GcThreadIntervals; off by default, since it costs
  // marking time. Set before the first cycle.
  void set_records_gc_threads(bool records) { records_gc_threads_ = records; }
  bool records_gc_threads() const { return records_gc_threads_; }

  std::int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now() - origin_)
        .count();
  }

  void record_pause(PauseRecord pause) {
    std::lock_guard lock(mutex_);
    pauses_.push_back(pause);
  }
  void record_cycle(CycleRecord cycle) { cycles_.push_back(std::move(cycle)); }
  void add_gc_cpu_ns(std::int64_t ns) {
    std::lock_guard lock(mutex_);
    gc_cpu_ns_ += ns;
  }

  // Adds a lazy sweep's totals to the last recorded cycle, whose mark it
  // swept. Its time joins the GC CPU time: it is collector work, though done
  // on mutator threads (and measured on the steady clock around each short
  // sweep step, which is its CPU time unless the thread was preempted).
  void amend_last_cycle_sweep(const SweepResult& swept) {
    if (cycles_.empty()) {
      if (swept.freed_objects == 0 && swept.live_objects == 0 &&
          swept.lazy_sweep_ns == 0) {
        return;
      }
      fatal("a lazy sweep finished before any cycle was recorded");
    }
    CycleRecord& cycle = cycles_.back();
    cycle.freed_objects += swept.freed_objects;
    cycle.freed_bytes += swept.freed_bytes;
    cycle.lazy_sweep_ns += swept.lazy_sweep_ns;
    add_gc_cpu_ns(swept.lazy_sweep_ns);
  }

  // Adds sweeping done on the collector's own thread, after the last
  // recorded cycle's pause, to that cycle.
  void amend_last_cycle_concurrent_sweep(std::int64_t ns) {
    if (cycles_.empty()) fatal("a concurrent sweep before any cycle");
    cycles_.back().concurrent_sweep_ns += ns;
    add_gc_cpu_ns(ns);
  }

  // Grows only when a cycle closes, which is with the world stopped, so the
  // thread that holds the world stopped and any running mutator may read it
  // without a lock (as they read the trigger's state).
  std::uint32_t next_cycle_index() const {
    return static_cast<std::uint32_t>(cycles_.size());
  }
  const std::vector<PauseRecord>& pauses() const { return pauses_; }
  const std::vector<CycleRecord>& cycles() const { return cycles_; }
  std::int64_t gc_cpu_ns() const {
    std::lock_guard lock(mutex_);
    return gc_cpu_ns_;
  }

 private:
  std::chrono::steady_clock::time_point origin_;
  mutable std::mutex mutex_;  // guards pauses_ and gc_cpu_ns_
  std::vector<PauseRecord> pauses_;
  std::vector<CycleRecord> cycles_;
  std::int64_t gc_cpu_ns_ = 0;
  PhaseObserver* observer_ = nullptr;
  bool records_gc_threads_ = false;
};

// Times one phase of a cycle: tells the phase observer it begins, and
// appends {name, start, duration} to the cycle on destruction. Collectors
// get one from CollectionCycle::phase (heap/collection_cycle.h).
class PhaseTimer {
 public:
  PhaseTimer(const GcEventRecorder& clock, CycleRecord& cycle,
             std::string_view name)
      : clock_(clock), cycle_(cycle), name_(name) {
    if (PhaseObserver* observer = clock.phase_observer()) {
      observer->phase_started(name);
    }
    start_ = clock.now_ns();
  }
  ~PhaseTimer() {
    cycle_.phases.push_back({name_, start_, clock_.now_ns() - start_});
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

  // The clock a marker times its GC threads' work by, and which says whether
  // to (GcEventRecorder::records_gc_threads).
  const GcEventRecorder& clock() const { return clock_; }
  // Records that GC thread `gc_thread` worked on this phase from `start_ns`
  // to `end_ns` (clock() times). One call at a time: a marker's threads take
  // turns under a lock, or hand their intervals over once they have joined.
  void add_gc_thread_interval(int gc_thread, std::int64_t start_ns,
                              std::int64_t end_ns) {
    cycle_.gc_thread_intervals.push_back(
        {gc_thread, name_, start_ns, end_ns - start_ns});
  }

 private:
  const GcEventRecorder& clock_;
  CycleRecord& cycle_;
  std::string_view name_;
  std::int64_t start_;
};

// One mutator's pause outside any stop of the world (an assist, a stall, a
// handshake answered on the mutator's own thread): on destruction, records
// {start, duration, kind, cycle, mutator} and adds the thread's CPU time
// meanwhile to GC CPU, since the work was the collector's. `discard` drops
// it (an assist that found nothing to mark paused no one).
class MutatorPause {
 public:
  // `mutator`: the index of the mutator paused; `cycle`: the index of the
  // cycle the pause is for.
  MutatorPause(GcEventRecorder& events, PauseKind kind, int mutator,
               std::uint32_t cycle)
      : events_(events),
        kind_(kind),
        mutator_(mutator),
        cycle_(cycle),
        start_ns_(events.now_ns()),
        start_cpu_ns_(thread_cpu_ns()) {}
  ~MutatorPause() {
    if (discarded_) return;
    events_.record_pause({.start_ns = start_ns_,
                          .duration_ns = events_.now_ns() - start_ns_,
                          .kind = kind_,
                          .cycle = cycle_,
                          .mutator = mutator_});
    events_.add_gc_cpu_ns(thread_cpu_ns() - start_cpu_ns_);
  }
  MutatorPause(const MutatorPause&) = delete;
  MutatorPause& operator=(const MutatorPause&) = delete;

  void discard() { discarded_ = true; }
  // For a pause that learns which cycle it is for only once it has begun (a
  // stall, which starts timing before it takes the collector's lock).
  void set_cycle(std::uint32_t cycle) { cycle_ = cycle; }

 private:
  GcEventRecorder& events_;
  PauseKind kind_;
  int mutator_;
  std::uint32_t cycle_;
  std::int64_t start_ns_;
  std::int64_t start_cpu_ns_;
  bool discarded_ = false;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_GC_EVENTS_H_
