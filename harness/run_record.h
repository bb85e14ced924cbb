// Everything measured in one run, as raw data: what the runner collects and
// the report turns into JSON. Nothing here is derived (no percentiles, no
// MMU), so the report is the one place where metrics are defined.
//
// Times are nanoseconds since the run started, i.e. since just before the
// first mutator thread was spawned; the run ends when the last one is joined.
#ifndef GCLAB_HARNESS_RUN_RECORD_H_
#define GCLAB_HARNESS_RUN_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/verify_mode.h"
#include "heap/allocator.h"
#include "heap/census.h"
#include "heap/gc_events.h"
#include "heap/mutator.h"
#include "heap/params.h"
#include "heap/ref_counting.h"
#include "heap/verifier.h"

namespace gclab {

struct EffectiveParam {
  std::string name;
  std::string value;
  ParamKind kind = ParamKind::kInt;
};

// The heap census of a run (gclab run --census), its times shifted to run
// time; sites are ids into RunRecord::site_names.
struct CensusSeries {
  // Allocations between censuses; none when taken at every collection.
  std::optional<std::uint64_t> interval_allocations;
  std::vector<CensusRecord> records;
};

// What --leak-report found (heap/census.h).
struct LeakFindings {
  int growth_censuses = 0;
  std::vector<GrowingSite> growing_sites;
  // Whether garbage cycles were looked for: under a collector that frees
  // objects but marks nothing. Then the last census's, if it found any
  // garbage at all to group.
  bool looks_for_cycles = false;
  std::optional<GarbageCycles> garbage_cycles;
  EndOfRunAllocation at_end;
};

struct RunRecord {
  // The effective configuration.
  std::string collector;
  std::string allocator;
  std::string workload;
  std::vector<EffectiveParam> collector_params;
  std::vector<EffectiveParam> allocator_params;
  std::vector<EffectiveParam> workload_params;
  std::size_t heap_bytes = 0;
  int mutators = 1;
  int gc_threads = 1;
  std::uint64_t seed = 1;
  std::string trigger;
  std::string barrier;
  VerifyMode verify = VerifyMode::kOff;
  std::uint64_t stress = 0;
  bool pretouch = false;

  // Committing the heap before the run (--pretouch), off its clocks.
  std::int64_t pretouch_ns = 0;
  std::int64_t pretouch_minor_faults = 0;

  // Clocks and the kernel's counters over the run.
  std::int64_t wall_ns = 0;
  std::int64_t process_cpu_ns = 0;
  std::int64_t gc_cpu_ns = 0;
  std::int64_t steal_ns = 0;  // the machine's, not the process's
  std::int64_t minor_faults = 0;
  std::int64_t major_faults = 0;
  std::int64_t max_rss_bytes = 0;

  // What the heap recorded, shifted to run time.
  std::vector<PauseRecord> pauses;
  std::vector<CycleRecord> cycles;
  MutatorCounters mutator_totals;
  // Under a collector that counts references (ref-count).
  std::optional<RefCountStats> ref_count;
  AllocatorStats final_heap;
  VerificationStats verification;

  // Allocation sites' names, by id, and the census, with --census.
  std::vector<std::string> site_names;
  std::optional<CensusSeries> census;
  std::optional<LeakFindings> leaks;

  // What the workload instances reported.
  std::uint64_t checks_passed = 0;
  std::uint64_t workload_checksum = 0;  // the instances', combined in order
  std::vector<std::string> workload_output;  // instance 0's
};

}  // namespace gclab

#endif  // GCLAB_HARNESS_RUN_RECORD_H_
