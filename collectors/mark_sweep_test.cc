#include "collectors/mark_sweep.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "allocators/free_list_allocator.h"
#include "heap/errors.h"
#include "heap/trigger.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

using testing::build_tree;
using testing::count_tree;
using testing::make_heap_with;
using testing::tree_nodes;

HeapOptions small_heap(int gc_threads = 1) {
  return HeapOptions{
      .heap_bytes = 4 << 20, .gc_threads = gc_threads, .verify = true};
}

std::unique_ptr<Heap> make_mark_sweep_heap(SweepMode sweep,
                                           HeapOptions options) {
  return make_heap_with(
      [sweep](Heap& heap) {
        return std::make_unique<MarkSweepCollector>(heap, sweep);
      },
      "free-list", options);
}

// Every behaviour of a collection holds whether the sweep is eager or lazy.
class MarkSweep : public ::testing::TestWithParam<SweepMode> {
 protected:
  std::unique_ptr<Heap> make_heap(HeapOptions options = small_heap()) {
    return make_mark_sweep_heap(GetParam(), options);
  }
  bool lazy() const { return GetParam() == SweepMode::kLazy; }
};

// A cycle's freed counts are final once its sweep is: at once for an eager
// sweep, at the next collection for a lazy one. So the tests collect once
// more before reading them.
TEST_P(MarkSweep, FreesUnreachableAndKeepsReachable) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  Root kept(mutator, build_tree(mutator, 6, 7));
  build_tree(mutator, 5, 9);  // garbage: never rooted
  heap->collect(&mutator, GcCause::kExplicit);
  heap->collect(&mutator, GcCause::kExplicit);

  ASSERT_EQ(heap->events().cycles().size(), 2u);
  const CycleRecord& cycle = heap->events().cycles()[0];
  EXPECT_EQ(cycle.marked_objects, tree_nodes(6));
  EXPECT_EQ(cycle.freed_objects, tree_nodes(5));
  EXPECT_EQ(count_tree(mutator, kept.get(), 7), tree_nodes(6));
}

TEST_P(MarkSweep, FreesCyclicGarbage) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  {
    Root a(mutator, mutator.allocate(testing::kNodeShape));
    Object* b = mutator.allocate(testing::kNodeShape);
    mutator.write(a.get(), 0, b);
    mutator.write(b, 0, a.get());
  }
  heap->collect(&mutator, GcCause::kExplicit);
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(heap->events().cycles()[0].marked_objects, 0u);
  EXPECT_EQ(heap->events().cycles()[0].freed_objects, 2u);
}

TEST_P(MarkSweep, GlobalRootsKeepObjectsAlive) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  GlobalRoot global(mutator, build_tree(mutator, 4, 3));
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(heap->events().cycles()[0].marked_objects, tree_nodes(4));
  EXPECT_EQ(count_tree(mutator, global.get(), 3), tree_nodes(4));
}

// A survivor ages when the sweep passes it, so under a lazy sweep its age
// lags by the sweep still in progress, until that is finished.
TEST_P(MarkSweep, SurvivorsAgeByOnePerSweep) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  Root kept(mutator, mutator.allocate(testing::kNodeShape));
  for (int i = 0; i < 3; ++i) heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(kept.get()->age(), lazy() ? 2 : 3)
      << "three collections; a lazy sweep finishes at the next one";
  heap->finish_lazy_sweep();
  EXPECT_EQ(kept.get()->age(), 3);
}

TEST_P(MarkSweep, ParallelMarkingMarksWhatSerialMarkingMarks) {
  std::size_t marked[2];
  for (int threads : {1, 2}) {
    auto heap = make_heap(small_heap(threads));
    Mutator mutator(*heap);
    Root kept(mutator, build_tree(mutator, 13, 1));
    heap->collect(&mutator, GcCause::kExplicit);
    marked[threads - 1] = heap->events().cycles()[0].marked_objects;
    EXPECT_EQ(count_tree(mutator, kept.get(), 1), tree_nodes(13));
  }
  EXPECT_EQ(marked[0], tree_nodes(13));
  EXPECT_EQ(marked[1], tree_nodes(13));
}

TEST_P(MarkSweep, AllocationFailureCollectsInsteadOfExhausting) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  Root kept(mutator, build_tree(mutator, 8, 5));
  for (int i = 0; i < 1000; ++i) build_tree(mutator, 8, 6);  // 20 MiB
  EXPECT_GT(heap->events().cycles().size(), 0u);
  for (const CycleRecord& cycle : heap->events().cycles()) {
    EXPECT_EQ(cycle.cause, GcCause::kAllocationFailure);
  }
  EXPECT_EQ(count_tree(mutator, kept.get(), 5), tree_nodes(8));
}

TEST_P(MarkSweep, ReportsHeapExhaustedWhenLiveDataExceedsTheHeap) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  Root list(mutator);
  try {
    for (;;) {  // a list that keeps everything alive
      Object* node = mutator.allocate(testing::kNodeShape);
      mutator.write(node, 0, list.get());
      list = node;
    }
  } catch (const HeapExhausted& e) {
    EXPECT_NE(std::string(e.what()).find("heap exhausted"), std::string::npos)
        << e.what();
    return;
  }
}

TEST_P(MarkSweep, TwoMutatorsUnderStressKeepTheirTrees) {
  HeapOptions options = small_heap(2);
  options.stress_interval = 97;
  auto heap = make_heap(options);
  auto work = [&](std::uint64_t value) {
    Mutator mutator(*heap);
    Root kept(mutator, build_tree(mutator, 7, value));
    for (int i = 0; i < 30; ++i) build_tree(mutator, 6, value + 100);
    EXPECT_EQ(count_tree(mutator, kept.get(), value), tree_nodes(7));
  };
  std::thread first(work, 1);
  std::thread second(work, 2);
  first.join();
  second.join();
  EXPECT_GT(heap->events().cycles().size(), 10u);
  EXPECT_EQ(heap->verifier().stats().heaps_verified,
            heap->events().cycles().size());
}

TEST_P(MarkSweep, BothSweepsFreeTheSameGarbageCycleByCycle) {
  auto other = make_mark_sweep_heap(
      lazy() ? SweepMode::kEager : SweepMode::kLazy, small_heap());
  auto heap = make_heap();
  for (Heap* h : {heap.get(), other.get()}) {
    {
      Mutator mutator(*h);
      Root kept(mutator, build_tree(mutator, 6, 1));
      for (int i = 0; i < 8; ++i) {
        build_tree(mutator, 7, 2);
        h->collect(&mutator, GcCause::kExplicit);
      }
    }
    h->finish_lazy_sweep();  // as the runner does at the end of a run
  }
  ASSERT_EQ(heap->events().cycles().size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(heap->events().cycles()[i].freed_objects,
              other->events().cycles()[i].freed_objects)
        << "cycle " << i;
    EXPECT_EQ(heap->events().cycles()[i].freed_bytes,
              other->events().cycles()[i].freed_bytes)
        << "cycle " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(EverySweep, MarkSweep,
                         ::testing::Values(SweepMode::kEager, SweepMode::kLazy),
                         [](const ::testing::TestParamInfo<SweepMode>& info) {
                           return info.param == SweepMode::kEager ? "Eager"
                                                                  : "Lazy";
                         });

std::vector<std::string_view> phase_names(const CycleRecord& cycle) {
  std::vector<std::string_view> names;
  for (const PhaseRecord& phase : cycle.phases) names.push_back(phase.name);
  return names;
}

TEST(MarkSweepLazy, PauseFinishesTheLastSweepMarksAndOnlyBeginsTheNext) {
  auto heap = make_mark_sweep_heap(SweepMode::kLazy, small_heap());
  Mutator mutator(*heap);
  build_tree(mutator, 5);
  heap->collect(&mutator, GcCause::kExplicit);

  const CycleRecord& cycle = heap->events().cycles()[0];
  EXPECT_EQ(phase_names(cycle), (std::vector<std::string_view>{
                                    "finish-sweep", "mark", "begin-sweep"}));
  EXPECT_EQ(cycle.freed_objects, 0u) << "nothing is freed in the pause";
  EXPECT_EQ(cycle.after.in_use_bytes, cycle.marked_bytes)
      << "in use after the pause is what the mark found live";
  EXPECT_EQ(cycle.after.unswept_bytes,
            cycle.after.heap_bytes - cycle.marked_bytes);
}

TEST(MarkSweepLazy, NextCollectionAddsTheFinishedSweepToThePreviousCycle) {
  auto heap = make_mark_sweep_heap(SweepMode::kLazy, small_heap());
  Mutator mutator(*heap);
  build_tree(mutator, 5);
  heap->collect(&mutator, GcCause::kExplicit);
  build_tree(mutator, 5);  // refills sweep the first tree's memory lazily
  std::int64_t gc_cpu_before = heap->events().gc_cpu_ns();

  heap->collect(&mutator, GcCause::kExplicit);

  const CycleRecord& first = heap->events().cycles()[0];
  EXPECT_EQ(first.freed_objects, tree_nodes(5));
  EXPECT_EQ(first.freed_bytes,
            tree_nodes(5) * testing::kNodeShape.size_bytes());
  EXPECT_GT(first.lazy_sweep_ns, 0) << "the refills' sweep steps were timed";
  EXPECT_GE(heap->events().gc_cpu_ns() - gc_cpu_before, first.lazy_sweep_ns)
      << "lazy sweeping counts as GC CPU";
  EXPECT_EQ(heap->events().cycles()[1].freed_objects, 0u)
      << "the second cycle's sweep is still to come";
}

TEST(MarkSweepLazy, FinishingAtTheRunsEndCompletesTheLastCycle) {
  auto heap = make_mark_sweep_heap(SweepMode::kLazy, small_heap());
  {
    Mutator mutator(*heap);
    build_tree(mutator, 5);
    heap->collect(&mutator, GcCause::kExplicit);
  }

  heap->finish_lazy_sweep();

  EXPECT_EQ(heap->events().cycles()[0].freed_objects, tree_nodes(5));
  EXPECT_EQ(heap->allocator().stats().unswept_bytes, 0u);
  heap->finish_lazy_sweep();
  EXPECT_EQ(heap->events().cycles()[0].freed_objects, tree_nodes(5))
      << "a second finish has nothing to add";
}

// Unswept garbage counts as free, so an occupancy trigger waits for the
// mutator to allocate up to its threshold again, as after an eager sweep.
TEST(MarkSweepLazy, OccupancyTriggerWaitsForAllocationNotForTheSweep) {
  HeapOptions options = small_heap();
  Heap heap(options,
            std::make_unique<FreeListAllocator>(options.heap_bytes,
                                                FitPolicy::kFirst, 32 << 10),
            parse_trigger("occupancy:0.5"), [](Heap& h) {
              return std::make_unique<MarkSweepCollector>(h, SweepMode::kLazy);
            });
  Mutator mutator(heap);
  Root kept(mutator, build_tree(mutator, 10, 3));           // 80 KiB live
  for (int i = 0; i < 500; ++i) build_tree(mutator, 8, 4);  // 10 MiB in all

  const auto& cycles = heap.events().cycles();
  ASSERT_GT(cycles.size(), 2u);
  for (std::size_t i = 1; i < cycles.size(); ++i) {
    EXPECT_EQ(cycles[i].cause, GcCause::kTrigger);
    EXPECT_GE(cycles[i].before.in_use_bytes - cycles[i - 1].after.in_use_bytes,
              options.heap_bytes / 4)
        << "cycle " << i << " came before the mutator allocated 1 MiB";
  }
  EXPECT_EQ(count_tree(mutator, kept.get(), 3), tree_nodes(10));
}

// Sweeps like a free list but cannot leave the sweep to allocation.
class EagerOnlyAllocator final : public Allocator {
 public:
  explicit EagerOnlyAllocator(std::size_t heap_bytes)
      : inner_(heap_bytes, FitPolicy::kFirst, 32 << 10) {}

  AllocatorCapabilities capabilities() const override {
    return {.sweepable = true};
  }
  std::byte* allocate_slow(AllocationBuffer& buffer,
                           std::size_t bytes) override {
    return inner_.allocate_slow(buffer, bytes);
  }
  void retire(AllocationBuffer& buffer) override { inner_.retire(buffer); }
  SweepResult sweep(std::uint8_t live_mark, bool poison) override {
    return inner_.sweep(live_mark, poison);
  }
  std::span<std::byte> parseable() const override { return inner_.parseable(); }
  std::span<std::byte> arena() const override { return inner_.arena(); }
  AllocatorStats stats() const override { return inner_.stats(); }
  std::size_t in_use_bytes() const override { return inner_.in_use_bytes(); }

 private:
  FreeListAllocator inner_;
};

std::unique_ptr<Heap> make_eager_only_heap(SweepMode sweep) {
  HeapOptions options = small_heap();
  return std::make_unique<Heap>(
      options, std::make_unique<EagerOnlyAllocator>(options.heap_bytes),
      parse_trigger("on-failure"), [sweep](Heap& heap) {
        return std::make_unique<MarkSweepCollector>(heap, sweep);
      });
}

// The harness checks a pair by the capabilities the collector has with its
// parameters: a lazy sweep needs an allocator that sweeps lazily.
TEST(MarkSweepLazy, LazySweepNeedsAnAllocatorThatSweepsLazily) {
  EagerOnlyAllocator allocator(1 << 20);
  EXPECT_EQ(
      missing_capability(MarkSweepCollector::capabilities_for(SweepMode::kLazy),
                         allocator.capabilities()),
      "needs an allocator that sweeps lazily");
  EXPECT_EQ(missing_capability(
                MarkSweepCollector::capabilities_for(SweepMode::kEager),
                allocator.capabilities()),
            "");
  EXPECT_TRUE(MarkSweepCollector::capabilities_of(
                  ParamValues(MarkSweepCollector::kParams, {}))
                  .needs_lazy_sweep)
      << "lazy is the default";
}

TEST(MarkSweepLazy, EagerSweepRunsOverAnAllocatorThatCannotSweepLazily) {
  auto heap = make_eager_only_heap(SweepMode::kEager);
  Mutator mutator(*heap);
  build_tree(mutator, 5);
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(heap->events().cycles()[0].freed_objects, tree_nodes(5));
  heap->finish_lazy_sweep();  // a no-op for this allocator
}

TEST(MarkSweepLazy, SweepParameterChoosesTheMode) {
  EXPECT_EQ(parse_sweep_mode("eager"), SweepMode::kEager);
  EXPECT_EQ(parse_sweep_mode("lazy"), SweepMode::kLazy);
  EXPECT_THROW(parse_sweep_mode("never"), ConfigError);
}

}  // namespace
}  // namespace gclab
