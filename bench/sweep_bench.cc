// Sweep throughput of every allocator in gclab's registry that sweeps, in
// bytes of heap swept per second, with 10%, 50% and 90% of the objects live.
//
//   BM_Sweep/<allocator>/live:<percent>/manual_time
//   flag: --fill=SIZE (default 64M), the bytes of objects per iteration; the
//         heap is half as large again
//
// Each iteration empties the heap (a collection with nothing rooted), fills
// it with objects of the mixed pattern's sizes (bench/allocation_patterns.h),
// keeps a seeded random <percent>% of them reachable through a chain of
// holder objects held by one Root, and collects with mark-sweep, eager
// sweep, one GC thread. Only that cycle's "sweep" phase is timed:
// UseManualTime with the duration the collector recorded for it. The bytes
// processed are the allocator's in-use bytes when the cycle began (its
// stats().in_use_bytes: the objects, holders, fillers and cell rounding the
// sweep had to get through, not the untouched free rest of the arena), so
// bytes_per_second is heap swept per second. `live_fraction` is the share of
// those bytes the mark found live, holders included; it is near <percent>%
// rather than exactly so, since liveness is drawn per object, and lower
// where the in-use bytes include an allocator's rounding.
//
// Every allocator is used with its default parameters; an allocator added
// to the registry appears here as soon as it declares `sweepable`.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "allocators/registry.h"
#include "bench/allocation_patterns.h"
#include "collectors/registry.h"
#include "heap/errors.h"
#include "heap/gc_events.h"
#include "heap/heap.h"
#include "heap/mutator.h"
#include "heap/params.h"
#include "heap/trigger.h"

namespace gclab::bench {
namespace {

// Twice the 32 MiB last-level cache of these machines, so that most of what
// the sweep reads comes from memory, as in a real heap.
constexpr std::string_view kDefaultFill = "64M";
constexpr std::string_view kFillFlag = "--fill=";
constexpr int kLivePercents[] = {10, 50, 90};
constexpr std::uint64_t kLivenessSeed = 0x7377'6565'7062'656e;
// A holder's slot 0 links the previous holder; the others hold live objects.
constexpr ObjectShape kHolderShape{.num_refs = 512};

// What one fill allocates, drawn before any timing: object shapes whose
// sizes add up to the fill's bytes, and which of them stay reachable.
struct HeapFill {
  std::vector<ObjectShape> shapes;
  std::vector<bool> live;
  std::size_t heap_bytes;  // half as much again as the fill, for the holders
                           // and the allocator's own overheads
};

HeapFill make_fill(std::size_t fill_bytes, int live_percent) {
  HeapFill fill;
  // Mixed objects average about 200 bytes; 64 bytes each is ample.
  std::size_t total = 0;
  for (std::size_t bytes : mixed_sizes(fill_bytes / 64, kMixedSizesSeed)) {
    if (total >= fill_bytes) break;
    fill.shapes.push_back(shape_of_size(bytes));
    total += bytes;
  }
  fill.heap_bytes = align_up(total + total / 2, std::size_t{1} << 20);
  std::mt19937_64 random(kLivenessSeed);
  fill.live.reserve(fill.shapes.size());
  for (std::size_t i = 0; i < fill.shapes.size(); ++i) {
    fill.live.push_back(random() % 100 <
                        static_cast<std::uint64_t>(live_percent));
  }
  return fill;
}

std::unique_ptr<Heap> make_heap(const AllocatorEntry& allocator,
                                std::size_t heap_bytes) {
  const CollectorEntry& collector = find_collector("mark-sweep");
  ParamValues allocator_params(allocator.params, {});
  ParamValues collector_params(collector.params, {{"sweep", "eager"}});
  return std::make_unique<Heap>(
      HeapOptions{.heap_bytes = heap_bytes},
      allocator.make(heap_bytes, allocator_params), parse_trigger("on-failure"),
      [&](Heap& heap) { return collector.make(heap, collector_params); });
}

// Allocates the fill, linking the objects that stay live into a chain of
// holders that starts at `newest_holder`. A new holder is allocated before
// the object it will hold, so no unrooted object lives across an allocation.
void fill_heap(Mutator& mutator, Root& newest_holder, const HeapFill& fill) {
  std::size_t used_slots = kHolderShape.num_refs;
  for (std::size_t i = 0; i < fill.shapes.size(); ++i) {
    if (fill.live[i] && used_slots == kHolderShape.num_refs) {
      Object* holder = mutator.allocate(kHolderShape);
      mutator.write(holder, 0, newest_holder.get());
      newest_holder = holder;
      used_slots = 1;
    }
    Object* object = mutator.allocate(fill.shapes[i]);
    if (fill.live[i]) mutator.write(newest_holder.get(), used_slots++, object);
  }
}

std::optional<std::int64_t> phase_ns(const CycleRecord& cycle,
                                     std::string_view name) {
  for (const PhaseRecord& phase : cycle.phases) {
    if (phase.name == name) return phase.duration_ns;
  }
  return std::nullopt;
}

void sweep_heap(benchmark::State& state, const AllocatorEntry& allocator,
                const HeapFill& fill) {
  std::unique_ptr<Heap> heap;
  try {
    heap = make_heap(allocator, fill.heap_bytes);
  } catch (const ConfigError& error) {
    state.SkipWithError(error.what());
    return;
  }
  Mutator mutator(*heap);
  Root newest_holder(mutator);
  auto empty_heap = [&] {
    newest_holder = nullptr;
    heap->collect(&mutator, GcCause::kExplicit);
  };
  // Faults the pages in before anything is timed.
  fill_heap(mutator, newest_holder, fill);
  empty_heap();

  std::size_t swept_bytes = 0;
  std::size_t live_bytes = 0;
  for (auto _ : state) {
    fill_heap(mutator, newest_holder, fill);
    heap->collect(&mutator, GcCause::kExplicit);
    const CycleRecord& cycle = heap->events().cycles().back();
    std::optional<std::int64_t> sweep_ns = phase_ns(cycle, "sweep");
    if (!sweep_ns) {
      state.SkipWithError("mark-sweep recorded no sweep phase");
      break;
    }
    state.SetIterationTime(static_cast<double>(*sweep_ns) * 1e-9);
    swept_bytes += cycle.before.in_use_bytes;
    live_bytes += cycle.marked_bytes;
    empty_heap();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(swept_bytes));
  state.counters["live_fraction"] =
      swept_bytes == 0
          ? 0.0
          : static_cast<double>(live_bytes) / static_cast<double>(swept_bytes);
  state.counters["swept_per_cycle"] = benchmark::Counter(
      static_cast<double>(swept_bytes), benchmark::Counter::kAvgIterations,
      benchmark::Counter::kIs1024);
}

// Takes --fill=SIZE out of the command line (Google Benchmark rejects flags
// it does not know) and returns its value in bytes.
std::size_t take_fill_flag(int& argc, char** argv) {
  std::string_view fill = kDefaultFill;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view argument = argv[i];
    if (argument.starts_with(kFillFlag)) {
      fill = argument.substr(kFillFlag.size());
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  std::size_t bytes = parse_size(fill, "--fill");
  if (bytes < (std::size_t{1} << 20)) {
    throw ConfigError("--fill=" + std::string(fill) +
                      " is too small: the heap needs at least 1M of objects");
  }
  return bytes;
}

void register_benchmarks(int& argc, char** argv) {
  std::size_t fill_bytes = take_fill_flag(argc, argv);
  const CollectorEntry& mark_sweep = find_collector("mark-sweep");
  const CollectorCapabilities eager_mark_sweep = mark_sweep.capabilities_of(
      ParamValues(mark_sweep.params, {{"sweep", "eager"}}));
  for (int live_percent : kLivePercents) {
    auto fill =
        std::make_shared<const HeapFill>(make_fill(fill_bytes, live_percent));
    for (const AllocatorEntry& allocator : allocator_registry()) {
      if (!missing_capability(eager_mark_sweep, allocator.capabilities)
               .empty()) {
        continue;
      }
      std::string name = "BM_Sweep/" + std::string(allocator.name) +
                         "/live:" + std::to_string(live_percent);
      benchmark::RegisterBenchmark(name.c_str(),
                                   [&allocator, fill](benchmark::State& state) {
                                     sweep_heap(state, allocator, *fill);
                                   })
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace
}  // namespace gclab::bench

int main(int argc, char** argv) {
  return gclab::bench::run_benchmarks(argc, argv,
                                      gclab::bench::register_benchmarks);
}
