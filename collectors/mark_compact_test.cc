#include "collectors/mark_compact.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "heap/errors.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

using testing::build_tree;
using testing::count_tree;
using testing::make_heap_with;
using testing::tree_nodes;

// Over both contiguous allocators.
class MarkCompact : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Heap> make_heap(std::size_t heap_bytes = 4 << 20,
                                  int gc_threads = 1) {
    return make_heap_with(
        [](Heap& heap) { return std::make_unique<MarkCompactCollector>(heap); },
        GetParam(),
        {.heap_bytes = heap_bytes, .gc_threads = gc_threads, .verify = true});
  }
};

// Several update chunks (256 KiB each), updated by two threads: a tree whose
// nodes interleave with garbage across the arena comes through whole.
TEST_P(MarkCompact, ParallelUpdateOverChunksKeepsEveryReference) {
  auto heap = make_heap(std::size_t{16} << 20, /*gc_threads=*/2);
  Mutator mutator(*heap);
  Root kept(mutator);
  for (int i = 0; i < 64; ++i) {
    Root tree(mutator, build_tree(mutator, 8, 11));
    build_tree(mutator, 8);  // garbage between the kept trees
    Object* node = mutator.allocate(testing::kNodeShape);
    *node->payload_as<std::uint64_t>() = 11;
    mutator.write(node, 0, tree.get());
    mutator.write(node, 1, kept.get());
    kept = node;
  }
  heap->collect(&mutator, GcCause::kExplicit);
  ASSERT_GT(heap->events().cycles()[0].marked_bytes, std::size_t{1} << 20)
      << "too little live data to span several chunks";
  std::size_t nodes = 0;
  for (Object* node = kept.get(); node != nullptr;
       node = mutator.read(node, 1)) {
    nodes += 1 + count_tree(mutator, mutator.read(node, 0), 11);
  }
  EXPECT_EQ(nodes, 64 * (1 + tree_nodes(8)));
}

TEST_P(MarkCompact, SlidesLiveObjectsDownAndKeepsTheirContents) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  build_tree(mutator, 8);  // garbage below the kept tree
  Root kept(mutator, build_tree(mutator, 6, 7));
  Object* before = kept.get();
  heap->collect(&mutator, GcCause::kExplicit);

  const CycleRecord& cycle = heap->events().cycles()[0];
  EXPECT_EQ(cycle.marked_objects, tree_nodes(6));
  EXPECT_EQ(cycle.freed_objects, tree_nodes(8));
  EXPECT_GT(cycle.moved_bytes, 0u);
  EXPECT_LT(kept.get(), before) << "the root was not forwarded";
  EXPECT_EQ(count_tree(mutator, kept.get(), 7), tree_nodes(6));
  EXPECT_EQ(heap->allocator().stats().in_use_bytes, cycle.marked_bytes)
      << "after sliding only the live objects are in use";
}

TEST_P(MarkCompact, GlobalRootsAreForwarded) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  build_tree(mutator, 7);
  GlobalRoot global(mutator, build_tree(mutator, 5, 3));
  Object* before = global.get();
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_NE(global.get(), before);
  EXPECT_EQ(count_tree(mutator, global.get(), 3), tree_nodes(5));
}

TEST_P(MarkCompact, FreeSpaceIsOneBlockAboveTheLiveData) {
  auto heap = make_heap();
  Mutator mutator(*heap);
  Root kept(mutator);
  for (int i = 0; i < 20; ++i) {
    Root tree(mutator, build_tree(mutator, 5, i));
    build_tree(mutator, 5);  // garbage between the kept trees
    if (i % 2 == 0) {
      Object* node = mutator.allocate(testing::kNodeShape);
      mutator.write(node, 0, tree.get());
      mutator.write(node, 1, kept.get());
      kept = node;
    }
  }
  heap->collect(&mutator, GcCause::kExplicit);
  AllocatorStats stats = heap->allocator().stats();
  EXPECT_EQ(stats.largest_free_block, stats.free_bytes)
      << "compaction leaves no holes";
  EXPECT_EQ(stats.in_use_bytes, heap->events().cycles()[0].marked_bytes);
}

// A heap that fits the live data only after compaction: allocation goes on
// above the new top.
TEST_P(MarkCompact, AllocationContinuesAboveTheNewTop) {
  auto heap = make_heap(std::size_t{1} << 20);
  Mutator mutator(*heap);
  Root kept(mutator, build_tree(mutator, 10, 5));
  for (int i = 0; i < 30; ++i) build_tree(mutator, 10);  // 1.2 MiB garbage
  EXPECT_GE(heap->events().cycles().size(), 1u);
  EXPECT_EQ(count_tree(mutator, kept.get(), 5), tree_nodes(10));
}

INSTANTIATE_TEST_SUITE_P(ContiguousAllocators, MarkCompact,
                         ::testing::Values("bump", "free-list", "tlsf"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace gclab
