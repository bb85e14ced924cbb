#include "harness/pause_blocks.h"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/mmu.h"
#include "harness/pause_stats.h"
#include "harness/report_fields.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

Json summary_json(const PauseSummary& summary) {
  return {
      {fields::pause_summary::kCount, summary.count},
      {fields::pause_summary::kTotalNs, summary.total_ns},
      {fields::pause_summary::kMeanNs, summary.mean_ns},
      {fields::pause_summary::kP50Ns, summary.p50_ns},
      {fields::pause_summary::kP90Ns, summary.p90_ns},
      {fields::pause_summary::kP99Ns, summary.p99_ns},
      {fields::pause_summary::kP999Ns, summary.p999_ns},
      {fields::pause_summary::kMaxNs, summary.max_ns},
  };
}

}  // namespace

std::vector<ReportedPause> reported_pauses(
    std::span<const PauseRecord> pauses) {
  std::vector<ReportedPause> reported;
  reported.reserve(pauses.size());
  for (const PauseRecord& pause : pauses) {
    reported.push_back({.start_ns = pause.start_ns,
                        .duration_ns = pause.duration_ns,
                        .kind = to_string(pause.kind),
                        .time_to_safepoint_ns = pause.time_to_safepoint_ns,
                        .cycle = pause.cycle,
                        .mutator = pause.mutator});
  }
  return reported;
}

Json pauses_block(std::span<const ReportedPause> pauses) {
  std::vector<std::int64_t> durations;
  std::map<std::string_view, std::vector<std::int64_t>> by_kind;
  Json list = Json::array();
  for (const ReportedPause& pause : pauses) {
    durations.push_back(pause.duration_ns);
    by_kind[pause.kind].push_back(pause.duration_ns);
    Json entry = {
        {fields::pause::kStartNs, pause.start_ns},
        {fields::pause::kDurationNs, pause.duration_ns},
        {fields::pause::kKind, pause.kind},
        {fields::pause::kTimeToSafepointNs, pause.time_to_safepoint_ns}};
    if (pause.cycle) entry[fields::pause::kCycle] = *pause.cycle;
    if (pause.mutator) entry[fields::pause::kMutator] = *pause.mutator;
    list.push_back(std::move(entry));
  }
  Json kinds = Json::object();
  for (const auto& [kind, kind_durations] : by_kind) {
    kinds[std::string(kind)] = summary_json(summarize_pauses(kind_durations));
  }
  Json block = summary_json(summarize_pauses(durations));
  block[fields::pauses::kByKind] = std::move(kinds);
  block[fields::pauses::kList] = std::move(list);
  return block;
}

Json mmu_block(std::span<const ReportedPause> pauses, std::int64_t run_ns) {
  std::vector<PauseInterval> intervals;
  for (const ReportedPause& pause : pauses) {
    intervals.push_back({pause.start_ns, pause.start_ns + pause.duration_ns});
  }
  Json windows = Json::array();
  for (const UtilisationPoint& point : utilisation_curve(intervals, run_ns)) {
    windows.push_back({{fields::mmu_window::kWindowNs, point.window_ns},
                       {fields::mmu_window::kMmu, point.mmu},
                       {fields::mmu_window::kBmu, point.bmu}});
  }
  return {{fields::mmu::kWindows, windows}};
}

}  // namespace gclab
