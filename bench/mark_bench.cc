// Mark rate: how fast the ParallelMarker (collectors/parallel_marker.h) marks
// a heap of GCBench-shaped nodes, in bytes marked per second.
//
//   BM_Mark/<shape>/threads:<N>
//   shape tree: complete binary trees of 40-byte nodes (two slots, 8 bytes of
//               payload), built depth-first as GCBench builds them;
//   shape list: one long linked list, the worst case for parallel marking
//               (one path) and for the prefetch FIFO (each load depends on
//               the last);
//   tree_timed: the trees, with every mark task timed for a trace's GC
//               thread tracks (GcEventRecorder::records_gc_threads), to show
//               what that timing costs.
//
// The heap (mark-sweep over the free list, 96 MiB) is filled once with 64
// MiB of live nodes, twice the last-level cache of these machines, so most
// of what marking reads comes from memory. Each iteration flips the mark
// epoch and marks from the roots: everything is unmarked again in the new
// epoch, so every iteration marks the whole graph. Nothing is swept.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include "allocators/registry.h"
#include "collectors/parallel_marker.h"
#include "collectors/registry.h"
#include "heap/heap.h"
#include "heap/mutator.h"
#include "heap/trigger.h"

namespace gclab::bench {
namespace {

constexpr std::size_t kHeapBytes = std::size_t{96} << 20;
constexpr std::size_t kLiveBytes = std::size_t{64} << 20;
constexpr ObjectShape kNode{.num_refs = 2, .payload_bytes = 8};

enum class Shape { kTree, kList };

// The heap and what it holds, built once per shape and kept for the
// benchmark's lifetime.
struct MarkedHeap {
  std::unique_ptr<Heap> heap;
  std::unique_ptr<Mutator> mutator;
  std::unique_ptr<GlobalRoot> root;
};

std::size_t tree_nodes(int depth) {
  return (std::size_t{1} << (depth + 1)) - 1;
}

Object* build_tree(Mutator& mutator, int depth) {
  Root node(mutator, mutator.allocate(kNode));
  if (depth > 0) {
    Root left(mutator, build_tree(mutator, depth - 1));
    Object* right = build_tree(mutator, depth - 1);
    mutator.write(node.get(), 0, left.get());
    mutator.write(node.get(), 1, right);
  }
  return node.get();
}

MarkedHeap build(Shape shape) {
  MarkedHeap marked;
  const AllocatorEntry& free_list = find_allocator("free-list");
  const CollectorEntry& mark_sweep = find_collector("mark-sweep");
  ParamValues collector_params(mark_sweep.params, {});
  marked.heap = std::make_unique<Heap>(
      HeapOptions{.heap_bytes = kHeapBytes},
      free_list.make(kHeapBytes, ParamValues(free_list.params, {})),
      parse_trigger("on-failure"),
      [&](Heap& heap) { return mark_sweep.make(heap, collector_params); });
  marked.mutator = std::make_unique<Mutator>(*marked.heap);
  Mutator& mutator = *marked.mutator;
  marked.root = std::make_unique<GlobalRoot>(*marked.heap);
  const std::size_t nodes = kLiveBytes / kNode.size_bytes();
  if (shape == Shape::kList) {
    Root head(mutator);
    for (std::size_t i = 0; i < nodes; ++i) {
      Object* node = mutator.allocate(kNode);
      mutator.write(node, 0, head.get());
      head = node;
    }
    marked.root->set(mutator, head.get());
    return marked;
  }
  // Trees of 2^16 - 1 nodes hung off a list of spines.
  constexpr int kDepth = 15;
  Root spine(mutator);
  for (std::size_t built = 0; built + tree_nodes(kDepth) <= nodes;
       built += tree_nodes(kDepth) + 1) {
    Root tree(mutator, build_tree(mutator, kDepth));
    Object* link = mutator.allocate(kNode);
    mutator.write(link, 0, spine.get());
    mutator.write(link, 1, tree.get());
    spine = link;
  }
  marked.root->set(mutator, spine.get());
  return marked;
}

void BM_Mark(benchmark::State& state, Shape shape, bool timed) {
  static MarkedHeap trees = build(Shape::kTree);
  static MarkedHeap list = build(Shape::kList);
  MarkedHeap& marked = shape == Shape::kTree ? trees : list;
  Heap& heap = *marked.heap;
  heap.events().set_records_gc_threads(timed);
  ParallelMarker marker(static_cast<int>(state.range(0)), nullptr);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::uint8_t epoch = heap.flip_mark_epoch();
    // As in a collection's mark phase.
    CycleRecord cycle;
    PhaseTimer phase(heap.events(), cycle, "mark");
    MarkResult result = marker.mark_from_roots(heap, epoch, phase);
    bytes += result.bytes;
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["marked_bytes"] =
      static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

BENCHMARK_CAPTURE(BM_Mark, tree, Shape::kTree, false)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Mark, tree_timed, Shape::kTree, true)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Mark, list, Shape::kList, false)
    ->ArgName("threads")
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace gclab::bench

BENCHMARK_MAIN();
