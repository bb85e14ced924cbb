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
#include "harness/minheap.h"
#include "harness/report.h"
#include "harness/run_config.h"
#include "harness/runner.h"
#include "harness/selection.h"
#include "harness/summary.h"
#include "harness/trace.h"
#include "harness/usage.h"
#include "heap/errors.h"

namespace gclab {
namespace {

bool asks_for_help(std::span<const std::string> args) {
  return std::any_of(args.begin(), args.end(), [](const std::string& arg) {
    return arg == "-h" || arg == "--help";
  });
}

int run_command(std::span<const std::string> args) {
  RunConfig config = parse_run_config(args);
  Selection selection = select_components(config);
  if (!config.json_path.empty()) check_output_path(config.json_path);
  if (!config.trace_path.empty()) check_output_path(config.trace_path);
  if (!config.record_trace_path.empty()) {
    check_output_path(config.record_trace_path);
  }
  RunRecord record = run_configuration(config, selection);
  Json report = make_report(record, describe_environment());
  if (!config.json_path.empty()) write_json_file(config.json_path, report);
  if (!config.trace_path.empty()) {
    write_json_file(config.trace_path, make_trace(record));
  }
  if (!config.quiet) {
    print_run_summary(std::cout, report);
    if (!config.json_path.empty()) {
      std::cout << "  metrics       written to " << config.json_path << "\n";
    }
    if (!config.trace_path.empty()) {
      std::cout << "  trace         written to " << config.trace_path << "\n";
    }
  }
  return 0;
}

int dispatch(std::span<const std::string> args) {
  if (args.empty()) {
    throw ConfigError(
        "missing command: list, run, compare or minheap (gclab help shows the "
        "flags)");
  }
  const std::string& command = args.front();
  std::span<const std::string> rest = args.subspan(1);
  if (command == "help" || command == "-h" || command == "--help" ||
      asks_for_help(rest)) {
    std::cout << usage_text();
    return 0;
  }
  if (command == "list") {
    if (rest.size() == 1 && rest.front() == "--json") {
      std::cout << list_json().dump(2) << "\n";
      return 0;
    }
    if (!rest.empty()) throw ConfigError("list takes no flags but --json");
    print_list(std::cout);
    return 0;
  }
  if (command == "run") return run_command(rest);
  if (command == "compare") return run_compare(rest, std::cout);
  if (command == "minheap") return run_minheap(rest, std::cout);
  throw ConfigError("unknown command '" + command +
                    "': expected list, run, compare or minheap");
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
