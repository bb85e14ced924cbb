#include "collectors/concurrent_mark_sweep.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "heap/errors.h"
#include "heap/fatal.h"
#include "testing/mutator_threads.h"
#include "testing/test_heap.h"
#include "workloads/graph_churn.h"

namespace gclab {
namespace {

using testing::build_tree;
using testing::count_tree;
using testing::make_heap_with;
using testing::tree_nodes;
using Mode = ConcurrentMarkSweepCollector::Mode;

std::unique_ptr<Heap> make_concurrent_heap(
    BarrierKind barrier, Mode mode = Mode::kConcurrent,
    std::size_t heap_bytes = std::size_t{8} << 20,
    std::uint64_t stress_interval = 0) {
  HeapOptions options{.heap_bytes = heap_bytes,
                      .gc_threads = 2,
                      .verify = true,
                      .stress_interval = stress_interval,
                      .barrier = barrier};
  return make_heap_with(
      [mode](Heap& heap) {
        return std::make_unique<ConcurrentMarkSweepCollector>(heap, mode);
      },
      "free-list", options, {}, "gogc:100");
}

// Requests a cycle every this many allocations of a mutator: cycles run back
// to back, so marking overlaps the mutators all through a run.
constexpr std::uint64_t kBackToBack = 500;

// Every barrier, concurrent and in the stop-the-world differential mode.
class ConcurrentMarkSweep
    : public ::testing::TestWithParam<std::tuple<BarrierKind, Mode>> {
 protected:
  std::unique_ptr<Heap> make_heap(std::size_t heap_bytes = 8 << 20) {
    return make_concurrent_heap(std::get<0>(GetParam()),
                                std::get<1>(GetParam()), heap_bytes);
  }
  bool stop_the_world() const {
    return std::get<1>(GetParam()) == Mode::kStopTheWorld;
  }
};

TEST_P(ConcurrentMarkSweep, FreesUnreachableAndKeepsReachable) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  Root kept(mutator, build_tree(mutator, 6, 7));
  build_tree(mutator, 5, 9);  // garbage: never rooted
  heap->collect(&mutator, GcCause::kExplicit);
  heap->collect(&mutator, GcCause::kExplicit);
  heap->collector().finish();

  ASSERT_EQ(heap->events().cycles().size(), 2u);
  const CycleRecord& cycle = heap->events().cycles()[0];
  EXPECT_EQ(cycle.marked_objects, tree_nodes(6));
  EXPECT_EQ(cycle.freed_objects, tree_nodes(5));
  EXPECT_EQ(count_tree(mutator, kept.get(), 7), tree_nodes(6));
}

TEST_P(ConcurrentMarkSweep, GlobalRootsKeepObjectsAlive) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  GlobalRoot global(mutator, build_tree(mutator, 4, 3));
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(heap->events().cycles()[0].marked_objects, tree_nodes(4));
  EXPECT_EQ(count_tree(mutator, global.get(), 3), tree_nodes(4));
}

TEST_P(ConcurrentMarkSweep, PausesAreOfTheModesKinds) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  Root kept(mutator, build_tree(mutator, 8));
  heap->collect(&mutator, GcCause::kExplicit);
  heap->collector().finish();
  std::vector<PauseKind> kinds;
  for (const PauseRecord& pause : heap->events().pauses()) {
    kinds.push_back(pause.kind);
  }
  if (stop_the_world()) {
    EXPECT_EQ(kinds, (std::vector<PauseKind>{PauseKind::kFull}));
  } else {
    EXPECT_EQ(kinds, (std::vector<PauseKind>{PauseKind::kInitialMark,
                                             PauseKind::kRemark}));
  }
}

// The differential mode runs the concurrent cycle's own phases, in one
// pause, and sweeps in it: its figures differ by concurrency alone.
TEST_P(ConcurrentMarkSweep, BothModesRunTheSamePhases) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  Root kept(mutator, build_tree(mutator, 8, 3));
  build_tree(mutator, 6);  // garbage
  heap->collect(&mutator, GcCause::kExplicit);
  heap->collector().finish();
  ASSERT_EQ(heap->events().cycles().size(), 1u);
  const CycleRecord& cycle = heap->events().cycles()[0];
  std::vector<std::string_view> phases;
  for (const PhaseRecord& phase : cycle.phases) phases.push_back(phase.name);
  std::vector<std::string_view> expected = {"finish-sweep", "initial-mark"};
  if (std::get<0>(GetParam()) != BarrierKind::kYuasa) {
    expected.push_back("root-handshake");
  }
  expected.push_back(stop_the_world() ? "mark" : "concurrent-mark");
  expected.insert(expected.end(), {"remark", "checkmark", "begin-sweep"});
  if (stop_the_world()) expected.push_back("sweep");
  EXPECT_EQ(phases, expected);
  EXPECT_EQ(cycle.marked_objects, tree_nodes(8));
  if (stop_the_world()) {
    EXPECT_EQ(cycle.freed_objects, tree_nodes(6)) << "swept in the pause";
    EXPECT_TRUE(cycle.gc_thread_mark_ns.empty())
        << "in one pause, marking is the pause's CPU time";
  }
  EXPECT_EQ(count_tree(mutator, kept.get(), 3), tree_nodes(8));
}

// A heap that holds the live data only after a collection: allocation fails,
// the mutator stalls until the cycle has swept, and carries on.
TEST_P(ConcurrentMarkSweep, AllocationFailureWaitsForTheCycle) {
  auto heap = make_heap(std::size_t{2} << 20);
  Mutator mutator(*heap);
  Root kept(mutator, build_tree(mutator, 10, 5));
  for (int i = 0; i < 40; ++i) build_tree(mutator, 10);  // ~3.2 MiB garbage
  EXPECT_EQ(count_tree(mutator, kept.get(), 5), tree_nodes(10));
  heap->collector().finish();
  EXPECT_GE(heap->events().cycles().size(), 1u);
  if (!stop_the_world()) {
    bool stalled = false;
    for (const PauseRecord& pause : heap->events().pauses()) {
      stalled |= pause.kind == PauseKind::kStall;
    }
    EXPECT_TRUE(stalled) << "a failed allocation waits as a stall pause";
  }
}

TEST_P(ConcurrentMarkSweep, LiveDataLargerThanTheHeapIsExhaustion) {
  auto heap = make_heap(std::size_t{1} << 20);
  Mutator mutator(*heap);
  EXPECT_THROW(
      {
        Root kept(mutator, build_tree(mutator, 16));  // 5 MiB of live nodes
      },
      HeapExhausted);
}

INSTANTIATE_TEST_SUITE_P(
    BarriersAndModes, ConcurrentMarkSweep,
    ::testing::Combine(
        ::testing::Values(BarrierKind::kDijkstra, BarrierKind::kYuasa,
                          BarrierKind::kHybrid),
        ::testing::Values(Mode::kConcurrent, Mode::kStopTheWorld)),
    [](const auto& info) {
      return std::string(to_string(std::get<0>(info.param))) +
             (std::get<1>(info.param) == Mode::kStopTheWorld ? "_stw"
                                                             : "_concurrent");
    });

// Holds every cycle's driver as its concurrent marking begins, once the
// roots are grey and before it marks from them, until the test opens the
// gate: a known point inside marking.
class MarkGate final : public PhaseObserver {
 public:
  void phase_started(std::string_view phase) override {
    if (phase != "concurrent-mark") return;
    reached_.store(true);
    open_.wait(false);
  }
  bool reached() const { return reached_.load(); }
  void open() {
    open_.store(true);
    open_.notify_all();
  }

 private:
  std::atomic<bool> reached_{false};
  std::atomic<bool> open_{false};
};

// Barrier none is what the harness refuses (the collector needs a barrier);
// built directly over it, the collector runs with a barrier that shades
// nothing.
std::unique_ptr<Heap> make_gated_heap(BarrierKind barrier, MarkGate& gate) {
  HeapOptions options{.heap_bytes = 8 << 20,
                      .gc_threads = 2,
                      .verify = true,
                      .barrier = barrier};
  auto heap = make_heap_with(
      [](Heap& heap) {
        return std::make_unique<ConcurrentMarkSweepCollector>(
            heap, Mode::kConcurrent);
      },
      "free-list", options);
  heap->events().set_phase_observer(&gate);
  return heap;
}

// The classic lost object (Dijkstra et al. 1978; Jones, Hosking and Moss
// 2011, section 15.1): with the roots grey and the marker not yet past the
// list's head, the mutator takes `lost` from the list's last node (still
// white), deletes it there, and stores it into an object allocated black.
// Only the barrier can tell the marker: dijkstra shades it on the store,
// yuasa and hybrid on the deletion. Without a barrier it stays white, and
// the checkmark must say so before the sweep frees it.
constexpr int kListLength = 1000;

void hide_object_during_marking(Heap& heap, Mutator& mutator, MarkGate& gate) {
  Root head(mutator);
  Root tail(mutator, mutator.allocate(testing::kNodeShape));
  head = tail.get();
  for (int i = 0; i < kListLength; ++i) {
    Object* node = mutator.allocate(testing::kNodeShape);
    mutator.write(node, 0, head.get());
    head = node;
  }
  Object* lost = mutator.allocate(testing::kNodeShape);
  *lost->payload_as<std::uint64_t>() = 42;
  mutator.write(tail.get(), 1, lost);
  Object* tail_node = tail.get();
  tail = nullptr;  // the list's last node is reachable only from the head

  heap.collect(&mutator, GcCause::kStress);  // starts a cycle, returns
  // Answer the root handshake until the driver holds at the gate.
  while (!gate.reached()) mutator.safepoint();
  EXPECT_NE(heap.allocation_mark().load(), kUnmarked) << "marking is on";
  EXPECT_FALSE(tail_node->is_marked(heap.mark_epoch()))
      << "the marker must not have reached the list's end";
  Root black(mutator, mutator.allocate(testing::kNodeShape));
  Object* taken = mutator.read(tail_node, 1);
  mutator.write(tail_node, 1, nullptr);
  mutator.write(black.get(), 0, taken);
  gate.open();
  heap.collect(&mutator, GcCause::kExplicit);  // the next cycle sweeps it
  EXPECT_EQ(*mutator.read(black.get(), 0)->payload_as<std::uint64_t>(), 42u);
}

class LostObject : public ::testing::TestWithParam<BarrierKind> {};

TEST_P(LostObject, BarrierKeepsTheObjectMovedBehindTheMarker) {
  MarkGate gate;
  auto heap = make_gated_heap(GetParam(), gate);
  Mutator mutator(*heap);
  hide_object_during_marking(*heap, mutator, gate);
}

INSTANTIATE_TEST_SUITE_P(EachBarrier, LostObject,
                         ::testing::Values(BarrierKind::kDijkstra,
                                           BarrierKind::kYuasa,
                                           BarrierKind::kHybrid),
                         [](const auto& info) {
                           return std::string(to_string(info.param));
                         });

// The tests have teeth: the same collector with a barrier that shades
// nothing loses the object, and the checkmark catches it.
void hide_object_without_a_barrier() {
  MarkGate gate;
  auto heap = make_gated_heap(BarrierKind::kNone, gate);
  Mutator mutator(*heap);
  hide_object_during_marking(*heap, mutator, gate);
}

TEST(LostObjectDeathTest, CheckmarkCatchesAMissingBarrier) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_DEATH(hide_object_without_a_barrier(),
               "checkmark: object at .* is reachable but the concurrent mark "
               "left it unmarked");
}

// The heap owns its collector's lifetime: destroyed while a cycle is in
// progress (a run whose mutator failed, stress 1 so that cycles are queued
// back to back, a global root and an allocation site registered), it
// finishes the collector before any member the cycle still reads is gone.
// The driver is held inside marking until well after the heap's destruction
// has begun; once released, its --verify walks the global roots and names
// the sites. Under asan or tsan, a cycle that outlived those members is a
// use after free.
TEST(ConcurrentMarkSweepLifetime, HeapDestroyedMidCycleFinishesTheCycleFirst) {
  MarkGate gate;
  auto heap = make_concurrent_heap(BarrierKind::kHybrid, Mode::kConcurrent,
                                   8 << 20, /*stress_interval=*/1);
  heap->events().set_phase_observer(&gate);
  heap->register_site("lifetime-test");
  Object* global = nullptr;
  heap->add_global_root(&global);  // never removed: the heap outlives it
  std::jthread failing_mutator([&] {
    try {
      Mutator mutator(*heap);
      Root kept(mutator, build_tree(mutator, 4));
      while (!gate.reached()) mutator.allocate(testing::kNodeShape);
      throw std::runtime_error("the workload failed");
    } catch (const std::runtime_error&) {
    }
  });
  failing_mutator.join();
  std::jthread opener([&gate] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    gate.open();
  });
  heap.reset();
}

// The barrier torture workload (workloads/graph_churn.h) on two mutators,
// at a size where marking overlaps the rewiring. Returns the first error.
std::string run_graph_churn(Heap& heap, std::uint64_t seed,
                            std::int64_t operations) {
  GraphChurnWorkload workload(
      GraphChurnParams{.nodes = 1024, .operations = operations});
  return testing::run_mutator_threads(heap, 2,
                                      [&](Mutator& mutator, int index) {
                                        workload.run(mutator, seed + index);
                                      });
}

class GraphChurn : public ::testing::TestWithParam<BarrierKind> {};

// Several seeds: each gives the mutators other operations, and every run
// its own interleaving.
TEST_P(GraphChurn, EveryReachableNodeSurvivesTheRewiring) {
  for (std::uint64_t seed : {17, 29, 41, 53}) {
    auto heap = make_concurrent_heap(GetParam(), Mode::kConcurrent, 8 << 20,
                                     kBackToBack);
    EXPECT_EQ(run_graph_churn(*heap, seed, 20'000), "") << "seed " << seed;
    heap->collector().finish();
    EXPECT_GT(heap->events().cycles().size(), 2u)
        << "marking must overlap the rewiring for this to test anything";
  }
}

INSTANTIATE_TEST_SUITE_P(EachBarrier, GraphChurn,
                         ::testing::Values(BarrierKind::kDijkstra,
                                           BarrierKind::kYuasa,
                                           BarrierKind::kHybrid),
                         [](const auto& info) {
                           return std::string(to_string(info.param));
                         });

// On the torture workload too, a barrier that shades nothing is caught by
// the checkmark (before the sweep could free what it lost). A few runs, in
// case one happens not to interleave badly.
void churn_without_a_barrier() {
  for (int run = 0; run < 10; ++run) {
    HeapOptions options{.heap_bytes = 8 << 20,
                        .gc_threads = 1,
                        .verify = true,
                        .stress_interval = kBackToBack,
                        .barrier = BarrierKind::kNone};
    auto heap = make_heap_with(
        [](Heap& heap) {
          return std::make_unique<ConcurrentMarkSweepCollector>(
              heap, Mode::kConcurrent);
        },
        "free-list", options, {}, "gogc:100");
    std::string error = run_graph_churn(*heap, 17 + run, 60'000);
    if (!error.empty()) fatal(error);
  }
}

TEST(GraphChurnDeathTest, CheckmarkCatchesAMissingBarrier) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_DEATH(churn_without_a_barrier(), "checkmark: object at ");
}

}  // namespace
}  // namespace gclab
