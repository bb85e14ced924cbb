#include "workloads/binary_trees.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"
#include "testing/test_heap.h"
#include "workloads/registry.h"

namespace gclab {
namespace {

std::unique_ptr<Heap> make_heap() { return testing::make_unreclaimed_heap(); }
using testing::make_stressed_heap;

WorkloadReport run_binary_trees(Heap& heap, int max_depth) {
  BinaryTreesWorkload workload(max_depth, 4);
  Mutator mutator(heap);
  return workload.run(mutator, 1);
}

TEST(BinaryTreesTest, OutputMatchesTheRulesForDepth10) {
  auto heap = make_heap();
  WorkloadReport report = run_binary_trees(*heap, 10);
  // The Benchmarks Game's published output for n = 10.
  std::vector<std::string> expected = {
      "stretch tree of depth 11\t check: 4095",
      "1024\t trees of depth 4\t check: 31744",
      "256\t trees of depth 6\t check: 32512",
      "64\t trees of depth 8\t check: 32704",
      "16\t trees of depth 10\t check: 32752",
      "long lived tree of depth 10\t check: 2047",
  };
  EXPECT_EQ(report.output, expected);
}

TEST(BinaryTreesTest, ChecksPassedCountsEveryPrintedCheck) {
  auto heap = make_heap();
  WorkloadReport report = run_binary_trees(*heap, 10);
  EXPECT_EQ(report.checks_passed, 6u)
      << "stretch, four depths and the long-lived tree";
}

TEST(BinaryTreesTest, TagsEveryNodeWithTheNodeSite) {
  auto heap = make_heap();
  run_binary_trees(*heap, 10);
  std::vector<std::string> names = heap->site_names();
  std::int64_t nodes = 0;
  heap->allocator().for_each_object([&](Object* object) {
    EXPECT_EQ(names.at(object->site()), "binary-trees.node");
    ++nodes;
  });
  EXPECT_EQ(nodes, 4095 + 31744 + 32512 + 32704 + 32752 + 2047);
}

TEST(BinaryTreesTest, SurvivesStressedCollectionsWithVerification) {
  auto heap = make_stressed_heap();
  WorkloadReport report = run_binary_trees(*heap, 8);
  EXPECT_EQ(report.checks_passed, 5u);
  EXPECT_GT(heap->events().cycles().size(), 10u)
      << "--stress 300 should have collected many times";
}

class BinaryTreesCheckTest : public ::testing::Test {
 protected:
  std::unique_ptr<Heap> heap_ = make_heap();
  Mutator mutator_{*heap_};
  std::uint16_t site_ = heap_->register_site("binary-trees.node");
};

TEST_F(BinaryTreesCheckTest, ItemCheckCountsTheNodesOfAnIntactTree) {
  Root tree(mutator_, bottom_up_tree(mutator_, site_, 5));
  EXPECT_EQ(item_check(mutator_, tree.get(), 5), 63);
}

TEST_F(BinaryTreesCheckTest, DetectsALostSubtree) {
  Root tree(mutator_, bottom_up_tree(mutator_, site_, 3));
  mutator_.write(tree.get(), 1, nullptr);
  std::int64_t check = item_check(mutator_, tree.get(), 3);
  EXPECT_EQ(check, 8) << "the root and its left subtree of 7 nodes remain";
  try {
    verify_check(check, 3, 1, "long lived tree");
    FAIL() << "a check of 8 for a tree of depth 3 passed";
  } catch (const WorkloadCheckFailed& error) {
    EXPECT_STREQ(error.what(),
                 "binary-trees: long lived tree check is 8, expected 15 (1 "
                 "trees of 15 nodes)");
  }
}

TEST_F(BinaryTreesCheckTest, DetectsACycleWithoutRunningAway) {
  Root tree(mutator_, bottom_up_tree(mutator_, site_, 3));
  Object* left = mutator_.read(tree.get(), 0);
  mutator_.write(left, 0, tree.get());
  EXPECT_THROW(item_check(mutator_, tree.get(), 3), WorkloadCheckFailed);
}

TEST(BinaryTreesParamsTest, RegistryDefaultsAreTheRulesParameters) {
  const WorkloadEntry& entry = find_workload("binary-trees");
  ParamValues values(entry.params, {});
  EXPECT_EQ(values.get_int("max-depth"), 21);
  EXPECT_EQ(values.get_int("min-depth"), 4);
}

TEST(BinaryTreesParamsTest, RejectsMaxDepthBelowMinDepthPlusTwo) {
  const WorkloadEntry& entry = find_workload("binary-trees");
  ParamValues values(entry.params, {{"max-depth", "5"}});
  try {
    entry.make(values);
    FAIL() << "max-depth 5 with min-depth 4 was accepted";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(),
                 "binary-trees: max-depth is 5, expected 6..40 (at least "
                 "min-depth + 2)");
  }
}

}  // namespace
}  // namespace gclab
