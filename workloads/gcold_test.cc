#include "workloads/gcold.h"

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

using testing::make_stressed_heap;
using testing::make_unreclaimed_heap;

// Ten trees of height 6 (63 nodes, 3024 bytes each). Each step promotes
// 64 KiB / 4 = 16384 bytes: five whole trees (15120 bytes), then one tree
// of height 4 (15 nodes, 720 bytes) grafted into the next tree, leaving 544
// bytes, under the original's 999, unspent.
GcoldParams small_params() {
  return {.live_size = 32 << 10,
          .work = 1,
          .ratio = 4,
          .mutations = 50,
          .steps = 6,
          .tree_height = 6,
          .step_size = 64 << 10,
          .check_interval = 2};
}
constexpr std::int64_t kSmallTrees = 10;
constexpr std::int64_t kNodesPromotedPerStep = 5 * 63 + 15;
constexpr std::int64_t kReplacementsPerStep = 5 + 1;
// The graft counts one mutation; 49 more make 24 swaps of two.
constexpr std::int64_t kMutationsPerStep = 1 + 2 * 24;
// 16 + 400 bytes each, until a step's 64 KiB are reached.
constexpr std::int64_t kYoungPerStep = (65536 + 415) / 416;

struct RunResult {
  WorkloadReport report;
  MutatorCounters counters;
};

RunResult run_gcold(Heap& heap, const GcoldParams& params, std::uint64_t seed) {
  GcoldWorkload workload(params);
  Mutator mutator(heap);
  RunResult result;
  result.report = workload.run(mutator, seed);
  result.counters = mutator.counters();
  return result;
}

// Objects per allocation-site name; only valid once every mutator is gone.
std::map<std::string, std::int64_t> count_by_site(Heap& heap) {
  std::vector<std::string> names = heap.site_names();
  std::map<std::string, std::int64_t> counts;
  heap.allocator().for_each_object(
      [&](Object* object) { ++counts[names.at(object->site())]; });
  return counts;
}

TEST(GcoldTest, TreeSizesFollowTheOriginalFormulas) {
  EXPECT_EQ(gcold_tree_nodes(0), 0);
  EXPECT_EQ(gcold_tree_nodes(1), 1);
  EXPECT_EQ(gcold_tree_nodes(14), 16383);
  EXPECT_EQ(gcold_tree_bytes(14), 16383u * 48) << "48-byte nodes";
  EXPECT_EQ(gcold_bytes_to_height(gcold_tree_bytes(11)), 11);
  EXPECT_EQ(gcold_bytes_to_height(gcold_tree_bytes(11) - 1), 10);
  EXPECT_EQ(gcold_bytes_to_height(999), 4) << "the smallest graft";
  EXPECT_EQ(gcold_tree_count(GcoldParams{}), 42)
      << "32 MiB of trees of height 14, rounded down";
}

TEST(GcoldTest, OldGenerationIsLiveSizeInWholeTrees) {
  auto heap = make_unreclaimed_heap();
  GcoldParams params = small_params();
  params.steps = 0;
  run_gcold(*heap, params, 1);
  std::map<std::string, std::int64_t> counts = count_by_site(*heap);
  EXPECT_EQ(counts["gcold.tree-table"], 1);
  EXPECT_EQ(counts["gcold.tree-node"], kSmallTrees * 63);
  std::uint64_t bytes = kSmallTrees * gcold_tree_bytes(6);
  EXPECT_LE(bytes, params.live_size);
  EXPECT_GT(bytes, params.live_size - gcold_tree_bytes(6))
      << "as many whole trees as fit";
}

TEST(GcoldTest, EachStepPromotesStepSizeOverRatio) {
  auto heap = make_unreclaimed_heap();
  RunResult result = run_gcold(*heap, small_params(), 1);
  std::map<std::string, std::int64_t> counts = count_by_site(*heap);
  EXPECT_EQ(counts["gcold.tree-node"],
            kSmallTrees * 63 + 6 * kNodesPromotedPerStep);
  EXPECT_EQ(counts["gcold.young"], 6 * kYoungPerStep);
}

TEST(GcoldTest, OutputFollowsTheOriginal) {
  auto heap = make_unreclaimed_heap();
  RunResult result = run_gcold(*heap, small_params(), 1);
  std::vector<std::string> expected = {
      "32768 bytes of live storage",
      "1 work units per step",
      "promotion ratio is 1:4",
      "pointer mutation rate is 50",
      "6 steps",
      "Allocating 10 trees of height 6 (30240 bytes, 630 nodes)",
      "Initialization complete...",
      "Allocated " + std::to_string(6 * kYoungPerStep * 416) +
          " bytes of young garbage",
      "Promoted " + std::to_string(6 * kNodesPromotedPerStep * 48) +
          " bytes (" + std::to_string(6 * kNodesPromotedPerStep) + " nodes)",
      "Mutated " + std::to_string(6 * kMutationsPerStep) + " pointers",
      "Checked 630 nodes in 10 perfect trees of height 6",
  };
  EXPECT_EQ(result.report.output, expected);
}

TEST(GcoldTest, ChecksPassedCountsStepsDroppedTreesAndTheFinalWalk) {
  auto heap = make_unreclaimed_heap();
  RunResult result = run_gcold(*heap, small_params(), 1);
  // Per step one for its paths and young objects and one per dropped tree;
  // a periodic tree every other step; the final count and id sum.
  EXPECT_EQ(result.report.checks_passed,
            6u * (1 + kReplacementsPerStep) + 3 + 2);
}

TEST(GcoldTest, SwapsWriteTwoSlotsEach) {
  auto heap = make_unreclaimed_heap();
  GcoldParams params = small_params();
  params.ratio = 1 << 20;  // promotes nothing: every mutation is a swap
  RunResult result = run_gcold(*heap, params, 1);
  EXPECT_EQ(result.report.output.at(9), "Mutated 300 pointers");
  // The table's and the trees' stores, then 25 swaps of two per step.
  EXPECT_EQ(result.counters.reference_writes,
            kSmallTrees + kSmallTrees * 63 * 2 + 6 * 50);
}

TEST(GcoldTest, SameSeedSameRunOtherSeedOtherChecksum) {
  auto first_heap = make_stressed_heap();
  RunResult first = run_gcold(*first_heap, small_params(), 7);
  auto again_heap = make_stressed_heap();
  RunResult again = run_gcold(*again_heap, small_params(), 7);
  auto other_heap = make_unreclaimed_heap();
  RunResult other = run_gcold(*other_heap, small_params(), 8);

  EXPECT_NE(first.report.checksum, 0u);
  EXPECT_EQ(first.counters.objects_allocated, again.counters.objects_allocated);
  EXPECT_EQ(first.counters.bytes_allocated, again.counters.bytes_allocated);
  EXPECT_EQ(first.report.checksum, again.report.checksum);
  EXPECT_EQ(first.counters.objects_allocated, other.counters.objects_allocated)
      << "the seed picks the swaps, not the allocations";
  EXPECT_NE(first.report.checksum, other.report.checksum)
      << "seed 8 should swap other subtrees than seed 7";
}

TEST(GcoldTest, SurvivesStressedCollectionsWithVerification) {
  auto heap = make_stressed_heap();
  RunResult result = run_gcold(*heap, small_params(), 5);
  EXPECT_GT(result.report.checks_passed, 0u);
  EXPECT_GT(heap->events().cycles().size(), 10u)
      << "collecting every 300 allocations should have collected often";
}

TEST(GcoldTest, MutatorsOnOneWorkloadRunIndependently) {
  auto heap = make_stressed_heap();
  GcoldWorkload workload(small_params());
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
  EXPECT_NE(reports[0].checksum, reports[1].checksum)
      << "each instance has its own seed";
}

void expect_rejected(const std::map<std::string, std::string>& overrides,
                     const std::string& fragment) {
  const WorkloadEntry& entry = find_workload("gcold");
  try {
    entry.make(ParamValues(entry.params, overrides));
    ADD_FAILURE() << "expected a ConfigError mentioning " << fragment;
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos)
        << error.what();
  }
}

TEST(GcoldTest, RejectsParametersOutOfRange) {
  expect_rejected({{"tree-height", "1"}}, "tree-height");
  expect_rejected({{"tree-height", "25"}}, "tree-height");
  expect_rejected({{"ratio", "0"}}, "ratio");
  expect_rejected({{"mutations", "-1"}}, "mutations");
  expect_rejected({{"steps", "-1"}}, "steps");
  expect_rejected({{"work", "-1"}}, "work");
  expect_rejected({{"step-size", "100"}}, "step-size");
  expect_rejected({{"check-interval", "-1"}}, "check-interval");
  expect_rejected({{"live-size", "500K"}}, "live-size");
  expect_rejected({{"live-size", "1G"}, {"tree-height", "2"}}, "live-size");
}

TEST(GcoldTest, DefaultsAreAccepted) {
  const WorkloadEntry& entry = find_workload("gcold");
  EXPECT_NE(entry.make(ParamValues(entry.params, {})), nullptr);
}

// A tree of height 4 on an unreclaimed heap, for the corruption tests.
class GcoldTreeTest : public ::testing::Test {
 protected:
  GcoldTreeTest()
      : heap_(make_unreclaimed_heap()),
        mutator_(*heap_),
        trees_(mutator_, 99),
        tree_(mutator_, trees_.make_tree(4)) {}

  Object* node_at(std::initializer_list<std::size_t> path) {
    Object* node = tree_.get();
    for (std::size_t slot : path) node = node->load_slot(slot);
    return node;
  }
  void expect_check_fails(const std::string& fragment) {
    try {
      trees_.check_tree(tree_, 4, "the test tree");
      ADD_FAILURE() << "expected WorkloadCheckFailed mentioning " << fragment;
    } catch (const WorkloadCheckFailed& error) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos)
          << error.what();
    }
  }

  std::unique_ptr<Heap> heap_;
  Mutator mutator_;
  GcoldTrees trees_;
  Root tree_;
};

TEST_F(GcoldTreeTest, IntactTreeTalliesEveryNode) {
  GcoldTally tally = trees_.check_tree(tree_, 4, "the test tree");
  EXPECT_EQ(tally.nodes, 15);
  std::uint64_t id_sum = 0;
  for (std::uint64_t id = 1; id <= 15; ++id) id_sum += GcoldTrees::id_hash(id);
  EXPECT_EQ(tally.id_sum, id_sum) << "ids 1..15, in allocation order";
  EXPECT_EQ(trees_.nodes_made(), 15);
}

TEST_F(GcoldTreeTest, DetectsABadCheckWord) {
  node_at({GcoldTrees::kLeft, GcoldTrees::kRight})
      ->payload_as<GcoldTrees::Stamp>()
      ->check ^= 1;
  expect_check_fails("bad check word");
}

TEST_F(GcoldTreeTest, DetectsAWrongHeight) {
  // A leaf where a subtree of height 2 belongs: the shape a wrong swap or
  // graft would leave.
  Object* leaf =
      node_at({GcoldTrees::kLeft, GcoldTrees::kLeft, GcoldTrees::kLeft});
  mutator_.write(node_at({GcoldTrees::kRight}), GcoldTrees::kLeft, leaf);
  expect_check_fails("has height 1 where a node of height 2 was");
}

TEST_F(GcoldTreeTest, DetectsALeafWithAChild) {
  Object* leaf =
      node_at({GcoldTrees::kLeft, GcoldTrees::kLeft, GcoldTrees::kLeft});
  mutator_.write(leaf, GcoldTrees::kRight, tree_.get());
  expect_check_fails("has a child");
}

TEST_F(GcoldTreeTest, DetectsALostSubtree) {
  mutator_.write(node_at({GcoldTrees::kRight}), GcoldTrees::kRight, nullptr);
  expect_check_fails("found null");
}

TEST_F(GcoldTreeTest, DetectsACorruptYoungObject) {
  Root young(mutator_, trees_.make_young());
  const std::uint64_t id = trees_.last_id();
  trees_.check_young(young.get(), id);
  young.get()->payload_as<GcoldTrees::Stamp>()->id += 1;
  EXPECT_THROW(trees_.check_young(young.get(), id), WorkloadCheckFailed);
}

}  // namespace
}  // namespace gclab
