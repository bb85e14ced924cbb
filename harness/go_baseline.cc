#include "harness/go_baseline.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "harness/gctrace.h"
#include "harness/pause_blocks.h"
#include "harness/report_fields.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

std::int64_t required_integer(const Json& report, const char* block,
                              const char* field) {
  auto outer = report.find(block);
  if (outer != report.end() && outer->is_object()) {
    auto inner = outer->find(field);
    if (inner != outer->end() && inner->is_number_integer()) {
      return inner->get<std::int64_t>();
    }
  }
  throw GoReportError("its report lacks the integer " + std::string(block) +
                      "." + field);
}

Json phase_json(const char* name, std::int64_t start_ns,
                std::int64_t duration_ns) {
  return {{fields::phase::kName, name},
          {fields::phase::kStartNs, start_ns},
          {fields::phase::kDurationNs, duration_ns}};
}

// `to_run` maps a time on the trace to one on the run's timeline.
template <typename ToRun>
Json cycle_json(std::size_t index, const GctraceCycle& cycle, ToRun to_run) {
  std::int64_t mark_start = cycle.start_ns + cycle.sweep_termination_ns;
  return {
      {fields::cycle::kIndex, index},
      {fields::cycle::kNumber, cycle.number},
      {fields::cycle::kCause, cycle.forced ? "explicit" : "trigger"},
      {fields::cycle::kStartNs, to_run(cycle.start_ns)},
      {fields::cycle::kDurationNs, cycle.duration_ns()},
      {fields::cycle::kPhases,
       {phase_json("sweep-termination", to_run(cycle.start_ns),
                   cycle.sweep_termination_ns),
        phase_json("mark", to_run(mark_start), cycle.mark_ns),
        phase_json("mark-termination",
                   to_run(cycle.mark_termination_start_ns()),
                   cycle.mark_termination_ns)}},
      {fields::cycle::kCpu,
       {{fields::cycle_cpu::kSweepTerminationNs,
         cycle.sweep_termination_cpu_ns},
        {fields::cycle_cpu::kAssistMarkNs, cycle.assist_mark_cpu_ns},
        {fields::cycle_cpu::kBackgroundMarkNs, cycle.background_mark_cpu_ns},
        {fields::cycle_cpu::kIdleMarkNs, cycle.idle_mark_cpu_ns},
        {fields::cycle_cpu::kMarkTerminationNs, cycle.mark_termination_cpu_ns},
        {fields::cycle_cpu::kTotalNs, cycle.cpu_ns()}}},
      {fields::cycle::kHeapStartMib, cycle.heap_start_mib},
      {fields::cycle::kHeapEndMib, cycle.heap_end_mib},
      {fields::cycle::kLiveMib, cycle.live_mib},
      {fields::cycle::kGoalMib, cycle.goal_mib},
      {fields::cycle::kStacksMib, cycle.stacks_mib},
      {fields::cycle::kGlobalsMib, cycle.globals_mib},
      {fields::cycle::kProcs, cycle.procs},
  };
}

}  // namespace

std::vector<std::string> go_baseline_environment() {
  return {"GODEBUG=gctrace=1",
          "GOMAXPROCS=" + std::to_string(kGoBaselineMaxprocs), "GOGC=100",
          "GOMEMLIMIT=off"};
}

std::string go_baseline_label(std::string_view version_output) {
  std::string_view version =
      version_output.substr(0, version_output.find_last_not_of(" \n") + 1);
  if (version.starts_with("go")) version.remove_prefix(2);
  return "go (gc " + std::string(version) +
         ", GOMAXPROCS=" + std::to_string(kGoBaselineMaxprocs) + ")";
}

Json go_baseline_report(std::string_view program_stdout,
                        std::string_view program_stderr) {
  Json report =
      Json::parse(program_stdout, nullptr, /*allow_exceptions=*/false);
  if (!report.is_object()) throw GoReportError("it printed no JSON report");
  std::int64_t wall_ns =
      required_integer(report, fields::run::kTime, fields::time::kWallNs);
  std::int64_t run_start_ns =
      required_integer(report, fields::run::kGo, fields::go::kRunStartNs);
  std::int64_t first =
      required_integer(report, fields::run::kGo, fields::go::kNumGcBeforeRun) +
      1;
  std::int64_t last =
      required_integer(report, fields::run::kGo, fields::go::kNumGcAfterRun);
  if (wall_ns <= 0 || last < first - 1) {
    throw GoReportError("its report has wall_ns " + std::to_string(wall_ns) +
                        " and collections " + std::to_string(first) + ".." +
                        std::to_string(last));
  }

  std::vector<GctraceCycle> trace;
  try {
    trace = parse_gctrace(program_stderr);
  } catch (const GctraceError& error) {
    throw GoReportError(error.what());
  }
  std::vector<GctraceCycle> run_cycles;
  std::copy_if(trace.begin(), trace.end(), std::back_inserter(run_cycles),
               [&](const GctraceCycle& cycle) {
                 return cycle.number >= first && cycle.number <= last;
               });
  if (static_cast<std::int64_t>(run_cycles.size()) != last - first + 1) {
    throw GoReportError("the runtime counted collections " +
                        std::to_string(first) + ".." + std::to_string(last) +
                        " in the run, but GODEBUG=gctrace=1 traced " +
                        std::to_string(run_cycles.size()) + " of them");
  }

  auto to_run = [&](std::int64_t trace_ns) {
    return std::max<std::int64_t>(0, trace_ns - run_start_ns);
  };
  std::vector<ReportedPause> pauses;
  Json cycles = Json::array();
  std::int64_t gc_cpu_ns = 0;
  for (const GctraceCycle& cycle : run_cycles) {
    pauses.push_back({.start_ns = to_run(cycle.start_ns),
                      .duration_ns = cycle.sweep_termination_ns,
                      .kind = "sweep-termination"});
    pauses.push_back({.start_ns = to_run(cycle.mark_termination_start_ns()),
                      .duration_ns = cycle.mark_termination_ns,
                      .kind = "mark-termination"});
    cycles.push_back(cycle_json(cycles.size(), cycle, to_run));
    gc_cpu_ns += cycle.cpu_ns();
  }
  report[fields::run::kTime][fields::time::kGcCpuNs] = gc_cpu_ns;
  report[fields::run::kPauses] = pauses_block(pauses);
  report[fields::run::kMmu] = mmu_block(pauses, wall_ns);
  report[fields::run::kCycles] = std::move(cycles);
  return report;
}

}  // namespace gclab
