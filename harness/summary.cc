#include "harness/summary.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "harness/census_summary.h"
#include "harness/mmu.h"
#include "harness/report_fields.h"
#include "harness/verify_mode.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::int64_t kOneMsNs = 1'000'000;
constexpr std::int64_t kTenMsNs = 10'000'000;
constexpr std::int64_t kHundredMsNs = 100'000'000;

std::optional<double> number_at(const Json& report, const char* block,
                                const char* field) {
  auto outer = report.find(block);
  if (outer == report.end() || !outer->is_object()) return std::nullopt;
  auto inner = outer->find(field);
  if (inner == outer->end() || !inner->is_number()) return std::nullopt;
  return inner->get<double>();
}

std::optional<const Json*> mmu_point(const Json& report,
                                     std::int64_t window_ns) {
  auto mmu = report.find(fields::run::kMmu);
  if (mmu == report.end() || !mmu->contains(fields::mmu::kWindows)) {
    return std::nullopt;
  }
  for (const Json& point : (*mmu)[fields::mmu::kWindows]) {
    if (point.value(fields::mmu_window::kWindowNs, std::int64_t{-1}) ==
        window_ns) {
      return &point;
    }
  }
  return std::nullopt;
}

// For a report with pauses but no mmu block (a baseline's), the same exact
// MMU, from its pause list.
std::optional<double> mmu_from_pause_list(const Json& report,
                                          std::int64_t window_ns) {
  auto wall_ns = number_at(report, fields::run::kTime, fields::time::kWallNs);
  auto pauses = report.find(fields::run::kPauses);
  if (!wall_ns || *wall_ns < window_ns || pauses == report.end() ||
      !pauses->contains(fields::pauses::kList)) {
    return std::nullopt;
  }
  std::vector<PauseInterval> intervals;
  for (const Json& pause : (*pauses)[fields::pauses::kList]) {
    auto start = pause.value(fields::pause::kStartNs, std::int64_t{0});
    intervals.push_back({start, start + pause.value(fields::pause::kDurationNs,
                                                    std::int64_t{0})});
  }
  return PauseTimeline(intervals, static_cast<std::int64_t>(*wall_ns))
      .mmu(window_ns);
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

std::string plural(std::int64_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

std::string cell(const std::optional<double>& value,
                 std::string (*render)(double)) {
  return value ? render(*value) : "-";
}

std::string render_count(double value) { return format("%.0f", value); }
std::string render_ratio(double value) { return format("%.3f", value); }

}  // namespace

std::string format_duration(double ns) {
  if (ns < 1e3) return format("%.0f ns", ns);
  if (ns < 1e6) return format("%.1f us", ns / 1e3);
  if (ns < 1e9) return format("%.2f ms", ns / 1e6);
  return format("%.3f s", ns / 1e9);
}

std::string format_bytes(double bytes) {
  if (bytes < 1024) return format("%.0f B", bytes);
  if (bytes < 1024.0 * 1024) return format("%.1f KiB", bytes / 1024);
  if (bytes < 1024.0 * 1024 * 1024) {
    return format("%.1f MiB", bytes / (1024.0 * 1024));
  }
  return format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
}

void print_run_summary(std::ostream& out, const Json& report) {
  namespace config_fields = fields::config;
  namespace time_fields = fields::time;
  namespace summary_fields = fields::pause_summary;
  namespace heap_fields = fields::heap;
  namespace allocation_fields = fields::allocation;
  namespace verification_fields = fields::verification;
  const Json& config = report[fields::run::kConfig];
  const Json& time = report[fields::run::kTime];
  const Json& pauses = report[fields::run::kPauses];
  const Json& heap = report[fields::run::kHeap];
  const Json& allocation = report[fields::run::kAllocation];
  const Json& verification = report[fields::run::kVerification];
  out << "gclab run: " << config[config_fields::kCollector].get<std::string>()
      << " / " << config[config_fields::kAllocator].get<std::string>() << " / "
      << config[config_fields::kWorkload].get<std::string>() << ", heap "
      << format_bytes(config[config_fields::kHeapBytes].get<double>()) << ", "
      << plural(config[config_fields::kMutators].get<std::int64_t>(), "mutator")
      << ", "
      << plural(config[config_fields::kGcThreads].get<std::int64_t>(),
                "GC thread")
      << ", seed " << config[config_fields::kSeed].get<std::uint64_t>()
      << ", trigger " << config[config_fields::kTrigger].get<std::string>()
      << "\n";
  out << "  wall time     "
      << format_duration(time[time_fields::kWallNs].get<double>())
      << " (GC CPU "
      << format_duration(time[time_fields::kGcCpuNs].get<double>())
      << ", mutator CPU "
      << format_duration(time[time_fields::kMutatorCpuNs].get<double>())
      << ")\n";
  if (config.value(config_fields::kPretouch, false)) {
    out << "  pretouch      "
        << format_duration(time[time_fields::kPretouchNs].get<double>())
        << " before the clock ("
        << time[time_fields::kPretouchMinorFaults].get<std::int64_t>()
        << " page faults)\n";
  }
  out << "  collections   " << report[fields::run::kCycles].size() << "; "
      << plural(pauses[summary_fields::kCount].get<std::int64_t>(), "pause")
      << ", " << format_duration(pauses[summary_fields::kTotalNs].get<double>())
      << " paused: p50 "
      << format_duration(pauses[summary_fields::kP50Ns].get<double>())
      << ", p99 "
      << format_duration(pauses[summary_fields::kP99Ns].get<double>())
      << ", max "
      << format_duration(pauses[summary_fields::kMaxNs].get<double>()) << "\n";
  if (auto point = mmu_point(report, kTenMsNs)) {
    out << "  MMU at 10 ms  "
        << render_ratio((**point)[fields::mmu_window::kMmu].get<double>())
        << " (BMU "
        << render_ratio((**point)[fields::mmu_window::kBmu].get<double>())
        << ")\n";
  } else {
    out << "  MMU at 10 ms  - (the run was shorter than 10 ms)\n";
  }
  out << "  peak heap     "
      << format_bytes(heap[heap_fields::kPeakCommittedBytes].get<double>())
      << " committed, "
      << format_bytes(heap[heap_fields::kPeakLiveBytes].get<double>())
      << " live; final fragmentation "
      << render_ratio(heap[heap_fields::kFragmentation].get<double>()) << "\n";
  out << "  allocated     "
      << format_bytes(allocation[allocation_fields::kBytes].get<double>())
      << " in " << allocation[allocation_fields::kObjects].get<std::uint64_t>()
      << " objects ("
      << format_bytes(
             allocation[allocation_fields::kBytesPerSecond].get<double>())
      << "/s)";
  if (double waste =
          allocation[allocation_fields::kRoundingWasteBytes].get<double>();
      waste > 0) {
    out << "; " << format_bytes(waste) << " rounded up to size classes ("
        << render_ratio(allocation[allocation_fields::kInternalFragmentation]
                            .get<double>())
        << ")";
  }
  out << "\n";
  if (report.contains(fields::run::kRefCount)) {
    namespace rc = fields::ref_count;
    const Json& counting = report[fields::run::kRefCount];
    out << "  ref-count     " << counting[rc::kIncrements].get<std::uint64_t>()
        << " increments, " << counting[rc::kDecrements].get<std::uint64_t>()
        << " decrements; freed "
        << counting[rc::kFreedByCounting][fields::freed::kObjects]
               .get<std::uint64_t>()
        << " objects by counting, "
        << counting[rc::kFreedByCycles][fields::freed::kObjects]
               .get<std::uint64_t>()
        << " by cycle collection ("
        << plural(counting[rc::kCycleCollections].get<std::int64_t>(),
                  "collection")
        << ")\n";
  }
  out << "  verification  "
      << verification[verification_fields::kResult].get<std::string>();
  if (verification[verification_fields::kEnabled].get<bool>()) {
    if (verification[verification_fields::kMode] ==
        to_string(VerifyMode::kEnd)) {
      out << " at the end";
    }
    out << ": "
        << plural(verification[verification_fields::kHeapsVerified]
                      .get<std::int64_t>(),
                  "heap walk")
        << ", "
        << verification[verification_fields::kObjectsVisited]
               .get<std::uint64_t>()
        << " objects visited";
  }
  out << "\n  workload      "
      << report[fields::run::kWorkload][fields::workload::kChecksPassed]
             .get<std::uint64_t>()
      << " self-checks passed\n";
  print_census_summary(out, report);
}

SummaryRow summary_row(const Json& report) {
  SummaryRow row;
  using fields::run::kPauses;
  using fields::run::kTime;
  row.wall_ns = number_at(report, kTime, fields::time::kWallNs);
  row.gc_cpu_ns = number_at(report, kTime, fields::time::kGcCpuNs);
  row.pause_total_ns =
      number_at(report, kPauses, fields::pause_summary::kTotalNs);
  row.pause_p50_ns = number_at(report, kPauses, fields::pause_summary::kP50Ns);
  row.pause_p99_ns = number_at(report, kPauses, fields::pause_summary::kP99Ns);
  row.pause_max_ns = number_at(report, kPauses, fields::pause_summary::kMaxNs);
  row.peak_heap_bytes =
      number_at(report, fields::run::kHeap, fields::heap::kPeakCommittedBytes);
  if (auto cycles = report.find(fields::run::kCycles);
      cycles != report.end() && cycles->is_array()) {
    row.collections = static_cast<double>(cycles->size());
  } else if (auto count = report.find(fields::run::kCyclesCount);
             count != report.end() && count->is_number()) {
    // A baseline that reports collections without per-cycle records.
    row.collections = count->get<double>();
  }
  auto mmu_at = [&report](std::int64_t window_ns) -> std::optional<double> {
    if (auto point = mmu_point(report, window_ns)) {
      const Json& mmu = (**point)[fields::mmu_window::kMmu];
      if (mmu.is_number()) return mmu.get<double>();
      return std::nullopt;
    }
    if (!report.contains(fields::run::kMmu)) {
      return mmu_from_pause_list(report, window_ns);
    }
    return std::nullopt;
  };
  row.mmu_1ms = mmu_at(kOneMsNs);
  row.mmu_10ms = mmu_at(kTenMsNs);
  row.mmu_100ms = mmu_at(kHundredMsNs);
  return row;
}

SummaryRow median_row(std::span<const SummaryRow> rows) {
  auto median = [&](std::optional<double> SummaryRow::*field) {
    std::vector<double> values;
    for (const SummaryRow& row : rows) {
      if (row.*field) values.push_back(*(row.*field));
    }
    if (values.empty()) return std::optional<double>();
    std::sort(values.begin(), values.end());
    std::size_t middle = values.size() / 2;
    return std::optional<double>(
        values.size() % 2 == 1 ? values[middle]
                               : (values[middle - 1] + values[middle]) / 2);
  };
  return {
      .wall_ns = median(&SummaryRow::wall_ns),
      .pause_total_ns = median(&SummaryRow::pause_total_ns),
      .gc_cpu_ns = median(&SummaryRow::gc_cpu_ns),
      .collections = median(&SummaryRow::collections),
      .pause_p50_ns = median(&SummaryRow::pause_p50_ns),
      .pause_p99_ns = median(&SummaryRow::pause_p99_ns),
      .pause_max_ns = median(&SummaryRow::pause_max_ns),
      .mmu_1ms = median(&SummaryRow::mmu_1ms),
      .mmu_10ms = median(&SummaryRow::mmu_10ms),
      .mmu_100ms = median(&SummaryRow::mmu_100ms),
      .peak_heap_bytes = median(&SummaryRow::peak_heap_bytes),
  };
}

Json row_json(const SummaryRow& row) {
  auto value = [](const std::optional<double>& field) {
    return field ? Json(*field) : Json(nullptr);
  };
  return {
      {fields::median::kWallNs, value(row.wall_ns)},
      {fields::median::kPauseTotalNs, value(row.pause_total_ns)},
      {fields::median::kGcCpuNs, value(row.gc_cpu_ns)},
      {fields::median::kCollections, value(row.collections)},
      {fields::median::kPauseP50Ns, value(row.pause_p50_ns)},
      {fields::median::kPauseP99Ns, value(row.pause_p99_ns)},
      {fields::median::kPauseMaxNs, value(row.pause_max_ns)},
      {fields::median::kMmu1ms, value(row.mmu_1ms)},
      {fields::median::kMmu10ms, value(row.mmu_10ms)},
      {fields::median::kMmu100ms, value(row.mmu_100ms)},
      {fields::median::kPeakCommittedBytes, value(row.peak_heap_bytes)},
  };
}

void print_table(std::ostream& out, std::span<const LabelledRow> rows) {
  std::size_t label_width = 6;
  for (const LabelledRow& row : rows) {
    label_width = std::max(label_width, row.label.size());
  }
  auto label_cell = [&](const std::string& label) {
    out << label << std::string(label_width - label.size(), ' ');
  };
  auto line = [&](const std::string& label,
                  const std::vector<std::string>& cells) {
    label_cell(label);
    char text[32];
    for (const std::string& value : cells) {
      std::snprintf(text, sizeof text, "  %10s", value.c_str());
      out << text;
    }
    out << "\n";
  };
  line("config",
       {"wall", "paused", "GC CPU", "GCs", "pause p50", "pause p99",
        "pause max", "MMU 1ms", "MMU 10ms", "MMU 100ms", "peak heap"});
  for (const LabelledRow& labelled : rows) {
    if (labelled.outcome) {
      label_cell(labelled.label);
      out << "  " << *labelled.outcome << "\n";
      continue;
    }
    const SummaryRow& row = labelled.row;
    line(labelled.label,
         {cell(row.wall_ns, format_duration),
          cell(row.pause_total_ns, format_duration),
          cell(row.gc_cpu_ns, format_duration),
          cell(row.collections, render_count),
          cell(row.pause_p50_ns, format_duration),
          cell(row.pause_p99_ns, format_duration),
          cell(row.pause_max_ns, format_duration),
          cell(row.mmu_1ms, render_ratio), cell(row.mmu_10ms, render_ratio),
          cell(row.mmu_100ms, render_ratio),
          cell(row.peak_heap_bytes, format_bytes)});
  }
}

}  // namespace gclab
