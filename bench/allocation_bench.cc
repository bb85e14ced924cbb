// The mutator fast paths, measured through the real Mutator API: allocation
// (a bump in the mutator's buffer plus formatting the header) over each
// allocator, and the write barrier with no collector needing it (a load and a
// branch). The heap runs the `none` collector, so nothing but the fast path
// and its occasional refill is timed.
//
// Pages are faulted in by an untimed warm-up pass and the arena is then
// reused (reset_top), so first-touch page faults (~9 us per page here) are
// not counted as allocation cost.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "allocators/registry.h"
#include "collectors/none_collector.h"
#include "collectors/ref_count.h"
#include "heap/heap.h"
#include "heap/mutator.h"
#include "heap/trigger.h"

namespace gclab {
namespace {

// A small object: a header, two reference slots and 8 bytes of payload.
constexpr ObjectShape kSmallShape{.num_refs = 2, .payload_bytes = 8};
// Operations per timed iteration; the heap is checked between batches.
constexpr int kBatch = 1024;
// Room left for one more batch plus refills of the default 32K buffers.
constexpr std::size_t kRefillMargin =
    kBatch * kSmallShape.size_bytes() + (128 << 10);

std::unique_ptr<Heap> make_heap(std::size_t heap_bytes,
                                std::string_view allocator,
                                std::string_view fit,
                                BarrierKind barrier = BarrierKind::kNone) {
  const AllocatorEntry& entry = find_allocator(allocator);
  std::map<std::string, std::string> overrides;
  if (!fit.empty()) overrides.emplace("fit", fit);
  return std::make_unique<Heap>(
      HeapOptions{.heap_bytes = heap_bytes, .barrier = barrier},
      entry.make(heap_bytes, ParamValues(entry.params, overrides)),
      parse_trigger("on-failure"),
      [](Heap&) { return std::make_unique<NoneCollector>(); });
}

// Empties the arena without unmapping it: the mutator's buffer goes back and
// the allocator restarts at the base, as after a compaction of a dead heap.
void recycle(Heap& heap, Mutator& mutator) {
  mutator.retire_buffer(heap.allocator());
  heap.allocator().reset_top(heap.allocator().arena().data());
}

void report_per_operation(benchmark::State& state) {
  double operations = static_cast<double>(state.iterations()) * kBatch;
  state.SetItemsProcessed(static_cast<std::int64_t>(operations));
  // Seconds per operation, shown with an SI prefix ("2.1n" is 2.1 ns).
  state.counters["per_op"] = benchmark::Counter(
      operations, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Allocate(benchmark::State& state, std::string_view allocator,
                 std::string_view fit) {
  const auto heap_bytes = static_cast<std::size_t>(state.range(0));
  std::unique_ptr<Heap> heap = make_heap(heap_bytes, allocator, fit);
  Mutator mutator(*heap);
  Allocator& arena_owner = heap->allocator();
  const std::size_t limit = heap_bytes - kRefillMargin;
  while (arena_owner.in_use_bytes() < limit) mutator.allocate(kSmallShape);
  recycle(*heap, mutator);

  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      benchmark::DoNotOptimize(mutator.allocate(kSmallShape));
    }
    if (arena_owner.in_use_bytes() >= limit) [[unlikely]] {
      state.PauseTiming();
      recycle(*heap, mutator);
      state.ResumeTiming();
    }
  }
  report_per_operation(state);
}

// A 1 MiB heap stays in the L2 cache and shows the fast path's own cost; a
// 64 MiB heap streams every object through memory, as a real heap does.
void heap_sizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgName("heap")->Arg(1 << 20)->Arg(64 << 20);
}

BENCHMARK_CAPTURE(BM_Allocate, bump, "bump", "")->Apply(heap_sizes);
BENCHMARK_CAPTURE(BM_Allocate, free_list_first, "free-list", "first")
    ->Apply(heap_sizes);
BENCHMARK_CAPTURE(BM_Allocate, free_list_next, "free-list", "next")
    ->Apply(heap_sizes);
BENCHMARK_CAPTURE(BM_Allocate, free_list_best, "free-list", "best")
    ->Apply(heap_sizes);

void BM_WriteBarrierOff(benchmark::State& state) {
  std::unique_ptr<Heap> heap = make_heap(1 << 20, "bump", "");
  Mutator mutator(*heap);
  Root holder(mutator, mutator.allocate(kSmallShape));
  Root target(mutator, mutator.allocate(kSmallShape));

  for (auto _ : state) {
    Object* object = holder.get();
    Object* value = target.get();
    for (int i = 0; i < kBatch; ++i) {
      mutator.write(object, i & 1, value);
      benchmark::ClobberMemory();
    }
  }
  report_per_operation(state);
}

BENCHMARK(BM_WriteBarrierOff);

// A barrier on for the whole run under `none` (as `--collector none
// --barrier KIND`): the slow path runs on every write. Each write stores one
// unmarked object over another, so every barrier shades one object per
// write: dijkstra the stored one, yuasa and hybrid the overwritten one
// (hybrid shades the stored one too only while a concurrent cycle has not
// scanned its mutator's roots). Full buffers go to a sink that discards
// them.
// Stores alternating between two rooted objects into one slot; with
// `collect_between_batches`, a collection off the clock after each batch.
void time_alternating_stores(benchmark::State& state, Heap& heap,
                             bool collect_between_batches) {
  Mutator mutator(heap);
  Root holder(mutator, mutator.allocate(kSmallShape));
  Root first(mutator, mutator.allocate(kSmallShape));
  Root second(mutator, mutator.allocate(kSmallShape));

  for (auto _ : state) {
    Object* object = holder.get();
    Object* values[2] = {first.get(), second.get()};
    for (int i = 0; i < kBatch; ++i) {
      mutator.write(object, 0, values[i & 1]);
      benchmark::ClobberMemory();
    }
    if (collect_between_batches) {
      state.PauseTiming();
      heap.collect(&mutator, GcCause::kExplicit);
      state.ResumeTiming();
    }
  }
  report_per_operation(state);
}

void BM_WriteBarrierOn(benchmark::State& state, BarrierKind barrier) {
  std::unique_ptr<Heap> heap = make_heap(1 << 20, "bump", "", barrier);
  time_alternating_stores(state, *heap, /*collect_between_batches=*/false);
}

BENCHMARK_CAPTURE(BM_WriteBarrierOn, dijkstra, BarrierKind::kDijkstra);
BENCHMARK_CAPTURE(BM_WriteBarrierOn, yuasa, BarrierKind::kYuasa);
BENCHMARK_CAPTURE(BM_WriteBarrierOn, hybrid, BarrierKind::kHybrid);

// The counting barrier (ref-count): each write increments the stored object
// and decrements the overwritten one, which a Root still holds, so its count
// stays above zero (the decrement to a non-zero count also checks whether it
// is already a buffered possible cycle root). With one mutator the counts
// are plain loads and stores; with `deferred` (a heap built for two
// mutators) the increment is an atomic add and the decrement an entry in
// the mutator's log, which is applied between batches, off the clock.
std::unique_ptr<Heap> make_counting_heap(CycleCollection cycles,
                                         bool deferred) {
  const AllocatorEntry& entry = find_allocator("tlsf");
  return std::make_unique<Heap>(
      HeapOptions{.heap_bytes = 1 << 20, .mutators = deferred ? 2 : 1},
      entry.make(1 << 20, ParamValues(entry.params, {})),
      parse_trigger("on-failure"), [cycles](Heap& heap) {
        return std::make_unique<RefCountCollector>(
            heap, RefCountOptions{.cycles = cycles});
      });
}

void BM_RefCountBarrier(benchmark::State& state, CycleCollection cycles,
                        bool deferred) {
  std::unique_ptr<Heap> heap = make_counting_heap(cycles, deferred);
  time_alternating_stores(state, *heap, /*collect_between_batches=*/deferred);
}

BENCHMARK_CAPTURE(BM_RefCountBarrier, trial_deletion,
                  CycleCollection::kTrialDeletion, false);
BENCHMARK_CAPTURE(BM_RefCountBarrier, no_candidates, CycleCollection::kNone,
                  false);
BENCHMARK_CAPTURE(BM_RefCountBarrier, deferred, CycleCollection::kTrialDeletion,
                  true);

// A Root pushed and popped around a held object: two stores, and under
// ref-count an increment and a decrement.
void BM_RootScope(benchmark::State& state, bool counting) {
  std::unique_ptr<Heap> heap =
      counting ? make_counting_heap(CycleCollection::kTrialDeletion, false)
               : make_heap(1 << 20, "tlsf", "");
  Mutator mutator(*heap);
  Root held(mutator, mutator.allocate(kSmallShape));
  for (auto _ : state) {
    Object* object = held.get();
    for (int i = 0; i < kBatch; ++i) {
      Root scope(mutator, object);
      benchmark::DoNotOptimize(scope.get());
      benchmark::ClobberMemory();
    }
  }
  report_per_operation(state);
}

BENCHMARK_CAPTURE(BM_RootScope, uncounted, false);
BENCHMARK_CAPTURE(BM_RootScope, counted, true);

}  // namespace
}  // namespace gclab
