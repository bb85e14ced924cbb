#include "harness/compare.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "harness/environment.h"
#include "harness/go_baseline.h"
#include "harness/json_file.h"
#include "harness/report.h"
#include "harness/report_fields.h"
#include "harness/run_config.h"
#include "harness/selection.h"
#include "harness/subprocess.h"
#include "harness/summary.h"
#include "heap/errors.h"

namespace gclab {
namespace {

constexpr char kSelf[] = "/proc/self/exe";

// One run's report, or its child's message and whether the heap was
// exhausted (a result of the configuration) or the run failed otherwise (the
// end of the comparison).
struct RunOutcome {
  std::optional<Json> report;
  bool heap_exhausted = false;
  std::string message;
};

// The line that says why a run failed: gclab's own error line if there is
// one (sanitizers may print more after it), else the last line printed.
std::string failure_reason(const ChildOutcome& outcome) {
  std::string last;
  std::size_t start = 0;
  const std::string& text = outcome.stderr_text;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("gclab: ")) return line.substr(7);
    if (!line.empty()) last = line;
  }
  return last.empty() ? outcome.status() : last + " (" + outcome.status() + ")";
}

RunOutcome failed(const ChildOutcome& child) {
  return {std::nullopt, false, failure_reason(child)};
}

// An external GCBench that --baseline adds: a program, named by an
// environment variable, whose runs end in a report with gclab's field names.
struct BaselineProgram {
  std::string_view name;        // as --baseline takes it
  std::string_view runs;        // what it runs, for messages
  std::string_view variable;    // names the executable
  std::string_view executable;  // what the variable must name, for messages
  // The configuration's label; may ask the program. Throws ConfigError.
  std::string (*label)(const std::string& program);
  RunOutcome (*run)(const std::string& program,
                    std::span<const std::string> args);
};

std::string boehm_label(const std::string&) { return "boehm (libgc)"; }

// bench/gcbench_boehm prints its whole report on stdout.
RunOutcome run_boehm(const std::string& program,
                     std::span<const std::string> args) {
  ChildOutcome child = run_child(program, args);
  if (!child.succeeded()) return failed(child);
  try {
    return {Json::parse(child.stdout_text), false, ""};
  } catch (const Json::parse_error&) {
    return {std::nullopt, false, "it printed no JSON report"};
  }
}

// The label names the Go release the program was built with.
std::string go_label(const std::string& program) {
  ChildOutcome child =
      run_child(program, std::vector<std::string>{"--version"});
  if (!child.succeeded() || !child.stdout_text.starts_with("go")) {
    throw ConfigError("$GCLAB_GO_GCBENCH names " + program +
                      ", which prints no Go version for --version: expected "
                      "bench/gcbench_go");
  }
  return go_baseline_label(child.stdout_text);
}

// bench/gcbench_go prints what Go measures itself; its pauses come from the
// runtime's GC trace on stderr (harness/go_baseline.h). env(1) sets the
// runtime's variables for that one process.
RunOutcome run_go(const std::string& program,
                  std::span<const std::string> args) {
  std::vector<std::string> env_args = go_baseline_environment();
  env_args.push_back(program);
  env_args.insert(env_args.end(), args.begin(), args.end());
  ChildOutcome child = run_child("/usr/bin/env", env_args);
  if (!child.succeeded()) return failed(child);
  try {
    return {go_baseline_report(child.stdout_text, child.stderr_text), false,
            ""};
  } catch (const GoReportError& error) {
    return {std::nullopt, false, error.what()};
  }
}

constexpr BaselineProgram kBaselinePrograms[] = {
    {"boehm", "Boehm's GCBench", "GCLAB_BOEHM_GCBENCH",
     "the Boehm GCBench executable", boehm_label, run_boehm},
    {"go", "GCBench in Go", "GCLAB_GO_GCBENCH", "the Go GCBench executable",
     go_label, run_go},
};

// One row of the comparison: how to start its run and what its runs reported.
struct Configuration {
  std::string label;
  std::string collector;
  std::string allocator;
  const BaselineProgram* baseline = nullptr;  // null for gclab's own runs
  std::vector<VariedValue> varied;
  std::string program;
  std::vector<std::string> args;
  std::vector<Json> reports;
  // The child's message once a run exhausted the heap; later repeats skip
  // the configuration (see compare.h for why once is enough).
  std::optional<std::string> heap_exhausted;
};

struct SkippedPair {
  std::string collector;
  std::string allocator;
  std::string reason;
};

// A required flag's list; read_run_matrix has checked that it was given.
std::vector<std::string> required_list(const ScannedFlags& flags,
                                       std::string_view flag) {
  std::string text = flags.value(flag).value();
  return split_list(text, "--" + std::string(flag) + " '" + text + "'");
}

// `run`'s --collector and --allocator, which compare does not declare, would
// otherwise be taken for component parameters.
void reject_singular_pair_flags(const ScannedFlags& flags) {
  for (const UndeclaredFlag& flag : flags.undeclared()) {
    if (flag.name == "collector" || flag.name == "allocator") {
      throw ConfigError(
          "compare takes --collectors and --allocators (comma-separated "
          "lists)");
    }
  }
}

// Whether some configuration of the matrix runs more than one mutator: the
// base, or the base with one value of an axis (each axis sets its own
// setting).
bool runs_several_mutators(const RunMatrix& matrix) {
  if (matrix.base.mutators != 1) return true;
  for (const Axis& axis : matrix.axes) {
    if (axis.flag == nullptr) continue;
    for (const std::string& value : axis.values) {
      RunConfig config = matrix.base;
      axis.flag->read(value, config);
      if (config.mutators != 1) return true;
    }
  }
  return false;
}

// A request, a list or not, must reach some pair; one that reaches none gets
// the message `run` would give for the first pair.
void check_every_param_is_declared(const RunConfig& base,
                                   const std::vector<ChosenParams>& pairs) {
  for (const ParamRequest& request : base.params) {
    bool declared = std::any_of(
        pairs.begin(), pairs.end(),
        [&](const ChosenParams& pair) { return is_declared(request, pair); });
    if (!declared) route_params({&request, 1}, pairs.front());
  }
}

// The axes that vary a pair: every setting's, and those of the parameters
// the pair's components declare.
std::vector<Axis> axes_of_pair(const RunMatrix& matrix,
                               const ChosenParams& pair) {
  std::vector<Axis> axes;
  for (const Axis& axis : matrix.axes) {
    if (axis.flag != nullptr ||
        is_declared(matrix.base.params[axis.param_index], pair)) {
      axes.push_back(axis);
    }
  }
  return axes;
}

std::string label_of(std::string_view name,
                     std::span<const VariedValue> varied) {
  std::string values = varied_label(varied);
  return std::string(name) + (values.empty() ? "" : " " + values);
}

// `base` for one pair, with the parameter requests its components declare.
RunConfig pair_config(const RunConfig& base, const CollectorEntry& collector,
                      const AllocatorEntry& allocator) {
  RunConfig pair = base;
  pair.collector = collector.name;
  pair.allocator = allocator.name;
  pair.params.clear();
  ChosenParams chosen =
      chosen_params(collector, allocator, find_workload(base.workload));
  for (const ParamRequest& request : base.params) {
    if (is_declared(request, chosen)) pair.params.push_back(request);
  }
  return pair;
}

// What a child `gclab run` repeats: the pair's configuration with its
// parameters as routed, and no report file or quiet of its own (run_once
// gives each run a temporary report and --quiet).
RunConfig child_config(RunConfig pair, const Selection& selection) {
  pair.params = qualified_requests(selection.routed);
  pair.json_path.clear();
  pair.quiet = false;
  return pair;
}

// The workload's side of a configuration: what a baseline shares with it.
struct WorkloadVariant {
  std::map<std::string, std::string> params;  // as routed to the workload
  std::vector<VariedValue> varied;            // the workload's varied values
};

WorkloadVariant workload_variant(const RunVariant& variant,
                                 const Selection& selection,
                                 const ChosenParams& pair) {
  WorkloadVariant workload{
      .params = selection.routed[static_cast<int>(Component::kWorkload)],
      .varied = {}};
  for (const VariedValue& value : variant.varied) {
    if (value.param_index &&
        routed_component(variant.config.params[*value.param_index], pair) ==
            Component::kWorkload) {
      workload.varied.push_back(value);
    }
  }
  return workload;
}

// The programs --baseline names ("boehm", "go" or "boehm,go"), in its order.
std::vector<const BaselineProgram*> chosen_baselines(
    const std::optional<std::string>& text) {
  if (!text) return {};
  std::string shown = "--baseline '" + *text + "'";
  std::vector<const BaselineProgram*> chosen;
  for (const std::string& name : split_list(*text, shown)) {
    const BaselineProgram* known = std::find_if(
        std::begin(kBaselinePrograms), std::end(kBaselinePrograms),
        [&](const BaselineProgram& program) { return program.name == name; });
    if (known == std::end(kBaselinePrograms)) {
      throw ConfigError("bad " + shown +
                        ": the baselines are boehm and go (a list takes both)");
    }
    chosen.push_back(known);
  }
  return chosen;
}

// A baseline runs once per distinct set of workload parameters, since only
// those reach it.
std::vector<Configuration> baseline_configurations(
    const RunMatrix& matrix, std::span<const WorkloadVariant> workloads,
    const BaselineProgram& baseline_program) {
  const RunConfig& base = matrix.base;
  const std::string flag = "--baseline " + std::string(baseline_program.name);
  const std::string variable(baseline_program.variable);
  if (base.workload != "gcbench") {
    throw ConfigError(flag + " runs " + std::string(baseline_program.runs) +
                      ": it needs --workload gcbench");
  }
  if (runs_several_mutators(matrix)) {
    throw ConfigError(flag +
                      " runs single-threaded GCBench: it needs --mutators 1");
  }
  const char* program = std::getenv(variable.c_str());
  if (program == nullptr || *program == '\0') {
    throw ConfigError(flag + " needs $" + variable + " to name " +
                      std::string(baseline_program.executable));
  }
  if (access(program, X_OK) != 0) {
    throw ConfigError("$" + variable + " names " + program +
                      ", which is not an executable");
  }
  std::string label = baseline_program.label(program);
  std::vector<Configuration> baselines;
  for (const WorkloadVariant& workload : workloads) {
    Configuration baseline{.label = label_of(label, workload.varied),
                           .collector = std::string(baseline_program.name),
                           .allocator = std::string(baseline_program.name),
                           .baseline = &baseline_program,
                           .varied = workload.varied,
                           .program = program,
                           .args = {"--seed=" + std::to_string(base.seed)},
                           .reports = {},
                           .heap_exhausted = {}};
    for (const auto& [name, value] : workload.params) {
      baseline.args.push_back("--" + name + "=" + value);
    }
    baselines.push_back(std::move(baseline));
  }
  return baselines;
}

RunOutcome run_once(const Configuration& configuration) {
  if (configuration.baseline) {
    // Only gclab's own runs have a fixed heap: a baseline's failure, whatever
    // its exit status, is a failure.
    return configuration.baseline->run(configuration.program,
                                       configuration.args);
  }
  TemporaryPath report_path("gclab-run");
  std::vector<std::string> args = configuration.args;
  args.push_back("--json=" + report_path.path());
  args.push_back("--quiet");
  ChildOutcome child = run_child(kSelf, args);
  if (child.signal == 0 && child.exit_code == 2 &&
      child.stderr_text.starts_with("gclab: " +
                                    std::string(kHeapExhaustedMessage))) {
    return {std::nullopt, true, failure_reason(child)};
  }
  if (!child.succeeded()) return failed(child);
  return {read_json_file(report_path.path()), false, ""};
}

SummaryRow median_of(const Configuration& configuration) {
  std::vector<SummaryRow> rows;
  for (const Json& report : configuration.reports) {
    rows.push_back(summary_row(report));
  }
  return median_row(rows);
}

Json compare_document(const RunMatrix& matrix, int repeat,
                      const std::vector<Configuration>& configurations,
                      const std::vector<SkippedPair>& skipped) {
  Json axes = Json::array();
  for (const Axis& axis : matrix.axes) {
    axes.push_back({{fields::axis::kName, axis.name},
                    {fields::axis::kValues, axis.values}});
  }
  Json configs = Json::array();
  for (const Configuration& configuration : configurations) {
    Json varied = Json::object();
    for (const VariedValue& value : configuration.varied) {
      varied[value.name] = value.value;
    }
    Json config = {
        {fields::compared::kLabel, configuration.label},
        {fields::compared::kCollector, configuration.collector},
        {fields::compared::kAllocator, configuration.allocator},
        {fields::compared::kBaseline, configuration.baseline != nullptr},
        {fields::compared::kVaried, varied},
        {fields::compared::kArguments, configuration.args},
    };
    // The runs before an exhaustion stay in `runs`, but a median of only
    // those would pass for the configuration's, so it has none.
    if (configuration.heap_exhausted) {
      config[fields::compared::kOutcome] = "heap-exhausted";
      config[fields::compared::kMessage] = *configuration.heap_exhausted;
      config[fields::compared::kMedian] = nullptr;
    } else {
      config[fields::compared::kOutcome] = "ok";
      config[fields::compared::kMedian] = row_json(median_of(configuration));
    }
    config[fields::compared::kRuns] = configuration.reports;
    configs.push_back(std::move(config));
  }
  Json skipped_pairs = Json::array();
  for (const SkippedPair& pair : skipped) {
    skipped_pairs.push_back({{fields::skipped::kCollector, pair.collector},
                             {fields::skipped::kAllocator, pair.allocator},
                             {fields::skipped::kReason, pair.reason}});
  }
  return {
      {fields::compare::kSchemaVersion, kReportSchemaVersion},
      {fields::compare::kKind, "compare"},
      {fields::compare::kWorkload, matrix.base.workload},
      {fields::compare::kRepeat, repeat},
      {fields::compare::kOrder, "interleaved"},
      {fields::compare::kAxes, axes},
      {fields::compare::kEnvironment, describe_environment()},
      {fields::compare::kConfigs, configs},
      {fields::compare::kSkipped, skipped_pairs},
  };
}

using Pair = std::pair<const CollectorEntry*, const AllocatorEntry*>;

// Every named collector x allocator pair that fits; the others go to
// `skipped`. None fitting is bad input.
std::vector<Pair> fitting_pairs(const std::vector<std::string>& collectors,
                                const std::vector<std::string>& allocators,
                                std::vector<SkippedPair>& skipped) {
  std::vector<Pair> pairs;
  for (const std::string& collector_name : collectors) {
    const CollectorEntry& collector = find_collector(collector_name);
    for (const std::string& allocator_name : allocators) {
      const AllocatorEntry& allocator = find_allocator(allocator_name);
      std::string misfit = pair_misfit(collector, allocator);
      if (misfit.empty()) {
        pairs.emplace_back(&collector, &allocator);
      } else {
        skipped.push_back({collector_name, allocator_name, misfit});
      }
    }
  }
  if (pairs.empty()) {
    std::string reasons;
    for (const SkippedPair& pair : skipped) {
      reasons += (reasons.empty() ? "" : "; ") + pair.collector + " over " +
                 pair.allocator + ": " + pair.reason;
    }
    throw ConfigError("no collector x allocator pair fits (" + reasons + ")");
  }
  return pairs;
}

// One configuration per pair and combination of the axes that vary it, in
// product order, each checked as `run` would check it, so that bad input is
// found before the first run starts. A combination the pair's collector
// cannot run with (barrier none, for a concurrent collector; a parameter
// value whose mechanism the allocator lacks) is skipped like a pair that
// does not fit, so that `--barrier none,yuasa` compares a stop-the-world
// collector without a barrier beside a concurrent one with it.
std::vector<Configuration> plan_configurations(
    const RunMatrix& matrix, const std::vector<Pair>& pairs,
    const std::optional<std::string>& baseline,
    std::vector<SkippedPair>& skipped) {
  std::vector<const BaselineProgram*> baseline_programs =
      chosen_baselines(baseline);
  const WorkloadEntry& workload = find_workload(matrix.base.workload);
  std::vector<ChosenParams> chosen;
  for (const auto& [collector, allocator] : pairs) {
    chosen.push_back(chosen_params(*collector, *allocator, workload));
  }
  check_every_param_is_declared(matrix.base, chosen);
  std::vector<Configuration> configurations;
  std::vector<WorkloadVariant> workloads;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& [collector, allocator] = pairs[i];
    std::string pair_name =
        std::string(collector->name) + "/" + std::string(allocator->name);
    for (const RunVariant& variant :
         expand_axes(matrix.base, axes_of_pair(matrix, chosen[i]))) {
      RunConfig pair = pair_config(variant.config, *collector, *allocator);
      std::string misfit = configuration_misfit(pair, *collector, *allocator);
      if (!misfit.empty()) {
        std::string with = varied_label(variant.varied);
        skipped.push_back(
            {std::string(collector->name), std::string(allocator->name),
             (with.empty() ? "" : "with " + with + ": ") + "it " + misfit});
        continue;
      }
      Selection selection = select_components(pair);
      configurations.push_back(
          {.label = label_of(pair_name, variant.varied),
           .collector = std::string(collector->name),
           .allocator = std::string(allocator->name),
           .baseline = nullptr,
           .varied = variant.varied,
           .program = kSelf,
           .args = run_arguments(child_config(pair, selection)),
           .reports = {},
           .heap_exhausted = {}});
      WorkloadVariant workload_side =
          workload_variant(variant, selection, chosen[i]);
      if (std::none_of(workloads.begin(), workloads.end(),
                       [&](const WorkloadVariant& seen) {
                         return seen.params == workload_side.params;
                       })) {
        workloads.push_back(std::move(workload_side));
      }
    }
  }
  if (configurations.empty()) {
    throw ConfigError("no configuration left to run: " +
                      skipped.back().collector + " " + skipped.back().reason);
  }
  for (const BaselineProgram* program : baseline_programs) {
    for (Configuration& configuration :
         baseline_configurations(matrix, workloads, *program)) {
      configurations.push_back(std::move(configuration));
    }
  }
  return configurations;
}

// For each repeat, every configuration once, so that slow drift in the
// machine's speed spreads over all configurations alike. A configuration
// whose heap is exhausted leaves the later repeats, and the count of runs to
// go shrinks by its remaining repeats.
void run_interleaved(std::vector<Configuration>& configurations, int repeat,
                     bool quiet, std::ostream& out) {
  int total = repeat * static_cast<int>(configurations.size());
  int started = 0;
  for (int round = 1; round <= repeat; ++round) {
    for (Configuration& configuration : configurations) {
      if (configuration.heap_exhausted) continue;
      ++started;
      if (!quiet) {
        out << "[" << started << "/" << total << "] " << configuration.label
            << " (repeat " << round << ")" << std::flush;
      }
      RunOutcome outcome = run_once(configuration);
      if (outcome.heap_exhausted) {
        configuration.heap_exhausted = outcome.message;
        total -= repeat - round;
        if (!quiet) out << ": " << outcome.message << "\n";
        continue;
      }
      if (!outcome.report) {
        if (!quiet) out << "\n" << std::flush;
        throw CommandFailed("run " + configuration.label + " (repeat " +
                            std::to_string(round) +
                            ") failed: " + outcome.message);
      }
      configuration.reports.push_back(std::move(*outcome.report));
      if (!quiet) {
        auto wall = summary_row(configuration.reports.back()).wall_ns;
        out << ": " << (wall ? format_duration(*wall) : "-") << "\n";
      }
    }
  }
}

}  // namespace

int run_compare(std::span<const std::string> args, std::ostream& out) {
  ScannedFlags flags = scan_flags(args, command_flags(Command::kCompare));
  reject_singular_pair_flags(flags);
  RunMatrix matrix = read_run_matrix(flags);
  std::vector<std::string> collectors = required_list(flags, "collectors");
  std::vector<std::string> allocators = required_list(flags, "allocators");
  const RunConfig& base = matrix.base;
  int repeat = kDefaultRepeat;
  if (auto text = flags.value("repeat")) {
    repeat = static_cast<int>(parse_integer_flag(*text, "repeat", 1, 1000));
  }
  find_workload(base.workload);
  std::vector<SkippedPair> skipped;
  std::vector<Pair> pairs = fitting_pairs(collectors, allocators, skipped);
  std::vector<Configuration> configurations =
      plan_configurations(matrix, pairs, flags.value("baseline"), skipped);
  if (!base.json_path.empty()) check_output_path(base.json_path);

  // Every run records the same commit, found once.
  setenv("GCLAB_GIT_COMMIT", git_commit().c_str(), /*overwrite=*/0);
  if (!base.quiet) {
    for (const SkippedPair& pair : skipped) {
      out << "skipping " << pair.collector << "/" << pair.allocator << ": "
          << pair.reason << "\n";
    }
  }
  run_interleaved(configurations, repeat, base.quiet, out);
  if (!base.json_path.empty()) {
    write_json_file(base.json_path,
                    compare_document(matrix, repeat, configurations, skipped));
  }
  if (base.quiet) return 0;
  std::vector<LabelledRow> rows;
  for (const Configuration& configuration : configurations) {
    if (configuration.heap_exhausted) {
      rows.push_back({configuration.label, {}, "heap exhausted"});
    } else {
      rows.push_back({configuration.label, median_of(configuration), {}});
    }
  }
  out << "\n"
      << base.workload << ": medians of " << repeat
      << (repeat == 1 ? " run" : " runs")
      << " per configuration, interleaved\n";
  print_table(out, rows);
  if (!base.json_path.empty()) {
    out << "results written to " << base.json_path << "\n";
  }
  return 0;
}

}  // namespace gclab
