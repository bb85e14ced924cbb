// The concurrent collector on the path researchers time: no per-cycle
// verification, so nothing stops the world at the end of a cycle but the
// collector's own remark. Under ThreadSanitizer this is where a race between
// the driver's end-of-cycle work and the mutators shows (the per-cycle
// verifier stops the world around it and would hide one). The heap is
// checked once, after the run, as `--verify=end` does: a tree each mutator
// built first and held in a global root until then is what that walk
// reaches, and the workloads check their own data throughout (GCBench every
// temporary tree too).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "heap/heap.h"
#include "testing/mutator_threads.h"
#include "testing/test_heap.h"
#include "workloads/registry.h"

namespace gclab {
namespace {

// Small enough for the sanitizer builds, large enough for several cycles
// each way past gogc's 4 MiB minimum goal.
std::map<std::string, std::string> small_params(std::string_view workload) {
  if (workload == "gcbench") {
    return {{"stretch-depth", "14"}, {"long-lived-depth", "12"},
            {"array-size", "20000"}, {"min-depth", "4"},
            {"max-depth", "12"},     {"check-temp-trees", "1"}};
  }
  return {{"nodes", "256"},
          {"operations", "50000"},
          {"garbage", "16"},
          {"hold", "16"}};
}

using Case = std::tuple<std::string, std::string, int, std::string>;

class UnverifiedConcurrentMarkSweep : public ::testing::TestWithParam<Case> {};

TEST_P(UnverifiedConcurrentMarkSweep, KeepsEveryLiveObjectWithoutVerifying) {
  const auto& [workload_name, allocator, mutators, trigger] = GetParam();
  auto heap = testing::make_heap("concurrent-mark-sweep", allocator,
                                 {.heap_bytes = std::size_t{16} << 20,
                                  .gc_threads = 2,
                                  .verify = false,
                                  .barrier = BarrierKind::kHybrid},
                                 {}, trigger);
  const WorkloadEntry& entry = find_workload(workload_name);
  std::unique_ptr<Workload> workload =
      entry.make(ParamValues(entry.params, small_params(workload_name)));

  // Registered before the run and kept after it, so the final walk reaches
  // what the mutators built before their workloads started.
  std::vector<std::unique_ptr<GlobalRoot>> kept;
  for (int index = 0; index < mutators; ++index) {
    kept.push_back(std::make_unique<GlobalRoot>(*heap));
  }
  constexpr int kKeptDepth = 6;
  std::string error = testing::run_mutator_threads(
      *heap, mutators, [&](Mutator& mutator, int index) {
        kept[index]->set(mutator,
                         testing::build_tree(mutator, kKeptDepth, index));
        workload->run(mutator, 7 + index);
        EXPECT_EQ(testing::count_tree(mutator, kept[index]->get(), index),
                  testing::tree_nodes(kKeptDepth));
      });
  ASSERT_EQ(error, "");
  heap->collector().finish();
  heap->finish_lazy_sweep();
  EXPECT_GT(heap->events().cycles().size(), 2u)
      << "marking must overlap the mutators for this to test anything";
  std::optional<std::string> violation =
      heap->verifier().check(*heap, std::nullopt);
  EXPECT_FALSE(violation) << *violation;
  EXPECT_EQ(heap->verifier().stats().heaps_verified, 1u);
  EXPECT_EQ(heap->verifier().stats().objects_visited,
            mutators * testing::tree_nodes(kKeptDepth));
  kept.clear();
}

INSTANTIATE_TEST_SUITE_P(
    TimedPath, UnverifiedConcurrentMarkSweep,
    ::testing::Combine(::testing::Values("graph-churn", "gcbench"),
                       ::testing::Values("free-list", "tlsf", "size-class"),
                       ::testing::Values(2, 4),
                       ::testing::Values("gogc:100", "occupancy:0.5")),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name = std::get<0>(info.param) + "_" +
                         std::get<1>(info.param) + "_" +
                         std::to_string(std::get<2>(info.param)) +
                         "_mutators_" + std::get<3>(info.param);
      for (char& ch : name) {
        if (ch == '-' || ch == ':' || ch == '.') ch = '_';
      }
      return name;
    });

}  // namespace
}  // namespace gclab
