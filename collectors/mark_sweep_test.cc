#include "collectors/mark_sweep.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "heap/errors.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

using testing::build_tree;
using testing::count_tree;
using testing::make_heap;
using testing::tree_nodes;

HeapOptions small_heap(int gc_threads = 1) {
  return HeapOptions{
      .heap_bytes = 4 << 20, .gc_threads = gc_threads, .verify = true};
}

TEST(MarkSweep, FreesUnreachableAndKeepsReachable) {
  auto heap = make_heap("mark-sweep", "free-list", small_heap());
  Mutator mutator(*heap);
  Root kept(mutator, build_tree(mutator, 6, 7));
  build_tree(mutator, 5, 9);  // garbage: never rooted
  heap->collect(&mutator, GcCause::kExplicit);

  ASSERT_EQ(heap->events().cycles().size(), 1u);
  const CycleRecord& cycle = heap->events().cycles()[0];
  EXPECT_EQ(cycle.marked_objects, tree_nodes(6));
  EXPECT_EQ(cycle.freed_objects, tree_nodes(5));
  EXPECT_EQ(count_tree(mutator, kept.get(), 7), tree_nodes(6));
}

TEST(MarkSweep, FreesCyclicGarbage) {
  auto heap = make_heap("mark-sweep", "free-list", small_heap());
  Mutator mutator(*heap);
  {
    Root a(mutator, mutator.allocate(testing::kNodeShape));
    Object* b = mutator.allocate(testing::kNodeShape);
    mutator.write(a.get(), 0, b);
    mutator.write(b, 0, a.get());
  }
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(heap->events().cycles()[0].marked_objects, 0u);
  EXPECT_EQ(heap->events().cycles()[0].freed_objects, 2u);
}

TEST(MarkSweep, GlobalRootsKeepObjectsAlive) {
  auto heap = make_heap("mark-sweep", "free-list", small_heap());
  Mutator mutator(*heap);
  GlobalRoot global(*heap, build_tree(mutator, 4, 3));
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(heap->events().cycles()[0].marked_objects, tree_nodes(4));
  EXPECT_EQ(count_tree(mutator, global.get(), 3), tree_nodes(4));
}

TEST(MarkSweep, SurvivorsAgeByOnePerCollection) {
  auto heap = make_heap("mark-sweep", "free-list", small_heap());
  Mutator mutator(*heap);
  Root kept(mutator, mutator.allocate(testing::kNodeShape));
  heap->collect(&mutator, GcCause::kExplicit);
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(kept.get()->age(), 2);
}

TEST(MarkSweep, ParallelMarkingMarksWhatSerialMarkingMarks) {
  std::size_t marked[2];
  for (int threads : {1, 2}) {
    auto heap = make_heap("mark-sweep", "free-list", small_heap(threads));
    Mutator mutator(*heap);
    Root kept(mutator, build_tree(mutator, 13, 1));
    heap->collect(&mutator, GcCause::kExplicit);
    marked[threads - 1] = heap->events().cycles()[0].marked_objects;
    EXPECT_EQ(count_tree(mutator, kept.get(), 1), tree_nodes(13));
  }
  EXPECT_EQ(marked[0], tree_nodes(13));
  EXPECT_EQ(marked[1], tree_nodes(13));
}

TEST(MarkSweep, AllocationFailureCollectsInsteadOfExhausting) {
  auto heap = make_heap("mark-sweep", "free-list", small_heap());
  Mutator mutator(*heap);
  Root kept(mutator, build_tree(mutator, 8, 5));
  for (int i = 0; i < 1000; ++i) build_tree(mutator, 8, 6);  // 20 MiB
  EXPECT_GT(heap->events().cycles().size(), 0u);
  for (const CycleRecord& cycle : heap->events().cycles()) {
    EXPECT_EQ(cycle.cause, GcCause::kAllocationFailure);
  }
  EXPECT_EQ(count_tree(mutator, kept.get(), 5), tree_nodes(8));
}

TEST(MarkSweep, ReportsHeapExhaustedWhenLiveDataExceedsTheHeap) {
  auto heap = make_heap("mark-sweep", "free-list", small_heap());
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

TEST(MarkSweep, TwoMutatorsUnderStressKeepTheirTrees) {
  HeapOptions options = small_heap(2);
  options.stress_interval = 97;
  auto heap = make_heap("mark-sweep", "free-list", options);
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

}  // namespace
}  // namespace gclab
