// GC event recording: the hooks collectors call to say what they did.
//
// Pauses and cycles are recorded by whichever thread holds the world stopped
// (or, for a concurrent collector, by its one driving thread), so the recorder
// needs no locking of its own; all output happens after the run. Times are
// nanoseconds since the heap was created, on the steady clock.
//
// A lazy sweep frees a cycle's garbage after its pause, on allocation; its
// totals are known only when it is finished (by the next cycle, or at the
// end of the run), so they are added to the cycle's record then.
#ifndef GCLAB_HEAP_GC_EVENTS_H_
#define GCLAB_HEAP_GC_EVENTS_H_

#include <chrono>
#include <cstdint>
#include <ctime>
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

struct PauseRecord {
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
  std::string_view kind;  // a string literal: "full", "initial-mark", ...
};

struct PhaseRecord {
  std::string_view name;  // a string literal: "mark", "sweep", ...
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
};

struct CycleRecord {
  std::uint32_t index = 0;
  GcCause cause = GcCause::kExplicit;
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
  std::vector<PhaseRecord> phases{};
  std::size_t marked_objects = 0;
  std::size_t marked_bytes = 0;
  std::size_t freed_objects = 0;
  std::size_t freed_bytes = 0;
  // Time the mutators spent sweeping this cycle's garbage lazily, outside any
  // pause (0 for a sweep done in the pause).
  std::int64_t lazy_sweep_ns = 0;
  AllocatorStats before{};
  AllocatorStats after{};
};

class GcEventRecorder {
 public:
  GcEventRecorder() : origin_(std::chrono::steady_clock::now()) {}

  std::int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now() - origin_)
        .count();
  }

  void record_pause(PauseRecord pause) { pauses_.push_back(pause); }
  void record_cycle(CycleRecord cycle) { cycles_.push_back(std::move(cycle)); }
  void add_gc_cpu_ns(std::int64_t ns) { gc_cpu_ns_ += ns; }

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
    gc_cpu_ns_ += swept.lazy_sweep_ns;
  }

  std::uint32_t next_cycle_index() const {
    return static_cast<std::uint32_t>(cycles_.size());
  }
  const std::vector<PauseRecord>& pauses() const { return pauses_; }
  const std::vector<CycleRecord>& cycles() const { return cycles_; }
  std::int64_t gc_cpu_ns() const { return gc_cpu_ns_; }

 private:
  std::chrono::steady_clock::time_point origin_;
  std::vector<PauseRecord> pauses_;
  std::vector<CycleRecord> cycles_;
  std::int64_t gc_cpu_ns_ = 0;
};

// Times one phase of a cycle: appends {name, start, duration} on destruction.
class PhaseTimer {
 public:
  PhaseTimer(const GcEventRecorder& clock, CycleRecord& cycle,
             std::string_view name)
      : clock_(clock), cycle_(cycle), name_(name), start_(clock.now_ns()) {}
  ~PhaseTimer() {
    cycle_.phases.push_back({name_, start_, clock_.now_ns() - start_});
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  const GcEventRecorder& clock_;
  CycleRecord& cycle_;
  std::string_view name_;
  std::int64_t start_;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_GC_EVENTS_H_
