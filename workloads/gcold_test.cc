#include "workloads/gcold.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "heap/errors.h"
#include "heap/heap.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

// Four trees of depth 5 (63 nodes), 30 steps of 100 young nodes (trees of
// depth 3: 15 nodes, so 7 trees, 105 nodes), one node in ten promoted as
// subtrees of depth 1 (3 nodes): 3.5 subtrees a step.
GcoldParams small_params() {
  return {.live_size = 4 * 63 * gcold_node_bytes(),
          .tree_depth = 5,
          .steps = 30,
          .young = 100,
          .young_depth = 3,
          .promote_rate = 10,
          .promote_depth = 1,
          .mutations = 10};
}

struct GcoldRun {
  WorkloadReport report;
  MutatorCounters counters;
  std::map<std::string, std::int64_t> objects_by_site;
};

GcoldRun run_gcold(std::unique_ptr<Heap> heap, GcoldParams params,
                   std::uint64_t seed) {
  GcoldRun result;
  GcoldWorkload workload(params);
  {
    Mutator mutator(*heap);
    result.report = workload.run(mutator, seed);
    result.counters = mutator.counters();
  }
  std::vector<std::string> names = heap->site_names();
  heap->allocator().for_each_object([&](Object* object) {
    ++result.objects_by_site[names.at(object->site())];
  });
  return result;
}

TEST(GcoldTest, LiveSizeGivesWholeTrees) {
  EXPECT_EQ(gcold_tree_nodes(5), 63u);
  EXPECT_EQ(gcold_node_bytes(), 48u);
  EXPECT_EQ(GcoldWorkload(small_params()).old_trees(), 4);
  GcoldParams params = small_params();
  params.live_size += 62 * gcold_node_bytes();  // not a whole tree more
  EXPECT_EQ(GcoldWorkload(params).old_trees(), 4);
}

// With nothing reclaimed every object stays in the heap, so the counts per
// site are what the workload allocated: the old trees, whole young trees
// each step, and promoted subtrees at one node per promote-rate young ones.
TEST(GcoldTest, AllocatesWhatItsParametersSay) {
  GcoldRun run = run_gcold(testing::make_unreclaimed_heap(), small_params(), 3);
  EXPECT_EQ(run.objects_by_site["gcold.roots"], 1);
  EXPECT_EQ(run.objects_by_site["gcold.young"], 30 * 7 * 15);
  // 105 young nodes a step / 10 / 3 nodes per subtree = 3.5 subtrees.
  EXPECT_EQ(run.objects_by_site["gcold.old"], 4 * 63 + 105 * 3);
  ASSERT_EQ(run.report.output.size(), 3u);
  EXPECT_EQ(run.report.output[0], "GCOld: 4 old trees of depth 5, " +
                                      std::to_string(4 * 63 * 48) +
                                      " bytes live");
  EXPECT_EQ(run.report.output[1],
            "30 steps: 105 young nodes each, 105 subtrees of depth 1 "
            "promoted, 300 subtrees swapped");
  EXPECT_EQ(run.report.output[2], "old generation checked: 252 nodes");
  // One tree a step and the whole forest at the end.
  EXPECT_EQ(run.report.checks_passed, 31u);
}

// Collections every 300 allocations, each verified: a node the workload
// forgot to root, or a swap that broke a tree, fails the run.
TEST(GcoldTest, SurvivesStressedCollections) {
  GcoldParams params = small_params();
  params.mutations = 50;
  GcoldRun run = run_gcold(testing::make_stressed_heap(), params, 5);
  EXPECT_EQ(run.report.checks_passed, 31u);
  // What is left is the roots array and the old trees, and garbage since
  // the last collection.
  EXPECT_EQ(run.objects_by_site["gcold.roots"], 1);
  EXPECT_GE(run.objects_by_site["gcold.old"], 4 * 63);
}

TEST(GcoldTest, DeterministicForASeed) {
  GcoldRun first =
      run_gcold(testing::make_unreclaimed_heap(), small_params(), 7);
  GcoldRun again = run_gcold(testing::make_stressed_heap(), small_params(), 7);
  GcoldRun other =
      run_gcold(testing::make_unreclaimed_heap(), small_params(), 8);
  EXPECT_NE(first.report.checksum, 0u);
  EXPECT_EQ(first.report.checksum, again.report.checksum);
  EXPECT_EQ(first.counters.objects_allocated, again.counters.objects_allocated);
  EXPECT_EQ(first.counters.bytes_allocated, again.counters.bytes_allocated);
  EXPECT_NE(first.report.checksum, other.report.checksum);
  EXPECT_EQ(first.counters.objects_allocated, other.counters.objects_allocated);
}

TEST(GcoldTest, RefusesImpossibleParameters) {
  auto refused = [](auto change) {
    GcoldParams params = small_params();
    change(params);
    EXPECT_THROW(GcoldWorkload{params}, ConfigError);
  };
  refused([](GcoldParams& p) { p.live_size = 100; });
  refused([](GcoldParams& p) { p.tree_depth = 0; });
  refused([](GcoldParams& p) { p.promote_depth = p.tree_depth; });
  refused([](GcoldParams& p) { p.promote_rate = 0; });
  refused([](GcoldParams& p) { p.young_depth = 17; });
  refused([](GcoldParams& p) { p.steps = -1; });
  refused([](GcoldParams& p) {
    p.tree_depth = 1;
    p.promote_depth = 0;
    p.live_size = std::uint64_t{1} << 30;  // more trees than slots
  });
}

}  // namespace
}  // namespace gclab
