#include "harness/report.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "harness/pause_blocks.h"
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
      {"heap_bytes", stats.heap_bytes},
      {"committed_bytes", stats.committed_bytes},
      {"in_use_bytes", stats.in_use_bytes},
      {"free_bytes", stats.free_bytes},
      {"largest_free_block", stats.largest_free_block},
      {"free_blocks", stats.free_blocks},
      {"unswept_bytes", stats.unswept_bytes},
      {"external_fragmentation", fragmentation},
      {"occupancy", occupancy},
  };
}

Json config_json(const RunRecord& record) {
  return {
      {"collector", record.collector},
      {"allocator", record.allocator},
      {"workload", record.workload},
      {"params",
       {
           {"collector", params_json(record.collector_params)},
           {"allocator", params_json(record.allocator_params)},
           {"workload", params_json(record.workload_params)},
       }},
      {"heap_bytes", record.heap_bytes},
      {"mutators", record.mutators},
      {"gc_threads", record.gc_threads},
      {"seed", record.seed},
      {"trigger", record.trigger},
      {"barrier", record.barrier},
      {"verify", to_string(record.verify)},
      {"stress", record.stress},
  };
}

Json time_json(const RunRecord& record) {
  std::int64_t lazy_sweep_ns = 0;
  for (const CycleRecord& cycle : record.cycles) {
    lazy_sweep_ns += cycle.lazy_sweep_ns;
  }
  return {
      {"wall_ns", record.wall_ns},
      {"process_cpu_ns", record.process_cpu_ns},
      {"gc_cpu_ns", record.gc_cpu_ns},
      {"lazy_sweep_ns", lazy_sweep_ns},
      {"mutator_cpu_ns",
       std::max<std::int64_t>(0, record.process_cpu_ns - record.gc_cpu_ns)},
      {"steal_ns", record.steal_ns},
      {"minor_faults", record.minor_faults},
      {"major_faults", record.major_faults},
      {"max_rss_bytes", record.max_rss_bytes},
  };
}

Json pauses_json(const RunRecord& record) {
  return pauses_block(record.pauses);
}

Json mmu_json(const RunRecord& record) {
  return mmu_block(record.pauses, record.wall_ns);
}

Json allocation_json(const RunRecord& record) {
  const MutatorCounters& totals = record.mutator_totals;
  double seconds = static_cast<double>(record.wall_ns) / 1e9;
  return {
      {"objects", totals.objects_allocated},
      {"bytes", totals.bytes_allocated},
      {"bytes_per_second",
       seconds > 0 ? static_cast<double>(totals.bytes_allocated) / seconds
                   : 0.0},
      // Internal fragmentation: what rounding objects up to a size class's
      // cell cost (0 for allocators that place objects at their size).
      {"rounding_waste_bytes", totals.rounding_waste_bytes},
      {"internal_fragmentation",
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
      {"max_heap_bytes", record.heap_bytes},
      {"peak_committed_bytes", peak_committed},
      {"peak_live_bytes", peak_marked > 0 ? peak_marked : peak_in_use_after},
      {"final", stats_json(final_heap)},
      {"fragmentation", fragmentation},
  };
}

Json cycles_json(const RunRecord& record) {
  Json cycles = Json::array();
  for (const CycleRecord& cycle : record.cycles) {
    Json phases = Json::array();
    for (const PhaseRecord& phase : cycle.phases) {
      phases.push_back({{"name", phase.name},
                        {"start_ns", phase.start_ns},
                        {"duration_ns", phase.duration_ns}});
    }
    cycles.push_back({
        {"index", cycle.index},
        {"cause", to_string(cycle.cause)},
        {"start_ns", cycle.start_ns},
        {"duration_ns", cycle.duration_ns},
        {"phases", phases},
        {"marked_objects", cycle.marked_objects},
        {"marked_bytes", cycle.marked_bytes},
        {"freed_objects", cycle.freed_objects},
        {"freed_bytes", cycle.freed_bytes},
        {"lazy_sweep_ns", cycle.lazy_sweep_ns},
        {"moved_bytes", cycle.moved_bytes},
        {"before", stats_json(cycle.before)},
        {"after", stats_json(cycle.after)},
        {"concurrent",
         {
             {"gc_thread_mark_ns", cycle.gc_thread_mark_ns},
             {"concurrent_sweep_ns", cycle.concurrent_sweep_ns},
             {"allocated_black_bytes", cycle.allocated_black_bytes},
             {"floating_garbage_bytes",
              optional_json(cycle.floating_garbage_bytes)},
             {"barrier_buffers", cycle.barrier_buffers},
             {"assist_marked_bytes", cycle.assist_marked_bytes},
         }},
        {"pacer",
         {
             {"trigger_bytes", optional_json(cycle.trigger_bytes)},
             {"goal_bytes", optional_json(cycle.goal_bytes)},
         }},
    });
  }
  return cycles;
}

Json barriers_json(const RunRecord& record) {
  const MutatorCounters& totals = record.mutator_totals;
  return {
      {"kind", record.barrier},
      {"reference_writes", totals.reference_writes},
      {"slow_paths", totals.barrier_slow_paths},
      {"shaded", totals.barrier_shaded},
      {"buffer_flushes", totals.barrier_buffer_flushes},
      {"reference_reads", totals.reference_reads},
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
      {"enabled", enabled},
      {"mode", to_string(record.verify)},
      {"checks", verification_checks(record.verify)},
      {"heaps_verified", record.verification.heaps_verified},
      {"objects_visited", record.verification.objects_visited},
      {"mark_checks", record.verification.mark_checks},
      {"result", enabled ? "passed" : "not run"},
  };
}

}  // namespace

Json make_report(const RunRecord& record, Json environment) {
  return {
      {"schema_version", kReportSchemaVersion},
      {"config", config_json(record)},
      {"environment", std::move(environment)},
      {"time", time_json(record)},
      {"pauses", pauses_json(record)},
      {"mmu", mmu_json(record)},
      {"allocation", allocation_json(record)},
      {"heap", heap_json(record)},
      {"cycles", cycles_json(record)},
      {"barriers", barriers_json(record)},
      {"verification", verification_json(record)},
      {"workload",
       {{"checks_passed", record.checks_passed},
        {"output", record.workload_output}}},
  };
}

}  // namespace gclab
