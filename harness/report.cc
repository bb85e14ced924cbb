#include "harness/report.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "harness/census_report.h"
#include "harness/pause_blocks.h"
#include "harness/report_fields.h"
#include "heap/collector.h"

namespace gclab {
namespace {

Json typed_value(const EffectiveParam& param) {
  switch (param.kind) {
    case ParamKind::kInt:
      return std::stoll(param.value);
    case ParamKind::kDouble:
      return std::stod(param.value);
    case ParamKind::kSize:
      return parse_size(param.value, param.name);
    case ParamKind::kChoice:
    case ParamKind::kText:
      return param.value;
    case ParamKind::kFlag:
      return param.value == "1";
  }
  return param.value;
}

Json params_json(const std::vector<EffectiveParam>& params) {
  Json object = Json::object();
  for (const EffectiveParam& param : params) {
    object[param.name] = typed_value(param);
  }
  return object;
}

// 16 hex digits: a JSON number would lose the digest's low bits past 2^53.
std::string checksum_hex(std::uint64_t checksum) {
  char digits[17];
  std::snprintf(digits, sizeof digits, "%016llx",
                static_cast<unsigned long long>(checksum));
  return digits;
}

Json optional_json(const std::optional<std::size_t>& value) {
  return value ? Json(*value) : Json(nullptr);
}

// External fragmentation is 1 - largest free block / free bytes: 0 when all
// free memory is one block (or there is none). During a lazy sweep only the
// swept part's blocks are known, so it is an upper bound then.
Json stats_json(const AllocatorStats& stats) {
  double fragmentation =
      stats.free_bytes == 0
          ? 0.0
          : 1.0 - static_cast<double>(stats.largest_free_block) /
                      static_cast<double>(stats.free_bytes);
  double occupancy = stats.heap_bytes == 0
                         ? 0.0
                         : static_cast<double>(stats.in_use_bytes) /
                               static_cast<double>(stats.heap_bytes);
  return {
      {fields::heap_stats::kHeapBytes, stats.heap_bytes},
      {fields::heap_stats::kCommittedBytes, stats.committed_bytes},
      {fields::heap_stats::kInUseBytes, stats.in_use_bytes},
      {fields::heap_stats::kFreeBytes, stats.free_bytes},
      {fields::heap_stats::kLargestFreeBlock, stats.largest_free_block},
      {fields::heap_stats::kFreeBlocks, stats.free_blocks},
      {fields::heap_stats::kUnsweptBytes, stats.unswept_bytes},
      {fields::heap_stats::kExternalFragmentation, fragmentation},
      {fields::heap_stats::kOccupancy, occupancy},
  };
}

Json time_json(const RunRecord& record) {
  std::int64_t lazy_sweep_ns = 0;
  for (const CycleRecord& cycle : record.cycles) {
    lazy_sweep_ns += cycle.lazy_sweep_ns;
  }
  return {
      {fields::time::kWallNs, record.wall_ns},
      {fields::time::kProcessCpuNs, record.process_cpu_ns},
      {fields::time::kGcCpuNs, record.gc_cpu_ns},
      {fields::time::kLazySweepNs, lazy_sweep_ns},
      {fields::time::kMutatorCpuNs,
       std::max<std::int64_t>(0, record.process_cpu_ns - record.gc_cpu_ns)},
      {fields::time::kStealNs, record.steal_ns},
      {fields::time::kMinorFaults, record.minor_faults},
      {fields::time::kMajorFaults, record.major_faults},
      {fields::time::kMaxRssBytes, record.max_rss_bytes},
      {fields::time::kPretouchNs, record.pretouch_ns},
      {fields::time::kPretouchMinorFaults, record.pretouch_minor_faults},
  };
}

Json pauses_json(const RunRecord& record) {
  return pauses_block(reported_pauses(record.pauses));
}

Json mmu_json(const RunRecord& record) {
  return mmu_block(reported_pauses(record.pauses), record.wall_ns);
}

Json allocation_json(const RunRecord& record) {
  const MutatorCounters& totals = record.mutator_totals;
  double seconds = static_cast<double>(record.wall_ns) / 1e9;
  return {
      {fields::allocation::kObjects, totals.objects_allocated},
      {fields::allocation::kBytes, totals.bytes_allocated},
      {fields::allocation::kBytesPerSecond,
       seconds > 0 ? static_cast<double>(totals.bytes_allocated) / seconds
                   : 0.0},
      // Internal fragmentation: what rounding objects up to a size class's
      // cell cost (0 for allocators that place objects at their size).
      {fields::allocation::kRoundingWasteBytes, totals.rounding_waste_bytes},
      {fields::allocation::kInternalFragmentation,
       totals.bytes_allocated > 0
           ? static_cast<double>(totals.rounding_waste_bytes) /
                 static_cast<double>(totals.bytes_allocated +
                                     totals.rounding_waste_bytes)
           : 0.0},
  };
}

Json heap_json(const RunRecord& record) {
  std::size_t peak_committed = record.final_heap.committed_bytes;
  std::size_t peak_marked = 0;
  std::size_t peak_in_use_after = 0;
  for (const CycleRecord& cycle : record.cycles) {
    peak_committed = std::max({peak_committed, cycle.before.committed_bytes,
                               cycle.after.committed_bytes});
    peak_marked = std::max(peak_marked, cycle.marked_bytes);
    peak_in_use_after = std::max(peak_in_use_after, cycle.after.in_use_bytes);
  }
  const AllocatorStats& final_heap = record.final_heap;
  double fragmentation =
      final_heap.free_bytes == 0
          ? 0.0
          : 1.0 - static_cast<double>(final_heap.largest_free_block) /
                      static_cast<double>(final_heap.free_bytes);
  return {
      {fields::heap::kMaxHeapBytes, record.heap_bytes},
      {fields::heap::kPeakCommittedBytes, peak_committed},
      {fields::heap::kPeakLiveBytes,
       peak_marked > 0 ? peak_marked : peak_in_use_after},
      {fields::heap::kFinal, stats_json(final_heap)},
      {fields::heap::kFragmentation, fragmentation},
  };
}

Json cycles_json(const RunRecord& record) {
  Json cycles = Json::array();
  for (const CycleRecord& cycle : record.cycles) {
    Json phases = Json::array();
    for (const PhaseRecord& phase : cycle.phases) {
      phases.push_back({{fields::phase::kName, phase.name},
                        {fields::phase::kStartNs, phase.start_ns},
                        {fields::phase::kDurationNs, phase.duration_ns}});
    }
    cycles.push_back({
        {fields::cycle::kIndex, cycle.index},
        {fields::cycle::kCause, to_string(cycle.cause)},
        {fields::cycle::kStartNs, cycle.start_ns},
        {fields::cycle::kDurationNs, cycle.duration_ns},
        {fields::cycle::kPhases, phases},
        {fields::cycle::kMarkedObjects, cycle.marked_objects},
        {fields::cycle::kMarkedBytes, cycle.marked_bytes},
        {fields::cycle::kFreedObjects, cycle.freed_objects},
        {fields::cycle::kFreedBytes, cycle.freed_bytes},
        {fields::cycle::kLazySweepNs, cycle.lazy_sweep_ns},
        {fields::cycle::kMovedBytes, cycle.moved_bytes},
        {fields::cycle::kBefore, stats_json(cycle.before)},
        {fields::cycle::kAfter, stats_json(cycle.after)},
        {fields::cycle::kConcurrent,
         {
             {fields::concurrent::kGcThreadMarkNs, cycle.gc_thread_mark_ns},
             {fields::concurrent::kConcurrentSweepNs,
              cycle.concurrent_sweep_ns},
             {fields::concurrent::kAllocatedBlackBytes,
              cycle.allocated_black_bytes},
             {fields::concurrent::kFloatingGarbageBytes,
              optional_json(cycle.floating_garbage_bytes)},
             {fields::concurrent::kBarrierBuffers, cycle.barrier_buffers},
             {fields::concurrent::kAssistMarkedBytes,
              cycle.assist_marked_bytes},
         }},
        {fields::cycle::kPacer,
         {
             {fields::pacer::kTriggerBytes, optional_json(cycle.trigger_bytes)},
             {fields::pacer::kGoalBytes, optional_json(cycle.goal_bytes)},
         }},
    });
  }
  return cycles;
}

Json barriers_json(const RunRecord& record) {
  const MutatorCounters& totals = record.mutator_totals;
  return {
      {fields::barriers::kKind, record.barrier},
      {fields::barriers::kReferenceWrites, totals.reference_writes},
      {fields::barriers::kSlowPaths, totals.barrier_slow_paths},
      {fields::barriers::kShaded, totals.barrier_shaded},
      {fields::barriers::kBufferFlushes, totals.barrier_buffer_flushes},
      {fields::barriers::kReferenceReads, totals.reference_reads},
  };
}

Json ref_count_json(const RunRecord& record) {
  const RefCountStats& counting = *record.ref_count;
  const MutatorCounters& totals = record.mutator_totals;
  namespace rc = fields::ref_count;
  return {
      {rc::kDeferredDecrements, counting.deferred},
      {rc::kIncrements, totals.rc_increments},
      {rc::kDecrements, totals.rc_decrements},
      {rc::kStuck, totals.rc_stuck},
      {rc::kFreedByCounting,
       {{fields::freed::kObjects, counting.freed_by_counting_objects},
        {fields::freed::kBytes, counting.freed_by_counting_bytes}}},
      {rc::kFreedByCycles,
       {{fields::freed::kObjects, counting.freed_by_cycles_objects},
        {fields::freed::kBytes, counting.freed_by_cycles_bytes}}},
      {rc::kTablesProcessed, counting.table_processings},
      {rc::kTableEntries, counting.table_entries},
      {rc::kLoggedDecrements, counting.logged_decrements},
      {rc::kCycleCollections, counting.cycle_collections},
      {rc::kCandidateBufferSizes, counting.candidate_buffer_sizes},
      {rc::kProcessingNs, counting.processing_ns},
  };
}

// The checks each mode runs: the final heap is checked without marks (no
// cycle has just ended), so only per-cycle verification checks them.
Json verification_checks(VerifyMode mode) {
  switch (mode) {
    case VerifyMode::kOff:
      return Json::array();
    case VerifyMode::kEnd:
      return {"allocated", "header"};
    case VerifyMode::kEvery:
      return {"allocated", "header", "mark"};
  }
  return Json::array();
}

Json verification_json(const RunRecord& record) {
  bool enabled = record.verify != VerifyMode::kOff;
  return {
      {fields::verification::kEnabled, enabled},
      {fields::verification::kMode, to_string(record.verify)},
      {fields::verification::kChecks, verification_checks(record.verify)},
      {fields::verification::kHeapsVerified,
       record.verification.heaps_verified},
      {fields::verification::kObjectsVisited,
       record.verification.objects_visited},
      {fields::verification::kMarkChecks, record.verification.mark_checks},
      {fields::verification::kCountChecks, record.verification.count_checks},
      {fields::verification::kResult, enabled ? "passed" : "not run"},
  };
}

}  // namespace

Json config_json(const RunRecord& record) {
  return {
      {fields::config::kCollector, record.collector},
      {fields::config::kAllocator, record.allocator},
      {fields::config::kWorkload, record.workload},
      {fields::config::kParams,
       {
           {fields::params::kCollector, params_json(record.collector_params)},
           {fields::params::kAllocator, params_json(record.allocator_params)},
           {fields::params::kWorkload, params_json(record.workload_params)},
       }},
      {fields::config::kHeapBytes, record.heap_bytes},
      {fields::config::kMutators, record.mutators},
      {fields::config::kGcThreads, record.gc_threads},
      {fields::config::kSeed, record.seed},
      {fields::config::kTrigger, record.trigger},
      {fields::config::kBarrier, record.barrier},
      {fields::config::kVerify, to_string(record.verify)},
      {fields::config::kStress, record.stress},
      {fields::config::kPretouch, record.pretouch},
  };
}

Json make_report(const RunRecord& record, Json environment) {
  Json report = {
      {fields::run::kSchemaVersion, kReportSchemaVersion},
      {fields::run::kConfig, config_json(record)},
      {fields::run::kEnvironment, std::move(environment)},
      {fields::run::kTime, time_json(record)},
      {fields::run::kPauses, pauses_json(record)},
      {fields::run::kMmu, mmu_json(record)},
      {fields::run::kAllocation, allocation_json(record)},
      {fields::run::kHeap, heap_json(record)},
      {fields::run::kCycles, cycles_json(record)},
      {fields::run::kBarriers, barriers_json(record)},
      {fields::run::kVerification, verification_json(record)},
      {fields::run::kWorkload,
       {{fields::workload::kChecksPassed, record.checks_passed},
        {fields::workload::kChecksum, checksum_hex(record.workload_checksum)},
        {fields::workload::kOutput, record.workload_output}}},
  };
  if (record.ref_count) {
    report[fields::run::kRefCount] = ref_count_json(record);
  }
  if (record.census) report[fields::run::kCensus] = census_json(record);
  if (record.leaks) report[fields::run::kLeaks] = leaks_json(record);
  return report;
}

}  // namespace gclab
