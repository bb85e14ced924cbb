#include "workloads/gcbench.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"
#include "testing/test_heap.h"
#include "workloads/registry.h"

namespace gclab {
namespace {

std::unique_ptr<Heap> make_heap() { return testing::make_unreclaimed_heap(); }
using testing::make_stressed_heap;

// Small enough to run in milliseconds, large enough for three depths.
GcbenchParams small_params() {
  return {.stretch_depth = 6,
          .long_lived_depth = 5,
          .array_size = 2000,
          .min_depth = 2,
          .max_depth = 6,
          .holes = 0,
          .check_temp_trees = true};
}

WorkloadReport run_gcbench(Heap& heap, GcbenchParams params,
                           std::uint64_t seed) {
  GcbenchWorkload workload(params);
  Mutator mutator(heap);
  return workload.run(mutator, seed);
}

// Objects per allocation-site name; only valid once every mutator is gone.
std::map<std::string, std::int64_t> count_by_site(Heap& heap) {
  std::vector<std::string> names = heap.site_names();
  std::map<std::string, std::int64_t> counts;
  heap.allocator().for_each_object(
      [&](Object* object) { ++counts[names.at(object->site())]; });
  return counts;
}

// Payload sizes of the hole objects, in address (here: allocation) order.
std::vector<std::size_t> hole_payloads(Heap& heap) {
  std::vector<std::string> names = heap.site_names();
  std::vector<std::size_t> sizes;
  heap.allocator().for_each_object([&](Object* object) {
    if (names.at(object->site()) == "gcbench.hole") {
      sizes.push_back(object->payload_bytes());
    }
  });
  return sizes;
}

TEST(GcbenchTest, TreeSizeAndIterationsFollowTheOriginalFormulas) {
  EXPECT_EQ(gcbench_tree_size(0), 1);
  EXPECT_EQ(gcbench_tree_size(16), 131071);
  // The classic run: stretch depth 18 gives 33824 trees of depth 4 and 8 of
  // depth 16.
  EXPECT_EQ(gcbench_num_iters(18, 4), 33824);
  EXPECT_EQ(gcbench_num_iters(18, 16), 8);
}

TEST(GcbenchTest, OutputFollowsTheOriginalPhases) {
  auto heap = make_heap();
  WorkloadReport report = run_gcbench(*heap, small_params(), 1);
  // NumIters with stretch depth 6: 254/7 = 36, 254/31 = 8, 254/127 = 2.
  std::vector<std::string> expected = {
      "Garbage Collector Test",
      "Stretching memory with a binary tree of depth 6",
      "Creating long-lived binary tree of depth 5",
      "Creating long-lived array of 2000 doubles",
      "Top down construction of 36 trees of depth 2",
      "Bottom up construction of 36 trees of depth 2",
      "Top down construction of 8 trees of depth 4",
      "Bottom up construction of 8 trees of depth 4",
      "Top down construction of 2 trees of depth 6",
      "Bottom up construction of 2 trees of depth 6",
  };
  EXPECT_EQ(report.output, expected);
}

TEST(GcbenchTest, ChecksPassedCountsEveryTreeAndTheArray) {
  auto heap = make_heap();
  WorkloadReport report = run_gcbench(*heap, small_params(), 1);
  // Stretch tree, 2 * (36 + 8 + 2) temporary trees, long-lived tree, array.
  EXPECT_EQ(report.checks_passed, 1u + 2 * (36 + 8 + 2) + 1 + 1);
}

TEST(GcbenchTest, ClassicRunChecksOnlyTheLongLivedData) {
  auto heap = make_heap();
  GcbenchParams params = small_params();
  params.check_temp_trees = false;
  WorkloadReport report = run_gcbench(*heap, params, 1);
  EXPECT_EQ(report.checks_passed, 2u) << "the long-lived tree and the array";
}

TEST(GcbenchTest, TagsObjectsWithTheirSites) {
  auto heap = make_heap();
  run_gcbench(*heap, small_params(), 1);
  std::map<std::string, std::int64_t> counts = count_by_site(*heap);
  // Stretch (127) + long-lived (63) + both ways 36*7 + 8*31 + 2*127 nodes.
  std::int64_t nodes = 127 + 63 + 2 * (36 * 7 + 8 * 31 + 2 * 127);
  EXPECT_EQ(counts["gcbench.tree-node"], nodes);
  EXPECT_EQ(counts["gcbench.array"], 1);
  EXPECT_EQ(counts["gcbench.hole"], 0) << "no holes unless asked for";
}

TEST(GcbenchTest, AllocatesOneHoleBeforeEveryTreeNode) {
  auto heap = make_heap();
  GcbenchParams params = small_params();
  params.holes = 512;
  run_gcbench(*heap, params, 1);
  std::map<std::string, std::int64_t> counts = count_by_site(*heap);
  EXPECT_EQ(counts["gcbench.hole"], counts["gcbench.tree-node"]);
}

TEST(GcbenchTest, HoleSizesAreDeterministicForASeed) {
  HoleSizes first(4096, 7);
  HoleSizes again(4096, 7);
  HoleSizes other(4096, 8);
  std::vector<std::uint32_t> first_sizes, again_sizes, other_sizes;
  for (int i = 0; i < 100; ++i) {
    first_sizes.push_back(first.next());
    again_sizes.push_back(again.next());
    other_sizes.push_back(other.next());
  }
  EXPECT_EQ(first_sizes, again_sizes) << "the same seed must give the same "
                                         "hole sizes";
  EXPECT_NE(first_sizes, other_sizes) << "another seed must give others";
}

TEST(GcbenchTest, HoleSizesFollowABoundedPowerLaw) {
  HoleSizes sizes(4096, 11);
  int below_32 = 0;
  int above_512 = 0;
  constexpr int kSamples = 10000;
  for (int i = 0; i < kSamples; ++i) {
    std::uint32_t size = sizes.next();
    ASSERT_GE(size, 8u);
    ASSERT_LE(size, 4096u);
    if (size < 32) ++below_32;
    if (size > 512) ++above_512;
  }
  // Shape 1 on [8, 4096]: P(x < 32) is about 0.75 and P(x > 512) about 0.014.
  EXPECT_GT(below_32, kSamples * 7 / 10) << "most holes should be small";
  EXPECT_GT(above_512, kSamples / 200) << "a heavy tail should remain";
  EXPECT_LT(above_512, kSamples / 40);
}

TEST(GcbenchTest, HolesInTheHeapHaveTheSeededSizes) {
  GcbenchParams params = small_params();
  params.holes = 256;
  auto heap = make_heap();
  run_gcbench(*heap, params, 3);
  std::vector<std::size_t> in_heap = hole_payloads(*heap);

  HoleSizes seeded(256, 3);
  std::vector<std::size_t> expected;
  for (std::size_t i = 0; i < in_heap.size(); ++i) {
    expected.push_back(align_up(seeded.next(), kGranuleBytes));
  }
  EXPECT_EQ(in_heap, expected);

  auto other_heap = make_heap();
  run_gcbench(*other_heap, params, 4);
  EXPECT_NE(hole_payloads(*other_heap), in_heap)
      << "seed 4 should lay out different holes than seed 3";
}

TEST(GcbenchTest, SurvivesStressedCollectionsWithVerification) {
  auto heap = make_stressed_heap();
  GcbenchParams params = small_params();
  params.holes = 128;
  WorkloadReport report = run_gcbench(*heap, params, 5);
  EXPECT_EQ(report.checks_passed, 1u + 2 * (36 + 8 + 2) + 1 + 1);
  EXPECT_GT(heap->events().cycles().size(), 10u)
      << "--stress 300 should have collected many times";
}

TEST(GcbenchTest, MutatorsOnOneWorkloadRunIndependently) {
  auto heap = make_heap();
  GcbenchWorkload workload(small_params());
  std::vector<WorkloadReport> reports(2);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < reports.size(); ++t) {
    threads.emplace_back([&, t] {
      Mutator mutator(*heap);
      reports[t] = workload.run(mutator, t);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(reports[0].checks_passed, reports[1].checks_passed);
  EXPECT_EQ(reports[0].output, reports[1].output);
}

class GcbenchCheckTest : public ::testing::Test {
 protected:
  std::unique_ptr<Heap> heap_ = make_heap();
  Mutator mutator_{*heap_};
  GcbenchTrees trees_{mutator_, 0, 1};
};

TEST_F(GcbenchCheckTest, AcceptsIntactTreesBuiltEitherWay) {
  Root top_down(mutator_, trees_.make_populated_tree(4));
  Root bottom_up(mutator_, trees_.make_tree(4));
  EXPECT_NO_THROW(trees_.check_tree(top_down.get(), 4, "top-down tree"));
  EXPECT_NO_THROW(trees_.check_tree(bottom_up.get(), 4, "bottom-up tree"));
}

TEST_F(GcbenchCheckTest, DetectsALostSubtree) {
  Root tree(mutator_, trees_.make_populated_tree(4));
  Object* left = mutator_.read(tree.get(), GcbenchTrees::kLeft);
  mutator_.write(left, GcbenchTrees::kRight, nullptr);
  try {
    trees_.check_tree(tree.get(), 4, "long-lived tree");
    FAIL() << "a tree missing a subtree of 7 nodes passed the check";
  } catch (const WorkloadCheckFailed& error) {
    EXPECT_STREQ(error.what(),
                 "gcbench: long-lived tree of depth 4 has 24 nodes, expected "
                 "31");
  }
}

TEST_F(GcbenchCheckTest, DetectsSwappedSubtrees) {
  Root tree(mutator_, trees_.make_tree(3));
  Object* left = mutator_.read(tree.get(), GcbenchTrees::kLeft);
  Object* right = mutator_.read(tree.get(), GcbenchTrees::kRight);
  mutator_.write(tree.get(), GcbenchTrees::kLeft, right);
  mutator_.write(tree.get(), GcbenchTrees::kRight, left);
  EXPECT_THROW(trees_.check_tree(tree.get(), 3, "tree"), WorkloadCheckFailed)
      << "the checksum is order-sensitive, so swapped subtrees must fail";
}

TEST_F(GcbenchCheckTest, DetectsAnOverwrittenNodePayload) {
  Root tree(mutator_, trees_.make_populated_tree(3));
  Object* leaf = tree.get();
  while (mutator_.read(leaf, GcbenchTrees::kLeft) != nullptr) {
    leaf = mutator_.read(leaf, GcbenchTrees::kLeft);
  }
  leaf->payload_as<GcbenchTrees::NodePayload>()->j = 12345;
  try {
    trees_.check_tree(tree.get(), 3, "tree");
    FAIL() << "a changed leaf payload passed the check";
  } catch (const WorkloadCheckFailed& error) {
    EXPECT_NE(std::string(error.what()).find("has checksum"), std::string::npos)
        << error.what();
  }
}

TEST_F(GcbenchCheckTest, DetectsACycleWithoutRunningAway) {
  Root tree(mutator_, trees_.make_tree(3));
  Object* left = mutator_.read(tree.get(), GcbenchTrees::kLeft);
  mutator_.write(left, GcbenchTrees::kLeft, tree.get());
  EXPECT_THROW(trees_.check_tree(tree.get(), 3, "tree"), WorkloadCheckFailed);
}

TEST_F(GcbenchCheckTest, DetectsASlotPointingAtANonNode) {
  Root tree(mutator_, trees_.make_tree(2));
  Object* array = trees_.make_array(10);
  mutator_.write(tree.get(), GcbenchTrees::kRight, array);
  EXPECT_THROW(trees_.check_tree(tree.get(), 2, "tree"), WorkloadCheckFailed);
}

TEST_F(GcbenchCheckTest, DetectsACorruptedArrayElement) {
  Root array(mutator_, trees_.make_array(2000));
  EXPECT_NO_THROW(trees_.check_array(array.get(), 2000));
  array.get()->payload_as<double>()[1500] = 0.5;
  try {
    trees_.check_array(array.get(), 2000);
    FAIL() << "a changed array element passed the check";
  } catch (const WorkloadCheckFailed& error) {
    EXPECT_NE(std::string(error.what()).find("a[1500]"), std::string::npos)
        << error.what();
  }
}

TEST_F(GcbenchCheckTest, DetectsTheOriginalSpotCheckFailing) {
  Root array(mutator_, trees_.make_array(2000));
  array.get()->payload_as<double>()[1000] = 0.0;
  try {
    trees_.check_array(array.get(), 2000);
    FAIL() << "a[1000] != 1.0/1000 passed the check";
  } catch (const WorkloadCheckFailed& error) {
    EXPECT_STREQ(error.what(),
                 "gcbench: long-lived array a[1000] is 0.000000, expected "
                 "1.0/1000");
  }
}

TEST(GcbenchParamsTest, RegistryDefaultsAreTheClassicParameters) {
  const WorkloadEntry& entry = find_workload("gcbench");
  ParamValues values(entry.params, {});
  EXPECT_EQ(values.get_int("stretch-depth"), 18);
  EXPECT_EQ(values.get_int("long-lived-depth"), 16);
  EXPECT_EQ(values.get_int("array-size"), 500000);
  EXPECT_EQ(values.get_int("min-depth"), 4);
  EXPECT_EQ(values.get_int("max-depth"), 16);
  EXPECT_EQ(values.get_int("holes"), 0);
  EXPECT_FALSE(values.get_flag("check-temp-trees"));
}

TEST(GcbenchParamsTest, RejectsMinDepthAboveMaxDepth) {
  const WorkloadEntry& entry = find_workload("gcbench");
  ParamValues values(entry.params, {{"min-depth", "8"}, {"max-depth", "6"}});
  try {
    entry.make(values);
    FAIL() << "min-depth 8 > max-depth 6 was accepted";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(), "gcbench: max-depth is 6, expected 8..30");
  }
}

TEST(GcbenchParamsTest, RejectsHolesSmallerThanAnObject) {
  const WorkloadEntry& entry = find_workload("gcbench");
  ParamValues values(entry.params, {{"holes", "4"}});
  EXPECT_THROW(entry.make(values), ConfigError);
}

}  // namespace
}  // namespace gclab
