// The malloc baselines: general-purpose allocators given the allocation
// patterns that gclab's allocators get (bench/allocation_patterns.h).
//
// A malloc gives memory back by explicit free, where gclab's allocators get
// it back by a collection, so every name says which it is:
//   BM_Malloc_ExplicitFree/<malloc>/<pattern>: a batch of kBatchObjects
//     mallocs is timed; the batch is then freed, in allocation order, with
//     timing paused (compare with BM_Allocate, where the collection is
//     untimed);
//   BM_Malloc_ExplicitFree_WithReclaim/<malloc>/<pattern>: the mallocs and
//     the frees are both timed (compare with BM_Allocate_WithReclaim).
// Each thread mallocs and frees its own batch. Malloc does not zero what it
// returns, while a gclab allocation writes a header and zeroes the rest: the
// gclab figures include that initialisation.
//
// Before timing, a benchmark checks that the baseline's entry point resolves
// into the library its name claims (dlsym, then dladdr), so a row labelled
// jemalloc cannot silently measure another malloc: a sanitizer's
// interceptor, a preloaded library, or a second malloc linked in by a new
// dependency. Such a row reports an error instead of a figure.
#ifndef GCLAB_BENCH_MALLOC_BASELINE_H_
#define GCLAB_BENCH_MALLOC_BASELINE_H_

#include <benchmark/benchmark.h>

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bench/allocation_patterns.h"

namespace gclab::bench {

// A malloc baseline is a type with these static members. allocate and
// release are called directly (not through pointers), as a program calls
// malloc and free.
template <typename T>
concept MallocBaseline = requires(std::size_t bytes, void* block) {
  { T::kName } -> std::convertible_to<std::string_view>;
  // The entry point whose defining library is checked, and a part of that
  // library's file name ("malloc" and "libc.so" for glibc).
  { T::kSymbol } -> std::convertible_to<const char*>;
  { T::kLibrary } -> std::convertible_to<std::string_view>;
  { T::allocate(bytes) } -> std::same_as<void*>;
  { T::release(block) } -> std::same_as<void>;
  { T::version() } -> std::convertible_to<std::string>;
};

// The file of the shared object (or executable) that defines `symbol` for
// the process, or a description of why there is none.
std::string library_defining(const char* symbol);

template <MallocBaseline Malloc>
void malloc_batches(benchmark::State& state, const AllocationPattern& pattern,
                    Reclaim reclaim) {
  std::string library = library_defining(Malloc::kSymbol);
  if (library.find(Malloc::kLibrary) == std::string::npos) {
    state.SkipWithError((std::string(Malloc::kSymbol) + " resolves to " +
                         library + ", not " + std::string(Malloc::kLibrary))
                            .c_str());
    return;
  }
  std::vector<void*> blocks(kBatchObjects);
  auto allocate_batch = [&] {
    with_batch_sizes(pattern, [&blocks](const auto& sizes) {
      for (std::size_t i = 0; i < kBatchObjects; ++i) {
        blocks[i] = Malloc::allocate(sizes.bytes(i));
        benchmark::DoNotOptimize(blocks[i]);
      }
    });
  };
  auto free_batch = [&] {
    for (void* block : blocks) Malloc::release(block);
  };
  // Untimed: the allocator gets its memory from the kernel once.
  allocate_batch();
  free_batch();

  std::int64_t faults_before = thread_minor_faults();
  for (auto _ : state) {
    allocate_batch();
    if (reclaim == Reclaim::kUntimed) state.PauseTiming();
    free_batch();
    if (reclaim == Reclaim::kUntimed) state.ResumeTiming();
  }
  report_objects(state, state.iterations() * kBatchObjects,
                 thread_minor_faults() - faults_before);
  state.SetLabel(Malloc::version());
}

template <MallocBaseline Malloc>
void register_malloc_benchmark(const AllocationPattern& pattern, int threads,
                               Reclaim reclaim) {
  std::string name = "BM_Malloc_ExplicitFree" +
                     std::string(reclaim_suffix(reclaim)) + "/" +
                     std::string(Malloc::kName) + "/" + pattern.name;
  benchmark::RegisterBenchmark(name.c_str(),
                               [&pattern, reclaim](benchmark::State& state) {
                                 malloc_batches<Malloc>(state, pattern,
                                                        reclaim);
                               })
      ->Threads(threads)
      ->UseRealTime();
}

// Every pattern, thread count and timing, for a binary of one baseline.
template <MallocBaseline Malloc>
void register_malloc_benchmarks() {
  for (Reclaim reclaim : {Reclaim::kUntimed, Reclaim::kTimed}) {
    for (const AllocationPattern& pattern : allocation_patterns()) {
      for (int threads : kThreadCounts) {
        register_malloc_benchmark<Malloc>(pattern, threads, reclaim);
      }
    }
  }
}

}  // namespace gclab::bench

#endif  // GCLAB_BENCH_MALLOC_BASELINE_H_
