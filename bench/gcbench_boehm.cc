// GCBench against the Boehm-Demers-Weiser collector: the baseline that
// gclab's own `gcbench` runs are compared with.
//
// The same program as workloads/gcbench.h, on the same parameters and with
// the same self-checks (every tree's node count and pre-order checksum, the
// array's a[1000] and every element): a node is two pointers and two int32s
// from GC_MALLOC, the array is GC_MALLOC_ATOMIC doubles, holes (with
// --holes) are GC_MALLOC_ATOMIC blocks of the same seeded sizes. Roots are
// found by Boehm's conservative stack scan, so no handles are needed.
//
// Pauses. The program is single-threaded and collects in the allocating
// thread, so the mutator is blocked from GC_EVENT_START to GC_EVENT_END:
// that interval (stop the world, mark, restart, and the start of reclaim)
// is what we record as a "full" pause, like gclab's stop-the-world pauses.
// The world-stopped part alone (GC_EVENT_PRE_STOP_WORLD to
// GC_EVENT_POST_START_WORLD) is reported beside it under "boehm". Sweeping
// is lazy in Boehm (done in later allocations), so neither interval
// includes most of it.
//
// Marker threads: GC_set_markers_count(1) before GC_INIT (the API libgc 8.2
// offers; the GC_MARKERS environment variable is the other way), so marking
// is sequential like gclab's --gc-threads=1.
//
// Output: one JSON document on stdout, with gclab's field names
// (harness/report_fields.h).
#define GC_THREADS              // declares GC_set_markers_count
#define GC_NO_THREAD_REDIRECTS  // single-threaded: keep pthread_* as they are
#include <gc/gc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/report_fields.h"
#include "heap/errors.h"
#include "heap/gc_events.h"
#include "heap/params.h"
#include "workloads/gcbench.h"

namespace gclab {
namespace {

struct BoehmNode {
  BoehmNode* left;
  BoehmNode* right;
  std::int32_t i;  // height of the node's subtree
  std::int32_t j;  // heap-order index
};

// What the collection-event callback records. The callback runs with the
// GC lock held (and sometimes the world stopped), so it must not allocate:
// the vectors are reserved up front and an overflow is counted, not grown.
struct PauseLog {
  static constexpr std::size_t kCapacity = 1 << 16;

  std::chrono::steady_clock::time_point origin =
      std::chrono::steady_clock::now();
  std::vector<std::int64_t> collection_start_ns;
  std::vector<std::int64_t> collection_duration_ns;
  std::vector<std::int64_t> world_stopped_ns;
  std::int64_t open_collection_ns = -1;
  std::int64_t open_world_stop_ns = -1;
  std::size_t dropped = 0;
  std::size_t peak_heap_bytes = 0;

  PauseLog() {
    collection_start_ns.reserve(kCapacity);
    collection_duration_ns.reserve(kCapacity);
    world_stopped_ns.reserve(kCapacity);
  }

  std::int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now() - origin)
        .count();
  }
};

// The callbacks take no context argument, so the log is one global.
PauseLog* pause_log = nullptr;

void GC_CALLBACK on_collection_event(GC_EventType event) {
  PauseLog& log = *pause_log;
  std::int64_t now = log.now_ns();
  switch (event) {
    case GC_EVENT_START:
      log.open_collection_ns = now;
      break;
    case GC_EVENT_END:
      if (log.open_collection_ns < 0) break;
      if (log.collection_start_ns.size() == PauseLog::kCapacity) {
        ++log.dropped;
      } else {
        log.collection_start_ns.push_back(log.open_collection_ns);
        log.collection_duration_ns.push_back(now - log.open_collection_ns);
      }
      log.open_collection_ns = -1;
      break;
    case GC_EVENT_PRE_STOP_WORLD:
      log.open_world_stop_ns = now;
      break;
    case GC_EVENT_POST_START_WORLD:
      if (log.open_world_stop_ns < 0) break;
      if (log.world_stopped_ns.size() == PauseLog::kCapacity) {
        ++log.dropped;
      } else {
        log.world_stopped_ns.push_back(now - log.open_world_stop_ns);
      }
      log.open_world_stop_ns = -1;
      break;
    default:
      break;
  }
}

void GC_CALLBACK on_heap_resize(GC_word new_size) {
  pause_log->peak_heap_bytes =
      std::max(pause_log->peak_heap_bytes, static_cast<std::size_t>(new_size));
}

// Nearest rank, as gclab's harness computes it: the duration at rank
// ceil(p/1000 * n) of the sorted list.
std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted,
                          std::int64_t per_mille) {
  if (sorted.empty()) return 0;
  auto n = static_cast<std::int64_t>(sorted.size());
  std::int64_t rank =
      std::clamp<std::int64_t>((per_mille * n + 999) / 1000, 1, n);
  return sorted[rank - 1];
}

nlohmann::json summarize(std::vector<std::int64_t> durations) {
  std::sort(durations.begin(), durations.end());
  std::int64_t total = 0;
  for (std::int64_t d : durations) total += d;
  auto count = static_cast<std::int64_t>(durations.size());
  return {{fields::pause_summary::kCount, count},
          {fields::pause_summary::kTotalNs, total},
          {fields::pause_summary::kMeanNs,
           count == 0 ? 0 : (total + count / 2) / count},
          {fields::pause_summary::kP50Ns, nearest_rank(durations, 500)},
          {fields::pause_summary::kP90Ns, nearest_rank(durations, 900)},
          {fields::pause_summary::kP99Ns, nearest_rank(durations, 990)},
          {fields::pause_summary::kP999Ns, nearest_rank(durations, 999)},
          {fields::pause_summary::kMaxNs,
           durations.empty() ? 0 : durations.back()}};
}

// GCBench on Boehm's heap, the twin of GcbenchTrees.
class BoehmGcbench {
 public:
  BoehmGcbench(std::uint32_t holes, std::uint64_t seed) {
    if (holes > 0) hole_sizes_.emplace(holes, seed);
  }

  BoehmNode* make_populated_tree(int depth) {
    BoehmNode* tree = new_node(depth, 1);
    populate(depth, tree, 1);
    return tree;
  }

  BoehmNode* make_tree(int depth) { return make_subtree(depth, 1); }

  double* make_array(std::int64_t size) {
    auto* array = static_cast<double*>(checked(
        GC_MALLOC_ATOMIC(static_cast<std::size_t>(size) * sizeof(double))));
    array[0] = 0.0;
    for (std::int64_t i = 1; i < size; ++i)
      array[i] = 1.0 / static_cast<double>(i);
    return array;
  }

  void check_tree(const BoehmNode* tree, int depth, std::string_view what) {
    GcbenchTreeTally tally;
    tally_tree(tree, 0, depth, what, tally);
    std::optional<std::uint64_t>& expected = expected_checksums_[depth];
    if (!expected) expected = gcbench_intact_tree_tally(depth).checksum;
    if (tally.nodes != gcbench_tree_size(depth) ||
        tally.checksum != *expected) {
      throw WorkloadCheckFailed(
          "gcbench-boehm: " + std::string(what) + " of depth " +
          std::to_string(depth) + " has " + std::to_string(tally.nodes) +
          " nodes and checksum " + std::to_string(tally.checksum) +
          ", expected " + std::to_string(gcbench_tree_size(depth)) + " and " +
          std::to_string(*expected));
    }
  }

  void check_array(const double* array, std::int64_t size) {
    // The original program's own test, then every element.
    std::int64_t spot = std::min<std::int64_t>(1000, size - 1);
    if (array[spot] != expected_element(spot)) {
      throw WorkloadCheckFailed("gcbench-boehm: long-lived array a[" +
                                std::to_string(spot) + "] is " +
                                std::to_string(array[spot]) + ", expected " +
                                std::to_string(expected_element(spot)));
    }
    for (std::int64_t i = 0; i < size; ++i) {
      if (array[i] != expected_element(i)) {
        throw WorkloadCheckFailed("gcbench-boehm: long-lived array a[" +
                                  std::to_string(i) + "] is " +
                                  std::to_string(array[i]) + ", expected " +
                                  std::to_string(expected_element(i)));
      }
    }
  }

 private:
  static void* checked(void* memory) {
    if (memory == nullptr) throw std::bad_alloc();
    return memory;
  }
  static double expected_element(std::int64_t i) {
    return i == 0 ? 0.0 : 1.0 / static_cast<double>(i);
  }

  BoehmNode* new_node(int height, std::int64_t index) {
    if (hole_sizes_) checked(GC_MALLOC_ATOMIC(hole_sizes_->next()));
    auto* node = static_cast<BoehmNode*>(checked(GC_MALLOC(sizeof(BoehmNode))));
    node->i = height;
    node->j = static_cast<std::int32_t>(index);
    return node;
  }

  void populate(int depth, BoehmNode* node, std::int64_t index) {
    if (depth <= 0) return;
    node->left = new_node(depth - 1, 2 * index);
    node->right = new_node(depth - 1, 2 * index + 1);
    populate(depth - 1, node->left, 2 * index);
    populate(depth - 1, node->right, 2 * index + 1);
  }

  BoehmNode* make_subtree(int depth, std::int64_t index) {
    if (depth <= 0) return new_node(0, index);
    BoehmNode* left = make_subtree(depth - 1, 2 * index);
    BoehmNode* right = make_subtree(depth - 1, 2 * index + 1);
    BoehmNode* node = new_node(depth, index);
    node->left = left;
    node->right = right;
    return node;
  }

  void tally_tree(const BoehmNode* node, int level, int depth,
                  std::string_view what, GcbenchTreeTally& tally) {
    tally.visit(node->i, node->j);
    for (const BoehmNode* child : {node->left, node->right}) {
      if (child == nullptr) continue;
      if (level == depth) {
        throw WorkloadCheckFailed("gcbench-boehm: " + std::string(what) +
                                  " has nodes below its depth " +
                                  std::to_string(depth));
      }
      tally_tree(child, level + 1, depth, what, tally);
    }
  }

  std::optional<HoleSizes> hole_sizes_;
  std::optional<std::uint64_t> expected_checksums_[kGcbenchMaxDepth + 1];
};

struct RunResult {
  std::uint64_t checks_passed = 0;
  std::vector<std::string> output;
};

// The phases of workloads/gcbench.cc, in the same order with the same checks.
RunResult run_gcbench(const GcbenchParams& params, std::uint64_t seed) {
  RunResult result;
  const int stretch_depth = static_cast<int>(params.stretch_depth);
  const int long_lived_depth = static_cast<int>(params.long_lived_depth);
  BoehmGcbench bench(static_cast<std::uint32_t>(params.holes), seed);

  result.output.push_back("Garbage Collector Test");
  result.output.push_back("Stretching memory with a binary tree of depth " +
                          std::to_string(stretch_depth));
  // The same checks as gclab's gcbench with the same check-temp-trees.
  auto temporary = [&](const BoehmNode* tree, int depth,
                       std::string_view what) {
    if (!params.check_temp_trees) return;
    bench.check_tree(tree, depth, what);
    ++result.checks_passed;
  };
  temporary(bench.make_tree(stretch_depth), stretch_depth, "stretch tree");

  result.output.push_back("Creating long-lived binary tree of depth " +
                          std::to_string(long_lived_depth));
  BoehmNode* long_lived = bench.make_populated_tree(long_lived_depth);
  result.output.push_back("Creating long-lived array of " +
                          std::to_string(params.array_size) + " doubles");
  double* array = bench.make_array(params.array_size);

  for (int depth = static_cast<int>(params.min_depth);
       depth <= params.max_depth; depth += 2) {
    std::int64_t iterations = gcbench_num_iters(stretch_depth, depth);
    std::string trees_of_depth =
        std::to_string(iterations) + " trees of depth " + std::to_string(depth);
    result.output.push_back("Top down construction of " + trees_of_depth);
    for (std::int64_t i = 0; i < iterations; ++i) {
      temporary(bench.make_populated_tree(depth), depth,
                "top-down temporary tree");
    }
    result.output.push_back("Bottom up construction of " + trees_of_depth);
    for (std::int64_t i = 0; i < iterations; ++i) {
      temporary(bench.make_tree(depth), depth, "bottom-up temporary tree");
    }
  }

  bench.check_tree(long_lived, long_lived_depth, "long-lived tree");
  ++result.checks_passed;
  bench.check_array(array, params.array_size);
  ++result.checks_passed;
  return result;
}

constexpr std::string_view kUsage =
    "usage: gcbench_boehm [--stretch-depth=N] [--long-lived-depth=N] "
    "[--array-size=N] [--min-depth=N] [--max-depth=N] [--holes=BYTES] "
    "[--check-temp-trees=0|1] "
    "[--seed=N]\n"
    "Runs GCBench on the Boehm collector with one marker thread and prints "
    "one JSON document in gclab's schema.\n";

struct Options {
  std::map<std::string, std::string> workload_params;
  std::uint64_t seed = 1;
};

Options parse_options(int argc, char** argv) {
  Options options;
  for (int index = 1; index < argc; ++index) {
    std::string_view arg = argv[index];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    std::size_t equals = arg.find('=');
    if (!arg.starts_with("--") || equals == std::string_view::npos) {
      throw ConfigError("bad argument '" + std::string(arg) +
                        "': expected --name=value (see --help)");
    }
    std::string name(arg.substr(2, equals - 2));
    std::string value(arg.substr(equals + 1));
    if (name == "seed") {
      ParamSpec seed_spec{"seed", ParamKind::kInt, "1", ""};
      options.seed = static_cast<std::uint64_t>(
          ParamValues({&seed_spec, 1}, {{"seed", value}}).get_int("seed"));
    } else {
      options.workload_params[name] = value;
    }
  }
  return options;
}

int run_main(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  ParamValues values(kGcbenchParams, options.workload_params);
  GcbenchParams params = gcbench_params(values);

  PauseLog log;
  pause_log = &log;
  GC_set_markers_count(1);
  GC_INIT();
  GC_set_on_collection_event(on_collection_event);
  GC_set_on_heap_resize(on_heap_resize);
  // GC_INIT has already collected once, before the callback was set.
  const GC_word gc_no_before_run = GC_get_gc_no();

  std::int64_t cpu_start = process_cpu_ns();
  std::int64_t wall_start = log.now_ns();
  RunResult result = run_gcbench(params, options.seed);
  std::int64_t wall_ns = log.now_ns() - wall_start;
  std::int64_t cpu_ns = process_cpu_ns() - cpu_start;
  GC_set_on_collection_event(nullptr);
  GC_set_on_heap_resize(nullptr);
  if (log.dropped > 0) {
    throw ConfigError("more than " + std::to_string(PauseLog::kCapacity) +
                      " collections: the pause log overflowed");
  }

  nlohmann::json workload_params = nlohmann::json::object();
  for (const auto& [name, value] : values.values()) {
    workload_params[name] = value;
  }
  nlohmann::json pause_list = nlohmann::json::array();
  for (std::size_t i = 0; i < log.collection_start_ns.size(); ++i) {
    pause_list.push_back(
        {{fields::pause::kStartNs, log.collection_start_ns[i] - wall_start},
         {fields::pause::kDurationNs, log.collection_duration_ns[i]},
         {fields::pause::kKind, "full"}});
  }
  nlohmann::json pauses = summarize(log.collection_duration_ns);
  pauses[fields::pauses::kList] = std::move(pause_list);

  namespace config = fields::config;
  namespace boehm = fields::boehm;
  nlohmann::json document = {
      {fields::run::kSchemaVersion, kReportSchemaVersion},
      {fields::run::kConfig,
       {{config::kCollector, "boehm"},
        {config::kAllocator, "boehm"},
        {config::kWorkload, "gcbench"},
        {config::kSeed, options.seed},
        {config::kParams, {{fields::params::kWorkload, workload_params}}},
        {config::kGcThreads, GC_get_parallel() + 1}}},
      {fields::run::kTime,
       {{fields::time::kWallNs, wall_ns},
        {fields::time::kProcessCpuNs, cpu_ns}}},
      {fields::run::kPauses, pauses},
      {fields::run::kHeap,
       {{fields::heap::kPeakCommittedBytes,
         std::max(log.peak_heap_bytes, GC_get_heap_size())}}},
      {fields::run::kCyclesCount, log.collection_duration_ns.size()},
      {fields::run::kWorkloadReport,
       {{fields::workload::kChecksPassed, result.checks_passed},
        {fields::workload::kOutput, result.output}}},
      {fields::run::kBoehm,
       {{boehm::kGcVersion, std::to_string(GC_VERSION_MAJOR) + "." +
                                std::to_string(GC_VERSION_MINOR) + "." +
                                std::to_string(GC_VERSION_MICRO)},
        {boehm::kPauseInterval, "GC_EVENT_START..GC_EVENT_END"},
        {boehm::kWorldStopped, summarize(log.world_stopped_ns)},
        {boehm::kGcNoBeforeRun, gc_no_before_run},
        {boehm::kGcNoAfterRun, GC_get_gc_no()}}},
  };
  std::cout << document.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace gclab

int main(int argc, char** argv) {
  try {
    return gclab::run_main(argc, argv);
  } catch (const gclab::ConfigError& error) {
    std::cerr << "gcbench_boehm: " << error.what() << "\n";
    return 2;
  } catch (const gclab::WorkloadCheckFailed& error) {
    std::cerr << "gcbench_boehm: " << error.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "gcbench_boehm: the Boehm heap could not grow\n";
    return 1;
  }
}
