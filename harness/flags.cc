#include "harness/flags.h"

#include <charconv>
#include <cstdint>

#include "harness/run_config.h"
#include "heap/barrier.h"
#include "heap/census.h"
#include "heap/errors.h"
#include "heap/params.h"
#include "heap/trigger.h"

namespace gclab {
namespace {

constexpr int kMaxThreads = 1024;

int parse_thread_count(std::string_view text, std::string_view flag) {
  return static_cast<int>(parse_integer_flag(text, flag, 1, kMaxThreads));
}

// A value that is always passed on.
std::vector<std::string> always(std::string value) { return {value}; }
// A value passed on only when set.
std::vector<std::string> unless_empty(const std::string& value) {
  if (value.empty()) return {};
  return {value};
}

std::string read_collector(std::string_view value, RunConfig& config) {
  config.collector = value;
  return config.collector;
}
std::vector<std::string> write_collector(const RunConfig& config) {
  return always(config.collector);
}

std::string read_allocator(std::string_view value, RunConfig& config) {
  config.allocator = value;
  return config.allocator;
}
std::vector<std::string> write_allocator(const RunConfig& config) {
  return always(config.allocator);
}

std::string read_workload(std::string_view value, RunConfig& config) {
  config.workload = value;
  return config.workload;
}
std::vector<std::string> write_workload(const RunConfig& config) {
  return always(config.workload);
}

std::string read_heap(std::string_view value, RunConfig& config) {
  config.heap_bytes = parse_size(value, "--heap");
  return compact_size(config.heap_bytes);
}
std::vector<std::string> write_heap(const RunConfig& config) {
  return always(std::to_string(config.heap_bytes));
}

std::string read_mutators(std::string_view value, RunConfig& config) {
  config.mutators = parse_thread_count(value, "mutators");
  return std::to_string(config.mutators);
}
std::vector<std::string> write_mutators(const RunConfig& config) {
  return always(std::to_string(config.mutators));
}

std::string read_gc_threads(std::string_view value, RunConfig& config) {
  config.gc_threads = parse_thread_count(value, "gc-threads");
  return std::to_string(config.gc_threads);
}
std::vector<std::string> write_gc_threads(const RunConfig& config) {
  return always(std::to_string(config.gc_threads));
}

std::string read_seed(std::string_view value, RunConfig& config) {
  config.seed = parse_unsigned_flag(value, "seed");
  return std::to_string(config.seed);
}
std::vector<std::string> write_seed(const RunConfig& config) {
  return always(std::to_string(config.seed));
}

std::string read_trigger(std::string_view value, RunConfig& config) {
  config.trigger = parse_trigger(value)->spec();
  return config.trigger;
}
std::vector<std::string> write_trigger(const RunConfig& config) {
  return unless_empty(config.trigger);
}

std::string read_barrier(std::string_view value, RunConfig& config) {
  config.barrier = to_string(parse_barrier(value));
  return config.barrier;
}
std::vector<std::string> write_barrier(const RunConfig& config) {
  return unless_empty(config.barrier);
}

std::string read_verify(std::string_view value, RunConfig& config) {
  if (value.empty() || value == "every") {
    config.verify = VerifyMode::kEvery;
  } else if (value == "end") {
    config.verify = VerifyMode::kEnd;
  } else {
    throw ConfigError("bad --verify '" + std::string(value) +
                      "': expected every or end (--verify alone is every)");
  }
  return std::string(to_string(config.verify));
}
std::vector<std::string> write_verify(const RunConfig& config) {
  switch (config.verify) {
    case VerifyMode::kOff:
      return {};
    case VerifyMode::kEnd:
      return {"end"};
    case VerifyMode::kEvery:
      return {""};
  }
  return {};
}

std::string read_stress(std::string_view value, RunConfig& config) {
  config.stress = parse_unsigned_flag(value, "stress");
  if (config.stress == 0) {
    throw ConfigError("bad --stress '0': expected a positive integer");
  }
  return std::to_string(config.stress);
}
std::vector<std::string> write_stress(const RunConfig& config) {
  if (config.stress == 0) return {};
  return {std::to_string(config.stress)};
}

std::string read_pretouch(std::string_view, RunConfig& config) {
  config.pretouch = true;
  return "";
}
std::vector<std::string> write_pretouch(const RunConfig& config) {
  if (!config.pretouch) return {};
  return {""};
}

// A count that must be at least 1: "" (the flag alone) is `bare`.
std::uint64_t positive_count(std::string_view value, std::string_view flag,
                             std::uint64_t bare, std::uint64_t max) {
  if (value.empty()) return bare;
  std::uint64_t count = 0;
  const char* end = value.data() + value.size();
  auto [stop, error] = std::from_chars(value.data(), end, count);
  if (error != std::errc() || stop != end || count == 0 || count > max) {
    throw ConfigError(
        "bad --" + std::string(flag) + " '" + std::string(value) +
        "': expected a positive integer" +
        (max < UINT64_MAX ? " up to " + std::to_string(max) : std::string()));
  }
  return count;
}

std::string read_census(std::string_view value, RunConfig& config) {
  config.census =
      positive_count(value, "census", kDefaultCensusInterval, UINT64_MAX);
  return std::to_string(*config.census);
}
std::vector<std::string> write_census(const RunConfig& config) {
  if (!config.census) return {};
  return {std::to_string(*config.census)};
}

constexpr int kMaxLeakGrowthCensuses = 1'000'000;

std::string read_leak_report(std::string_view value, RunConfig& config) {
  config.leak_report = static_cast<int>(
      positive_count(value, "leak-report", kDefaultLeakGrowthCensuses,
                     kMaxLeakGrowthCensuses));
  return std::to_string(*config.leak_report);
}
std::vector<std::string> write_leak_report(const RunConfig& config) {
  if (!config.leak_report) return {};
  return {std::to_string(*config.leak_report)};
}

std::string read_param(std::string_view value, RunConfig& config) {
  config.params.push_back(parse_param(value));
  return std::string(value);
}
std::vector<std::string> write_params(const RunConfig& config) {
  std::vector<std::string> values;
  for (const ParamRequest& request : config.params) {
    values.push_back(qualified_name(request) +
                     (request.value ? "=" + *request.value : ""));
  }
  return values;
}

std::string read_json(std::string_view value, RunConfig& config) {
  if (value.empty()) throw ConfigError("bad --json '': expected a file name");
  config.json_path = value;
  return config.json_path;
}
std::vector<std::string> write_json(const RunConfig& config) {
  return unless_empty(config.json_path);
}

std::string read_record_trace(std::string_view value, RunConfig& config) {
  if (value.empty()) {
    throw ConfigError("bad --record-trace '': expected a file name");
  }
  config.record_trace_path = value;
  return config.record_trace_path;
}
std::vector<std::string> write_record_trace(const RunConfig& config) {
  return unless_empty(config.record_trace_path);
}

std::string read_trace(std::string_view value, RunConfig& config) {
  if (value.empty()) throw ConfigError("bad --trace '': expected a file name");
  config.trace_path = value;
  return config.trace_path;
}
std::vector<std::string> write_trace(const RunConfig& config) {
  return unless_empty(config.trace_path);
}

std::string read_quiet(std::string_view, RunConfig& config) {
  config.quiet = true;
  return "";
}
std::vector<std::string> write_quiet(const RunConfig& config) {
  if (!config.quiet) return {};
  return {""};
}

constexpr FlagDeclaration kFlags[] = {
    {.name = "collector",
     .commands = FlagCommands::kRun,
     .required = true,
     .value_name = "NAME",
     .help = "see gclab list",
     .read = read_collector,
     .write = write_collector},
    {.name = "allocator",
     .commands = FlagCommands::kRun,
     .required = true,
     .value_name = "NAME",
     .read = read_allocator,
     .write = write_allocator},
    {.name = "workload",
     .required = true,
     .value_name = "NAME",
     .read = read_workload,
     .write = write_workload},
    {.name = "heap",
     .listable = true,
     .value_name = "SIZE",
     .help = "fixed heap size, like -Xmx: 4096, 512K, 64M, 2G",
     .default_value = "64M",
     .read = read_heap,
     .write = write_heap},
    {.name = "mutators",
     .listable = true,
     .value_name = "N",
     .help = "mutator threads, each running the workload with seed SEED+i",
     .default_value = "1",
     .read = read_mutators,
     .write = write_mutators},
    {.name = "gc-threads",
     .listable = true,
     .value_name = "N",
     .help = "collector threads",
     .default_value = "1",
     .read = read_gc_threads,
     .write = write_gc_threads},
    {.name = "seed",
     .value_name = "S",
     .help = "workload seed",
     .default_value = "1",
     .read = read_seed,
     .write = write_seed},
    {.name = "trigger",
     .listable = true,
     .value_name = "SPEC",
     .help = "when to collect: on-failure; occupancy:F to also collect once F "
             "(0 < F <= 1) of the heap is in use; gogc:N to also collect once "
             "in-use bytes reach live x (1 + N/100), at least 4 MiB, as Go's "
             "GOGC (a concurrent collector starts early, paced by the "
             "allocation while it last marked) (default: the collector's; "
             "gogc:100 for concurrent-mark-sweep, on-failure for the others)",
     .read = read_trigger,
     .write = write_trigger},
    {.name = "barrier",
     .listable = true,
     .value_name = "KIND",
     .help = "write barrier: none, dijkstra (insertion), yuasa (deletion, "
             "snapshot at the beginning) or hybrid (Go's); on while a "
             "concurrent collector marks, for the whole run under any other "
             "collector (default: the collector's; hybrid for "
             "concurrent-mark-sweep, none for the others)",
     .read = read_barrier,
     .write = write_barrier},
    {.name = "verify",
     .value = FlagValue::kOptional,
     .value_name = "WHEN",
     .help = "check the heap: every (as --verify alone) after every "
             "collection and at the end; end only the final heap, once, so "
             "that the collector runs its timed path",
     .read = read_verify,
     .write = write_verify},
    {.name = "stress",
     .value_name = "N",
     .help = "also collect every N allocations of each mutator",
     .read = read_stress,
     .write = write_stress},
    {.name = "pretouch",
     .value = FlagValue::kNone,
     .help = "commit every page of the heap before the clock starts, like "
             "HotSpot's -XX:+AlwaysPreTouch, so that no first touch is timed "
             "(the time it took is reported apart, as time.pretouch_ns)",
     .read = read_pretouch,
     .write = write_pretouch},
    {.name = "census",
     .value = FlagValue::kOptional,
     .value_name = "N",
     .help = "record heap censuses in the metrics: live objects and bytes "
             "per allocation site, and the ages of survivors; under a "
             "tracing collector at every collection, in its closing pause "
             "(N is not used), under none (or any collector whose marks say "
             "nothing) every N allocations of any one mutator, the world "
             "stopped but no pause recorded (N default 4194304)",
     .read = read_census,
     .write = write_census},
    {.name = "leak-report",
     .value = FlagValue::kOptional,
     .value_name = "K",
     .help = "implies --census; after the run, report the sites whose live "
             "bytes reached a new high at K censuses in a row (default 5), "
             "with their growth and a path from a root to one of their "
             "objects, garbage cycles a collector that frees but marks "
             "nothing left, and what is still allocated at the end",
     .read = read_leak_report,
     .write = write_leak_report},
    {.name = "param",
     .repeatable = true,
     .value_name = "NAME=VALUE",
     .help = "a parameter of whichever chosen collector, allocator or "
             "workload declares NAME; COMPONENT.NAME=VALUE (collector., "
             "allocator., workload.) when several do; NAME alone sets a 0|1 "
             "parameter to 1",
     .read = read_param,
     .write = write_params},
    {.name = "json",
     .commands = FlagCommands::kRun,
     .value_name = "FILE",
     .help = "write the metrics report to FILE (whole or not at all)",
     .read = read_json,
     .write = write_json},
    {.name = "trace",
     .commands = FlagCommands::kRun,
     .value_name = "FILE",
     .help = "write a timeline of the run to FILE (whole or not at all): "
             "Chrome's trace event JSON, for https://ui.perfetto.dev or "
             "chrome://tracing; cycles and phases, what each GC thread did, "
             "every pause on the mutators it stopped, heap counters",
     .read = read_trace,
     .write = write_trace},
    {.name = "record-trace",
     .commands = FlagCommands::kRun,
     .value_name = "FILE",
     .help = "write what the workload does to the heap to FILE (whole or not "
             "at all), for --workload replay --param trace=FILE under any "
             "collector; one mutator, under a collector that moves nothing",
     .read = read_record_trace,
     .write = write_record_trace},
    {.name = "quiet",
     .value = FlagValue::kNone,
     .help = "print nothing on success",
     .read = read_quiet,
     .write = write_quiet},
    {.name = "collectors",
     .commands = FlagCommands::kCompare,
     .required = true,
     .value_name = "A,B,...",
     .help = "pairs that do not fit are skipped and named"},
    {.name = "allocators",
     .commands = FlagCommands::kCompare,
     .required = true,
     .value_name = "X,Y,..."},
    {.name = "repeat",
     .commands = FlagCommands::kCompare,
     .value_name = "K",
     .help = "runs per configuration",
     .default_value = "3"},
    {.name = "baseline",
     .commands = FlagCommands::kCompare,
     .value_name = "LIST",
     .help = "also run GCBench outside gclab: boehm (Boehm's collector, "
             "$GCLAB_BOEHM_GCBENCH), go (Go's collector, $GCLAB_GO_GCBENCH, "
             "GOMAXPROCS=2, pauses from GODEBUG=gctrace=1) or boehm,go (needs "
             "--workload gcbench and --mutators 1)"},
    {.name = "json",
     .commands = FlagCommands::kCompare,
     .value_name = "FILE",
     .help = "every run's report, per-configuration medians and varied "
             "values",
     .read = read_json},
};

}  // namespace

std::span<const FlagDeclaration> flag_table() { return kFlags; }

bool takes(const FlagDeclaration& flag, Command command) {
  switch (flag.commands) {
    case FlagCommands::kRun:
      return command == Command::kRun;
    case FlagCommands::kCompare:
      return command == Command::kCompare;
    case FlagCommands::kRunAndCompare:
      return true;
  }
  return false;
}

std::vector<FlagSpec> command_flags(Command command) {
  std::vector<FlagSpec> specs;
  for (const FlagDeclaration& flag : kFlags) {
    if (takes(flag, command)) {
      specs.push_back({flag.name, flag.value, flag.repeatable});
    }
  }
  return specs;
}

}  // namespace gclab
