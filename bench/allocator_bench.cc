// Allocation throughput of every allocator in gclab's registry, through the
// real Mutator API, beside glibc's malloc and TBB's scalable allocator (the
// malloc baselines: bench/malloc_baseline.h; jemalloc and mimalloc have
// binaries of their own, since each replaces malloc in its process).
//
//   BM_Allocate/<allocator>/<pattern>/real_time/threads:N
//     Each thread, with its own Mutator on one shared Heap, allocates a batch
//     of kBatchObjects objects of the pattern's sizes (timed, each result
//     kept alive by benchmark::DoNotOptimize). Then, with timing paused, the
//     threads park and meet, and one of them collects: nothing is rooted, so
//     the collection frees every batch.
//   BM_Allocate_WithReclaim/...
//     The same with the meeting and the collection timed too.
//
// <allocator> is a registry name, or, for an allocator with choice
// parameters, one entry per value of each ("free-list:fit=next", the others
// at their defaults), so allocators added to the registry appear here by
// themselves. The collection is mark-sweep with an eager sweep for an
// allocator that sweeps (a lazy one would move the sweep into the next
// batch's timed allocations), else mark-compact, which slides an empty heap
// and so restarts a contiguous allocator at its base; each row's label names
// it. An allocator neither collector can run over reports an error.
//
// Besides per_object and faults_per_batch (bench/allocation_patterns.h), a
// row reports `collection`, the mean duration of the collections between
// batches as their cycle records give it: timed or not, it is what a
// collector pays for the batch.
//
// The heap holds every thread's batch four times over, so no collection
// happens inside a timed batch; a benchmark that finds one did reports an
// error instead of a figure. Untimed warm-up batches run until the
// allocator's committed memory stops growing, so that first-touch page
// faults (~9 us a page here) are not counted as allocation.
#include <benchmark/benchmark.h>
#include <gnu/libc-version.h>
#include <tbb/scalable_allocator.h>
#include <tbb/version.h>

#include <algorithm>
#include <barrier>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "allocators/registry.h"
#include "bench/allocation_patterns.h"
#include "bench/malloc_baseline.h"
#include "collectors/registry.h"
#include "heap/errors.h"
#include "heap/heap.h"
#include "heap/mutator.h"
#include "heap/trigger.h"

namespace gclab::bench {
namespace {

struct GlibcMalloc {
  static constexpr std::string_view kName = "glibc";
  static constexpr const char* kSymbol = "malloc";
  static constexpr std::string_view kLibrary = "libc.so";
  static void* allocate(std::size_t bytes) { return std::malloc(bytes); }
  static void release(void* block) { std::free(block); }
  static std::string version() {
    return std::string("glibc ") + gnu_get_libc_version();
  }
};

struct TbbMalloc {
  static constexpr std::string_view kName = "tbbmalloc";
  static constexpr const char* kSymbol = "scalable_malloc";
  static constexpr std::string_view kLibrary = "libtbbmalloc";
  static void* allocate(std::size_t bytes) { return scalable_malloc(bytes); }
  static void release(void* block) { scalable_free(block); }
  static std::string version() { return "oneTBB " TBB_VERSION_STRING; }
};

// A collector that frees a heap with nothing rooted, and how it is set up.
struct Reclaimer {
  std::string_view collector;
  std::map<std::string, std::string> params;
};

// In order of preference: the first whose needs the allocator meets.
const Reclaimer* reclaimer_for(const AllocatorCapabilities& allocator) {
  static const Reclaimer kReclaimers[] = {
      {"mark-sweep", {{"sweep", "eager"}}},
      {"mark-compact", {}},
  };
  for (const Reclaimer& reclaimer : kReclaimers) {
    const CollectorEntry& collector = find_collector(reclaimer.collector);
    CollectorCapabilities needs = collector.capabilities_of(
        ParamValues(collector.params, reclaimer.params));
    if (missing_capability(needs, allocator).empty()) {
      return &reclaimer;
    }
  }
  return nullptr;
}

struct AllocatorVariant {
  std::string label;  // "bump", "free-list:fit=next"
  const AllocatorEntry* allocator;
  std::map<std::string, std::string> params;
  const Reclaimer* reclaimer;  // null when no collector can reclaim it
};

std::vector<std::string_view> split_choices(std::string_view choices) {
  std::vector<std::string_view> values;
  while (!choices.empty()) {
    std::size_t bar = choices.find('|');
    values.push_back(choices.substr(0, bar));
    choices.remove_prefix(bar == std::string_view::npos ? choices.size()
                                                        : bar + 1);
  }
  return values;
}

std::vector<AllocatorVariant> allocator_variants() {
  std::vector<AllocatorVariant> variants;
  for (const AllocatorEntry& allocator : allocator_registry()) {
    const Reclaimer* reclaimer = reclaimer_for(allocator.capabilities);
    bool has_choices = false;
    for (const ParamSpec& spec : allocator.params) {
      if (spec.kind != ParamKind::kChoice) continue;
      has_choices = true;
      for (std::string_view choice : split_choices(spec.choices)) {
        std::string name(spec.name);
        std::string value(choice);
        variants.push_back(
            {std::string(allocator.name) + ":" + name + "=" + value,
             &allocator,
             {{name, value}},
             reclaimer});
      }
    }
    if (!has_choices) {
      variants.push_back(
          {std::string(allocator.name), &allocator, {}, reclaimer});
    }
  }
  return variants;
}

std::unique_ptr<Heap> make_heap(const AllocatorVariant& variant,
                                std::size_t heap_bytes) {
  const CollectorEntry& collector =
      find_collector(variant.reclaimer->collector);
  ParamValues allocator_params(variant.allocator->params, variant.params);
  ParamValues collector_params(collector.params, variant.reclaimer->params);
  return std::make_unique<Heap>(
      HeapOptions{.heap_bytes = heap_bytes},
      variant.allocator->make(heap_bytes, allocator_params),
      parse_trigger("on-failure"),
      [&](Heap& heap) { return collector.make(heap, collector_params); });
}

std::size_t heap_bytes_for(const AllocationPattern& pattern, int threads) {
  constexpr std::size_t kMebibyte = std::size_t{1} << 20;
  return std::max(
      64 * kMebibyte,
      align_up(4 * static_cast<std::size_t>(threads) * pattern.batch_bytes(),
               kMebibyte));
}

// What the threads of one benchmark share. Thread 0 builds the heap before
// the first rendezvous and destroys it after the last, once every thread's
// Mutator is gone; the fields it writes in between are read by the others
// only after the next rendezvous.
struct BatchRun {
  explicit BatchRun(int threads) : rendezvous(threads) {}

  std::barrier<> rendezvous;
  std::unique_ptr<Heap> heap;
  std::string error;  // why there is no heap
  std::size_t committed_bytes = 0;
  bool warming_up = true;
};

// Every thread parks, so that none can hold up the stop, and waits for the
// others; thread 0 then collects on behalf of all, as a non-mutator, while
// they stay parked.
void reclaim_together(BatchRun& run, Mutator& mutator, bool leader) {
  ParkedScope parked(mutator);
  run.rendezvous.arrive_and_wait();
  if (leader) run.heap->collect(nullptr, GcCause::kExplicit);
  run.rendezvous.arrive_and_wait();
}

void allocate_batches(benchmark::State& state, const AllocatorVariant& variant,
                      const AllocationPattern& pattern, BatchRun& run,
                      Reclaim reclaim) {
  const bool leader = state.thread_index() == 0;
  if (leader) {
    run.error.clear();
    run.committed_bytes = 0;
    run.warming_up = true;
    if (variant.reclaimer == nullptr) {
      run.error = "neither mark-sweep nor mark-compact can reclaim " +
                  std::string(variant.allocator->name);
    } else {
      try {
        run.heap = make_heap(variant, heap_bytes_for(pattern, state.threads()));
      } catch (const ConfigError& error) {
        run.error = error.what();
      }
    }
  }
  run.rendezvous.arrive_and_wait();
  if (!run.error.empty()) {
    state.SkipWithError(run.error.c_str());
    return;
  }

  std::size_t cycles_before = 0;
  std::int64_t faults_before = 0;
  {
    Mutator mutator(*run.heap);
    auto allocate_batch = [&] {
      with_batch_sizes(pattern, [&mutator](const auto& sizes) {
        for (std::size_t i = 0; i < kBatchObjects; ++i) {
          benchmark::DoNotOptimize(mutator.allocate(sizes.shape(i)));
        }
      });
    };

    constexpr int kMaxWarmUpBatches = 8;
    for (int batch = 0; batch < kMaxWarmUpBatches; ++batch) {
      allocate_batch();
      reclaim_together(run, mutator, leader);
      if (leader) {
        std::size_t committed = run.heap->allocator().stats().committed_bytes;
        run.warming_up = committed > run.committed_bytes;
        run.committed_bytes = committed;
        cycles_before = run.heap->events().cycles().size();
      }
      run.rendezvous.arrive_and_wait();
      if (!run.warming_up) break;
    }

    faults_before = thread_minor_faults();
    for (auto _ : state) {
      allocate_batch();
      if (reclaim == Reclaim::kUntimed) state.PauseTiming();
      reclaim_together(run, mutator, leader);
      if (reclaim == Reclaim::kUntimed) state.ResumeTiming();
    }
  }
  run.rendezvous.arrive_and_wait();

  report_objects(state, state.iterations() * kBatchObjects,
                 thread_minor_faults() - faults_before);
  state.SetLabel("reclaimed by " + std::string(variant.reclaimer->collector));
  if (leader) {
    const std::vector<CycleRecord>& records = run.heap->events().cycles();
    std::int64_t collection_ns = 0;
    for (std::size_t i = cycles_before; i < records.size(); ++i) {
      collection_ns += records[i].duration_ns;
    }
    // Only this thread reports it, and the framework divides by every
    // thread's batches: scaled by the thread count, it is the mean
    // collection per batch (seconds, printed with an SI prefix).
    state.counters["collection"] = benchmark::Counter(
        static_cast<double>(collection_ns) * 1e-9 * state.threads(),
        benchmark::Counter::kAvgIterations);
    std::size_t cycles = records.size() - cycles_before;
    if (cycles != static_cast<std::size_t>(state.iterations())) {
      state.SkipWithError((std::to_string(cycles) + " collections for " +
                           std::to_string(state.iterations()) +
                           " batches (one each expected): a batch did not "
                           "fit, so a collection was timed as allocation")
                              .c_str());
    }
    run.heap.reset();
  }
}

void register_allocator_benchmark(const AllocatorVariant& variant,
                                  const AllocationPattern& pattern, int threads,
                                  Reclaim reclaim) {
  std::string name = "BM_Allocate" + std::string(reclaim_suffix(reclaim)) +
                     "/" + variant.label + "/" + pattern.name;
  auto run = std::make_shared<BatchRun>(threads);
  benchmark::RegisterBenchmark(
      name.c_str(),
      [variant, &pattern, run, reclaim](benchmark::State& state) {
        allocate_batches(state, variant, pattern, *run, reclaim);
      })
      ->Threads(threads)
      ->UseRealTime();
}

// Grouped by timing, pattern and thread count, so that the allocators and
// the baselines of one case are measured (and printed) one after another.
void register_benchmarks(int&, char**) {
  std::vector<AllocatorVariant> variants = allocator_variants();
  for (Reclaim reclaim : {Reclaim::kUntimed, Reclaim::kTimed}) {
    for (const AllocationPattern& pattern : allocation_patterns()) {
      for (int threads : kThreadCounts) {
        for (const AllocatorVariant& variant : variants) {
          register_allocator_benchmark(variant, pattern, threads, reclaim);
        }
        register_malloc_benchmark<GlibcMalloc>(pattern, threads, reclaim);
        register_malloc_benchmark<TbbMalloc>(pattern, threads, reclaim);
      }
    }
  }
}

}  // namespace
}  // namespace gclab::bench

int main(int argc, char** argv) {
  return gclab::bench::run_benchmarks(argc, argv,
                                      gclab::bench::register_benchmarks);
}
