// gclab: run garbage-collection experiments and measure them.
//
// Exit codes: 0 success; 1 a run failed (a workload's self-check, or a
// compared run that did); 2 bad input, a heap too small included, reported as
// one line on stderr. A GC invariant violation aborts the process
// (heap/fatal.h).
#include <algorithm>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/compare.h"
#include "harness/environment.h"
#include "harness/json_file.h"
#include "harness/list.h"
#include "harness/report.h"
#include "harness/run_config.h"
#include "harness/runner.h"
#include "harness/selection.h"
#include "harness/summary.h"
#include "heap/errors.h"

namespace gclab {
namespace {

constexpr std::string_view kUsage = R"(usage: gclab <command> [flags]

commands:
  list      collectors, allocators and workloads, their parameters, and which
            collector x allocator pairs fit
  run       one run: prints a summary and, with --json, writes its metrics
  compare   one workload under every fitting collector x allocator pair and
            every combination of the values listed for other settings, each
            run in a fresh process, repeats interleaved; prints medians
  help      this text

run flags:
  --collector NAME      required; see gclab list
  --allocator NAME      required
  --workload NAME       required
  --heap SIZE           fixed heap size, like -Xmx: 4096, 512K, 64M, 2G
                        (default 64M)
  --mutators N          mutator threads, each running the workload with seed
                        SEED+i (default 1)
  --gc-threads N        collector threads (default 1)
  --seed S              workload seed (default 1)
  --trigger SPEC        when to collect: on-failure; occupancy:F to also
                        collect once F (0 < F <= 1) of the heap is in use;
                        gogc:N to also collect once in-use bytes reach
                        live x (1 + N/100), at least 4 MiB, as Go's GOGC (a
                        concurrent collector starts early, paced by the
                        allocation while it last marked)
                        (default: the collector's; gogc:100 for
                        concurrent-mark-sweep, on-failure for the others)
  --barrier KIND        write barrier: none, dijkstra (insertion), yuasa
                        (deletion, snapshot at the beginning) or hybrid
                        (Go's); on while a concurrent collector marks, for
                        the whole run under any other collector
                        (default: the collector's; hybrid for
                        concurrent-mark-sweep, none for the others)
  --param NAME=VALUE    a parameter of whichever chosen collector, allocator or
                        workload declares NAME; COMPONENT.NAME=VALUE (collector.,
                        allocator., workload.) when several do; repeatable
  --NAME=VALUE          a parameter of the chosen collector or allocator, as a
                        flag: --fit=best
  --verify              check the heap after every collection and at the end
  --stress N            also collect every N allocations of each mutator
  --json FILE           write the metrics report to FILE (whole or not at all)
  --quiet               print nothing on success

compare flags (and every run flag but --collector and --allocator):
  --collectors A,B,...  required; pairs that do not fit are skipped and named
  --allocators X,Y,...  required
  --repeat K            runs per configuration (default 3)
  --baseline LIST       also run GCBench outside gclab: boehm (Boehm's
                        collector, $GCLAB_BOEHM_GCBENCH), go (Go's collector,
                        $GCLAB_GO_GCBENCH, GOMAXPROCS=2, pauses from
                        GODEBUG=gctrace=1) or boehm,go (needs --workload
                        gcbench and --mutators 1)
  --json FILE           every run's report, per-configuration medians and
                        varied values
  value lists           --heap, --mutators, --gc-threads, --trigger,
                        --barrier and every parameter (--param NAME=A,B,...
                        or --NAME=A,B,...) take comma-separated values (run
                        takes one each)

Compare's configurations are collectors x allocators x each value list, in
this order: parameters, --heap, --mutators, --gc-threads, --trigger,
--barrier, the last changing fastest and values in the order given; a
parameter list varies only the pairs whose components declare it, and a
concurrent collector skips --barrier none. Labels show what varies:
mark-sweep/free-list fit=best heap=32M.

Every flag takes --flag=value or --flag value. Exit status: 0 success, 1 a run
failed (a workload self-check, a compared run), 2 bad input or a heap too
small (one line on stderr; no result file is written). Compare records a
heap-exhausted configuration as such, runs it no more and goes on.
)";

bool asks_for_help(std::span<const std::string> args) {
  return std::any_of(args.begin(), args.end(), [](const std::string& arg) {
    return arg == "-h" || arg == "--help";
  });
}

int run_command(std::span<const std::string> args) {
  RunConfig config = parse_run_config(args);
  Selection selection = select_components(config);
  if (!config.json_path.empty()) check_output_path(config.json_path);
  Json report =
      make_report(run_configuration(config, selection), describe_environment());
  if (!config.json_path.empty()) write_json_file(config.json_path, report);
  if (!config.quiet) {
    print_run_summary(std::cout, report);
    if (!config.json_path.empty()) {
      std::cout << "  metrics       written to " << config.json_path << "\n";
    }
  }
  return 0;
}

int dispatch(std::span<const std::string> args) {
  if (args.empty()) {
    throw ConfigError(
        "missing command: list, run or compare (gclab help shows the flags)");
  }
  const std::string& command = args.front();
  std::span<const std::string> rest = args.subspan(1);
  if (command == "help" || command == "-h" || command == "--help" ||
      asks_for_help(rest)) {
    std::cout << kUsage;
    return 0;
  }
  if (command == "list") {
    if (!rest.empty()) throw ConfigError("list takes no flags");
    print_list(std::cout);
    return 0;
  }
  if (command == "run") return run_command(rest);
  if (command == "compare") return run_compare(rest, std::cout);
  throw ConfigError("unknown command '" + command +
                    "': expected list, run or compare");
}

// Errors are one line, whatever their text holds.
void report_error(std::string_view message) {
  std::string line(message);
  std::replace(line.begin(), line.end(), '\n', ' ');
  std::cout.flush();
  std::cerr << "gclab: " << line << std::endl;
}

}  // namespace
}  // namespace gclab

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return gclab::dispatch(args);
  } catch (const gclab::ConfigError& error) {
    gclab::report_error(error.what());
    return 2;
  } catch (const gclab::CommandFailed& error) {
    gclab::report_error(error.what());
    return 1;
  } catch (const gclab::WorkloadCheckFailed& error) {
    gclab::report_error(std::string("workload check failed: ") + error.what());
    return 1;
  } catch (const std::exception& error) {
    gclab::report_error(std::string("error: ") + error.what());
    return 1;
  }
}
