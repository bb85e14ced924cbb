#include "harness/minheap.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "harness/compare.h"
#include "harness/environment.h"
#include "harness/json_file.h"
#include "harness/run_config.h"
#include "harness/selection.h"
#include "harness/subprocess.h"
#include "heap/errors.h"
#include "heap/params.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kSelf[] = "/proc/self/exe";
constexpr double kDefaultPrecision = 0.01;
constexpr std::size_t kDefaultStartBytes = std::size_t{4} << 20;
constexpr std::size_t kDefaultMaxBytes = std::size_t{16} << 30;

struct MinheapOptions {
  double precision = kDefaultPrecision;
  std::optional<int> successes;  // unset: from the configuration
  std::size_t start_bytes = kDefaultStartBytes;
  std::size_t max_bytes = kDefaultMaxBytes;
  std::string json_path;
  bool quiet = false;
};

// "1%", "0.5%" or a fraction "0.01"; in (0, 0.5].
double parse_precision(std::string_view text) {
  std::string number(text);
  double scale = 1;
  if (!number.empty() && number.back() == '%') {
    number.pop_back();
    scale = 0.01;
  }
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() ||
      !std::isfinite(value) || value * scale <= 0 || value * scale > 0.5) {
    throw ConfigError("bad --precision '" + std::string(text) +
                      "': expected a percentage in (0%, 50%] such as 1% or "
                      "0.5%, or a fraction such as 0.01");
  }
  return value * scale;
}

// minheap's own flags are taken out of `args`; the rest must be a valid
// `gclab run` without --heap.
std::vector<std::string> take_own_flags(std::span<const std::string> args,
                                        MinheapOptions& options) {
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string_view name = arg;
    std::optional<std::string> value;
    if (std::size_t equals = arg.find('='); equals != std::string::npos) {
      name = std::string_view(arg).substr(0, equals);
      value = arg.substr(equals + 1);
    }
    auto take_value = [&]() -> std::string {
      if (value) return *value;
      if (i + 1 >= args.size() || args[i + 1].starts_with("--")) {
        throw ConfigError("missing value for " + std::string(name));
      }
      return args[++i];
    };
    if (name == "--precision") {
      options.precision = parse_precision(take_value());
    } else if (name == "--successes") {
      options.successes = static_cast<int>(
          parse_integer_flag(take_value(), "successes", 1, 100));
    } else if (name == "--start") {
      options.start_bytes = parse_size(take_value(), "--start");
    } else if (name == "--max-heap") {
      options.max_bytes = parse_size(take_value(), "--max-heap");
    } else if (name == "--json") {
      options.json_path = take_value();
      if (options.json_path.empty()) {
        throw ConfigError("bad --json '': expected a file name");
      }
    } else if (name == "--quiet" && !value) {
      options.quiet = true;
    } else if (name == "--heap") {
      throw ConfigError(
          "minheap searches for the heap: give --start or --max-heap, not "
          "--heap");
    } else {
      rest.push_back(arg);
    }
  }
  return rest;
}

std::size_t round_up_to_granule(std::size_t bytes) {
  return std::max(kFloorBytes, (bytes + kMinheapGranuleBytes - 1) /
                                   kMinheapGranuleBytes * kMinheapGranuleBytes);
}

struct Attempt {
  bool completed = false;
  std::int64_t wall_ns = 0;
  std::string message;  // why it did not complete
};

struct Probe {
  std::size_t heap_bytes = 0;
  bool succeeded = false;
  std::vector<Attempt> attempts = {};
};

// A line of the child's stderr that starts with "gclab: ", without it.
std::string error_line(const ChildOutcome& child) {
  std::string_view text = child.stderr_text;
  std::size_t at = text.find("gclab: ");
  if (at == std::string_view::npos) return child.status();
  std::string_view line = text.substr(at + 7);
  return std::string(line.substr(0, line.find('\n')));
}

// A heap that cannot hold the workload, or is too small for the allocator
// to build (the only two bad-input errors a heap size alone causes, since
// the configuration itself was checked before the search).
bool is_heap_failure(const ChildOutcome& child, const std::string& line) {
  return child.signal == 0 && child.exit_code == 2 &&
         (line.starts_with(kHeapExhaustedMessage) ||
          line.starts_with("heap of "));
}

class Search {
 public:
  Search(const RunConfig& config, const MinheapOptions& options, int successes,
         std::ostream& out)
      : config_(config), options_(options), successes_(successes), out_(out) {}

  // Whether `heap_bytes` succeeds `successes_` times in a row.
  bool probe(std::size_t heap_bytes) {
    Probe probe{.heap_bytes = heap_bytes};
    RunConfig config = config_;
    config.heap_bytes = heap_bytes;
    config.quiet = true;
    config.json_path.clear();
    std::vector<std::string> args = run_arguments(config);
    probe.succeeded = true;
    for (int attempt = 0; attempt < successes_ && probe.succeeded; ++attempt) {
      auto start = std::chrono::steady_clock::now();
      ChildOutcome child = run_child(kSelf, args);
      std::int64_t wall_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(
              std::chrono::steady_clock::now() - start)
              .count();
      if (child.succeeded()) {
        probe.attempts.push_back({true, wall_ns, ""});
        continue;
      }
      std::string line = error_line(child);
      if (!is_heap_failure(child, line)) {
        throw CommandFailed(
            "a run at --heap " + compact_size(heap_bytes) +
            " failed for another reason than its heap: " + line);
      }
      probe.attempts.push_back({false, wall_ns, line});
      probe.succeeded = false;
    }
    if (!options_.quiet) {
      out_ << "  " << compact_size(heap_bytes) << " (" << heap_bytes
           << " bytes): "
           << (probe.succeeded ? "completes" : probe.attempts.back().message);
      if (successes_ > 1 && probe.succeeded) {
        out_ << " (" << successes_ << " times)";
      }
      out_ << "\n";
    }
    probes_.push_back(std::move(probe));
    return probes_.back().succeeded;
  }

  // The least succeeding heap, and the greatest failing one (0: none failed
  // because the floor succeeds).
  std::pair<std::size_t, std::size_t> run() {
    std::size_t good = 0;
    std::size_t bad = 0;
    std::size_t heap = round_up_to_granule(options_.start_bytes);
    if (probe(heap)) {
      good = heap;
      while (good > kFloorBytes) {
        heap = round_up_to_granule(good / 2);
        if (!probe(heap)) {
          bad = heap;
          break;
        }
        good = heap;
      }
      if (bad == 0) return {good, 0};
    } else {
      bad = heap;
      while (good == 0) {
        if (bad >= options_.max_bytes) {
          throw CommandFailed("the run does not complete even in --max-heap " +
                              compact_size(options_.max_bytes) + ": " +
                              probes_.back().attempts.back().message);
        }
        heap = std::min(options_.max_bytes, round_up_to_granule(bad * 2));
        if (probe(heap)) {
          good = heap;
        } else {
          bad = heap;
        }
      }
    }
    while (static_cast<double>(good - bad) >
               options_.precision * static_cast<double>(good) &&
           good - bad > kMinheapGranuleBytes) {
      std::size_t middle =
          bad + (good - bad) / 2 / kMinheapGranuleBytes * kMinheapGranuleBytes;
      if (middle == bad) middle += kMinheapGranuleBytes;
      if (probe(middle)) {
        good = middle;
      } else {
        bad = middle;
      }
    }
    return {good, bad};
  }

  const std::vector<Probe>& probes() const { return probes_; }

 private:
  const RunConfig& config_;
  const MinheapOptions& options_;
  int successes_;
  std::ostream& out_;
  std::vector<Probe> probes_;
};

Json probe_json(const Probe& probe) {
  Json attempts = Json::array();
  for (const Attempt& attempt : probe.attempts) {
    Json entry = {{"completed", attempt.completed},
                  {"wall_ns", attempt.wall_ns}};
    if (!attempt.completed) entry["message"] = attempt.message;
    attempts.push_back(std::move(entry));
  }
  return {{"heap_bytes", probe.heap_bytes},
          {"succeeded", probe.succeeded},
          {"attempts", std::move(attempts)}};
}

}  // namespace

int run_minheap(std::span<const std::string> args, std::ostream& out) {
  MinheapOptions options;
  std::vector<std::string> rest = take_own_flags(args, options);
  RunConfig config = parse_run_config(rest);
  Selection selection = select_components(config);
  if (!config.json_path.empty()) {
    throw ConfigError("minheap's --json is its own result; no run writes one");
  }
  if (!options.json_path.empty()) check_output_path(options.json_path);
  if (options.start_bytes > options.max_bytes) {
    throw ConfigError("--start " + compact_size(options.start_bytes) +
                      " is above --max-heap " +
                      compact_size(options.max_bytes));
  }
  bool deterministic =
      config.mutators == 1 &&
      !selection.collector->capabilities_of(selection.collector_params)
           .concurrent;
  int successes = options.successes.value_or(deterministic ? 1 : 3);

  setenv("GCLAB_GIT_COMMIT", git_commit().c_str(), /*overwrite=*/0);
  if (!options.quiet) {
    out << "minimum heap of " << config.collector << "/" << config.allocator
        << " " << config.workload << ", to within " << options.precision * 100
        << "%:\n";
  }
  Search search(config, options, successes, out);
  auto [least_good, greatest_bad] = search.run();

  if (!options.json_path.empty()) {
    Json probes = Json::array();
    for (const Probe& probe : search.probes()) {
      probes.push_back(probe_json(probe));
    }
    std::vector<std::string> run_args = run_arguments(config);
    run_args.erase(std::remove_if(run_args.begin(), run_args.end(),
                                  [](const std::string& arg) {
                                    return arg.starts_with("--heap");
                                  }),
                   run_args.end());
    Json document = {
        {"schema_version", 1},
        {"kind", "minheap"},
        {"collector", config.collector},
        {"allocator", config.allocator},
        {"workload", config.workload},
        {"arguments", run_args},
        {"precision", options.precision},
        {"successes_required", successes},
        {"deterministic", deterministic},
        {"min_heap_bytes", least_good},
        {"largest_failing_bytes",
         greatest_bad == 0 ? Json(nullptr) : Json(greatest_bad)},
        {"at_floor", greatest_bad == 0},
        {"probes", std::move(probes)},
        {"environment", describe_environment()},
    };
    write_json_file(options.json_path, document);
  }
  if (!options.quiet) {
    out << "minimum heap: " << compact_size(least_good) << " (" << least_good
        << " bytes)";
    if (greatest_bad == 0) {
      out << ", the smallest heap minheap probes\n";
    } else {
      out << "; " << compact_size(greatest_bad) << " (" << greatest_bad
          << " bytes) fails\n";
    }
    if (!options.json_path.empty()) {
      out << "written to " << options.json_path << "\n";
    }
  }
  return 0;
}

}  // namespace gclab
