#include "workloads/graph_churn.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "heap/collection_cycle.h"
#include "heap/errors.h"
#include "heap/heap.h"
#include "testing/test_heap.h"
#include "workloads/registry.h"

namespace gclab {
namespace {

// Small enough for the sanitizer builds, large enough that every pattern
// runs hundreds of times across many collections.
GraphChurnParams tiny_params() {
  return {.nodes = 32,
          .edges = 3,
          .operations = 3000,
          .garbage = 3,
          .hold = 16,
          .payload = 24};
}

std::unique_ptr<Heap> verified_stressed_heap(std::uint64_t stress_interval) {
  return testing::make_heap("mark-sweep", "free-list",
                            {.heap_bytes = 2 << 20,
                             .verify = true,
                             .stress_interval = stress_interval});
}

WorkloadReport run_one(Heap& heap, GraphChurnWorkload& workload,
                       std::uint64_t seed) {
  Mutator mutator(heap);
  return workload.run(mutator, seed);
}

// Runs `count` mutators on one workload, as `gclab run --mutators` does, and
// rethrows the first error any of them hit.
std::vector<WorkloadReport> run_concurrently(Heap& heap,
                                             GraphChurnWorkload& workload,
                                             int count, std::uint64_t seed) {
  std::vector<WorkloadReport> reports(count);
  std::vector<std::exception_ptr> errors(count);
  {
    std::vector<std::jthread> threads;
    for (int index = 0; index < count; ++index) {
      threads.emplace_back([&, index] {
        try {
          Mutator mutator(heap);
          reports[index] = workload.run(mutator, seed + index);
        } catch (const RunAborted&) {
          // Another mutator failed first; its error is the one to report.
        } catch (...) {
          errors[index] = std::current_exception();
          heap.abort_run();
        }
      });
    }
  }
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return reports;
}

// The count of the report's "final walk: N reachable nodes" line.
std::uint64_t reachable_nodes(const WorkloadReport& report) {
  constexpr std::string_view kPrefix = "final walk: ";
  for (const std::string& line : report.output) {
    if (line.starts_with(kPrefix)) {
      return std::stoull(line.substr(kPrefix.size()));
    }
  }
  ADD_FAILURE() << "the report has no final walk line";
  return 0;
}

TEST(GraphChurnTest, OneMutatorRunsCleanUnderVerifyAndStress) {
  auto heap = verified_stressed_heap(100);
  GraphChurnWorkload workload(tiny_params());
  WorkloadReport report = run_one(*heap, workload, 1);
  EXPECT_GT(report.checks_passed, 3000u)
      << "every operation checks at least one node";
  EXPECT_GT(heap->events().cycles().size(), 50u)
      << "--stress 100 should have collected many times";
  EXPECT_EQ(heap->verifier().stats().heaps_verified,
            heap->events().cycles().size())
      << "every collection should have been verified";
}

TEST(GraphChurnTest, TwoMutatorsShareOneGraphUnderVerifyAndStress) {
  // The builder's 97 allocations span stressed collections, which the other
  // mutator must not stall while it waits for the graph (it waits parked).
  auto heap = verified_stressed_heap(40);
  GraphChurnWorkload workload(tiny_params());
  std::vector<WorkloadReport> reports = run_concurrently(*heap, workload, 2, 1);
  for (const WorkloadReport& report : reports) {
    EXPECT_GT(report.checks_passed, 3000u);
    EXPECT_GT(reachable_nodes(report), 0u);
  }
  EXPECT_GT(heap->events().cycles().size(), 100u);
}

TEST(GraphChurnTest, FreshGraphWalkChecksEveryNodeOnce) {
  auto heap = verified_stressed_heap(50);
  GraphChurnParams params = tiny_params();
  params.operations = 0;
  GraphChurnWorkload workload(params);
  WorkloadReport report = run_one(*heap, workload, 1);
  // Every slot holds a fresh subgraph: a head and two children.
  EXPECT_EQ(report.checks_passed, 32u * 3);
  EXPECT_EQ(report.output.at(2),
            "final walk: 96 reachable nodes, every one "
            "intact");
}

TEST(GraphChurnTest, OutputNamesTheParametersAndTheOperationMix) {
  auto heap = testing::make_unreclaimed_heap();
  GraphChurnWorkload workload(tiny_params());
  WorkloadReport report = run_one(*heap, workload, 3);
  ASSERT_EQ(report.output.size(), 4u);
  EXPECT_EQ(report.output[0],
            "graph-churn: 32 table slots, 3 edges per node, 3000 operations");
  unsigned long lost = 0, roots = 0, fresh = 0, rewire = 0;
  ASSERT_EQ(std::sscanf(report.output[1].c_str(),
                        "operations: %lu lost-object, %lu roots-only, %lu "
                        "fresh, %lu rewire",
                        &lost, &roots, &fresh, &rewire),
            4)
      << report.output[1];
  EXPECT_EQ(lost + roots + fresh + rewire, 3000u);
  for (unsigned long count : {lost, roots, fresh, rewire}) {
    EXPECT_GT(count, 200u) << "every pattern should run often: "
                           << report.output[1];
  }
  EXPECT_EQ(report.output[3],
            "nodes checked: " + std::to_string(report.checks_passed));
}

TEST(GraphChurnTest, SameSeedGivesTheSameReport) {
  auto first_heap = verified_stressed_heap(100);
  auto second_heap = verified_stressed_heap(70);
  GraphChurnWorkload first(tiny_params());
  GraphChurnWorkload second(tiny_params());
  WorkloadReport a = run_one(*first_heap, first, 7);
  WorkloadReport b = run_one(*second_heap, second, 7);
  EXPECT_EQ(a.output, b.output)
      << "one mutator must be deterministic, whenever collections happen";
  EXPECT_EQ(a.checks_passed, b.checks_passed);
}

TEST(GraphChurnTest, AnotherSeedGivesAnotherReport) {
  auto heap = testing::make_unreclaimed_heap();
  GraphChurnWorkload workload(tiny_params());
  WorkloadReport a = run_one(*heap, workload, 7);
  WorkloadReport b = run_one(*heap, workload, 8);
  EXPECT_NE(a.output, b.output) << "seed 8 should run another operation mix";
}

TEST(GraphChurnTest, AWorkloadRunsAgainOnAFreshGraph) {
  auto heap = verified_stressed_heap(100);
  GraphChurnWorkload workload(tiny_params());
  WorkloadReport first = run_one(*heap, workload, 5);
  WorkloadReport again = run_one(*heap, workload, 5);
  EXPECT_EQ(first.output, again.output)
      << "the second run should build its own graph, as the first did";
}

TEST(GraphChurnTest, TheLastMutatorToLeaveDropsTheGraph) {
  auto heap = testing::make_heap("mark-sweep", "free-list",
                                 {.heap_bytes = 2 << 20, .verify = true});
  GraphChurnWorkload workload(tiny_params());
  run_concurrently(*heap, workload, 2, 1);
  Mutator mutator(*heap);
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(heap->events().cycles().back().marked_objects, 0u)
      << "nothing should stay reachable once every mutator has left";
}

TEST(GraphChurnTest, ReachableGraphStaysWithinItsBound) {
  GraphChurnParams params{.nodes = 32,
                          .edges = 2,
                          .operations = 20000,
                          .garbage = 2,
                          .hold = 16,
                          .payload = 16};
  auto heap =
      testing::make_heap("mark-sweep", "free-list",
                         {.heap_bytes = 1 << 20, .stress_interval = 500});
  GraphChurnWorkload workload(params);
  WorkloadReport report = run_one(*heap, workload, 2);

  // 25% of operations add a fresh subgraph of three nodes: 15000 nodes in
  // all, were replaced nodes kept reachable.
  const std::size_t bound_nodes = graph_churn_reachable_bound(params);
  const std::size_t node_bytes =
      ObjectShape{.num_refs = 2, .payload_bytes = 16}.size_bytes();
  const std::size_t bound_bytes =
      bound_nodes * node_bytes + ObjectShape{.num_refs = 32}.size_bytes();
  const auto& cycles = heap->events().cycles();
  ASSERT_GT(cycles.size(), 50u);
  for (const CycleRecord& cycle : cycles) {
    EXPECT_LE(cycle.marked_bytes, bound_bytes)
        << "collection " << cycle.index << " found more reachable than the "
        << bound_nodes << " nodes the retire rule allows";
  }
  EXPECT_LE(reachable_nodes(report), bound_nodes);
}

// Marks like mark-sweep but never follows an object's last slot, then sweeps
// with poisoning: whatever only a last slot reaches (the table's last node,
// every node's last edge target) is freed while reachable.
class SkipsLastSlotCollector final : public Collector {
 public:
  explicit SkipsLastSlotCollector(Heap& heap) : heap_(heap) {}

  CollectorCapabilities capabilities() const override {
    return {.needs_sweepable_allocator = true};
  }

  void collect(Mutator* requester, GcCause cause) override {
    Heap::WorldStop world(heap_, requester, PauseKind::kFull);
    if (!world.stopped()) return;
    CollectionCycle cycle(heap_, cause);
    std::uint8_t epoch = heap_.flip_mark_epoch();
    std::vector<Object*> stack;
    auto mark = [&](Object* object) {
      if (object != nullptr && object->try_mark(epoch)) stack.push_back(object);
    };
    heap_.for_each_root([&](Object** slot) { mark(*slot); });
    while (!stack.empty()) {
      Object* object = stack.back();
      stack.pop_back();
      for (std::size_t slot = 0; slot + 1 < object->num_refs(); ++slot) {
        mark(object->load_slot(slot));
      }
    }
    heap_.allocator().sweep(epoch, /*poison=*/true);
  }

 private:
  Heap& heap_;
};

TEST(GraphChurnTest, CollectorThatFreesReachableNodesIsCaughtByTheChecks) {
  // No --verify, so that the workload's own checks are what catch it.
  auto heap = testing::make_heap_with(
      [](Heap& h) { return std::make_unique<SkipsLastSlotCollector>(h); },
      "free-list", {.heap_bytes = 1 << 20, .stress_interval = 200});
  GraphChurnWorkload workload(tiny_params());
  try {
    run_one(*heap, workload, 1);
    FAIL() << "a collector that frees reachable nodes went unnoticed";
  } catch (const WorkloadCheckFailed& error) {
    EXPECT_TRUE(std::string_view(error.what()).starts_with("graph-churn: "))
        << error.what();
  }
}

class ChurnNodeFormatTest : public ::testing::Test {
 protected:
  Object* stamped_node(std::uint64_t id) {
    Object* node = mutator_.allocate(format_.shape());
    format_.stamp(node, id);
    return node;
  }

  std::string defect_of(Object* object) {
    return format_.defect(object).value_or("no defect");
  }

  std::unique_ptr<Heap> heap_ = testing::make_unreclaimed_heap();
  Mutator mutator_{*heap_};
  ChurnNodeFormat format_{/*site=*/1, /*edges=*/3, /*payload_bytes=*/32,
                          /*salt=*/99};
};

TEST_F(ChurnNodeFormatTest, AcceptsAStampedNode) {
  Object* node = stamped_node(42);
  EXPECT_EQ(format_.defect(node), std::nullopt);
  EXPECT_EQ(format_.id(node), 42u);
}

TEST_F(ChurnNodeFormatTest, RejectsPoisonedMemory) {
  Object* node = stamped_node(42);
  std::memset(node->address(), 0xDB, node->size_bytes());
  EXPECT_EQ(defect_of(node),
            "block kind 219 is not an object (freed or poisoned memory)");
}

TEST_F(ChurnNodeFormatTest, RejectsAnObjectFromAnotherSite) {
  ObjectShape other = format_.shape();
  other.site = 2;
  Object* garbage = mutator_.allocate(other);
  EXPECT_EQ(defect_of(garbage),
            "site 2, expected node site 1 (memory reused by another object)");
}

TEST_F(ChurnNodeFormatTest, RejectsAnObjectOfAnotherShape) {
  ObjectShape wider = format_.shape();
  wider.num_refs = 4;
  EXPECT_EQ(defect_of(mutator_.allocate(wider)),
            "4 reference slots, expected 3");
}

TEST_F(ChurnNodeFormatTest, RejectsAnUnstampedNode) {
  EXPECT_EQ(defect_of(mutator_.allocate(format_.shape())),
            "id 0, which no node has");
}

TEST_F(ChurnNodeFormatTest, RejectsACheckWordOfAnotherId) {
  Object* node = stamped_node(42);
  node->payload_as<std::uint64_t>()[0] = 43;
  EXPECT_NE(defect_of(node).find("payload word 1"), std::string::npos)
      << defect_of(node);
}

TEST_F(ChurnNodeFormatTest, RejectsAnOverwrittenPayloadEnd) {
  Object* node = stamped_node(42);
  node->payload_as<std::uint64_t>()[3] = 0;
  EXPECT_NE(defect_of(node).find("payload word 3 is 0"), std::string::npos)
      << defect_of(node);
}

TEST_F(ChurnNodeFormatTest, RejectsANodeOfAnotherGraph) {
  ChurnNodeFormat other_graph(1, 3, 32, /*salt=*/100);
  Object* node = mutator_.allocate(other_graph.shape());
  other_graph.stamp(node, 42);
  EXPECT_NE(format_.defect(node), std::nullopt)
      << "another salt should give another check word";
}

TEST(GraphChurnParamsTest, RegistryDefaultsMatchTheParamsStruct) {
  const WorkloadEntry& entry = find_workload("graph-churn");
  GraphChurnParams params = graph_churn_params(ParamValues(entry.params, {}));
  GraphChurnParams defaults;
  EXPECT_EQ(params.nodes, defaults.nodes);
  EXPECT_EQ(params.edges, defaults.edges);
  EXPECT_EQ(params.operations, defaults.operations);
  EXPECT_EQ(params.garbage, defaults.garbage);
  EXPECT_EQ(params.hold, defaults.hold);
  EXPECT_EQ(params.payload, defaults.payload);
}

TEST(GraphChurnParamsTest, RejectsATableWithoutSlots) {
  const WorkloadEntry& entry = find_workload("graph-churn");
  try {
    entry.make(ParamValues(entry.params, {{"nodes", "0"}}));
    FAIL() << "nodes=0 was accepted";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(), "graph-churn: nodes is 0, expected 1..65535");
  }
}

TEST(GraphChurnParamsTest, RejectsNodesWithoutEdges) {
  const WorkloadEntry& entry = find_workload("graph-churn");
  EXPECT_THROW(entry.make(ParamValues(entry.params, {{"edges", "0"}})),
               ConfigError);
}

TEST(GraphChurnParamsTest, RejectsAPayloadTooSmallForTheCheckWords) {
  const WorkloadEntry& entry = find_workload("graph-churn");
  EXPECT_THROW(entry.make(ParamValues(entry.params, {{"payload", "8"}})),
               ConfigError);
}

TEST(GraphChurnParamsTest, RejectsAPayloadThatIsNotWholeWords) {
  const WorkloadEntry& entry = find_workload("graph-churn");
  try {
    entry.make(ParamValues(entry.params, {{"payload", "20"}}));
    FAIL() << "payload=20 was accepted";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(),
                 "graph-churn: payload is 20, expected a multiple of 8");
  }
}

}  // namespace
}  // namespace gclab
