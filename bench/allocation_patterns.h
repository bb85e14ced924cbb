// Allocation patterns shared by the allocator benchmarks and the malloc
// baselines, so that gclab's allocators and the general-purpose mallocs are
// given exactly the same sequence of sizes.
//
// A pattern is one batch (kBatchObjects) of object sizes. `fixed:N` is N
// bytes every time, and a batch sees N as a compile-time constant, as an
// allocation site with a fixed shape does (so a gclab allocation zeroes its
// object with inline stores). `mixed` is a table drawn from a Mersenne
// Twister with a fixed seed: 70% 16-64 B, 25% 72-512 B, 5% 520 B-4 KiB, in
// 8-byte granules; it is built before any benchmark starts, so the random
// number generator is never timed, and a batch reads it as a workload of
// variable-sized objects would (zeroing then takes a call to memset). A
// size is a gclab object's whole size, header included
// (ObjectShape::size_bytes), and malloc is asked for the same bytes.
//
// Times are per thread: every allocation benchmark uses real time, and its
// `per_object` counter is the wall time one thread spends per object (equal
// to the one-thread figure when threads scale perfectly), while
// items_per_second is the throughput of all threads together.
#ifndef GCLAB_BENCH_ALLOCATION_PATTERNS_H_
#define GCLAB_BENCH_ALLOCATION_PATTERNS_H_

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "heap/object.h"

namespace gclab::bench {

// Objects allocated between two reclamations.
inline constexpr std::size_t kBatchObjects = std::size_t{64} << 10;
// Every allocation benchmark runs with each of these thread counts.
inline constexpr int kThreadCounts[] = {1, 2};
inline constexpr std::size_t kFixedSizes[] = {16, 32, 64, 128};
// The seed of the mixed table (any fixed value: the table must not vary
// between runs or binaries).
inline constexpr std::uint64_t kMixedSizesSeed = 0x6c62'6e63'6863'6b31;

// What a batch's timing covers. kUntimed: allocation alone, the batch is
// reclaimed (collected or freed) with timing paused. kTimed: allocation and
// reclamation, named "..._WithReclaim".
enum class Reclaim { kUntimed, kTimed };
inline std::string_view reclaim_suffix(Reclaim reclaim) {
  return reclaim == Reclaim::kTimed ? "_WithReclaim" : "";
}

// A shape whose size_bytes() is `bytes` (a multiple of kGranuleBytes, at
// least kHeaderBytes): up to two reference slots, the rest payload.
constexpr ObjectShape shape_of_size(std::size_t bytes) {
  std::size_t body = bytes - kHeaderBytes;
  std::size_t refs = std::min<std::size_t>(body / kSlotBytes, 2);
  return {
      .num_refs = static_cast<std::uint16_t>(refs),
      .payload_bytes = static_cast<std::uint32_t>(body - refs * kSlotBytes)};
}

struct AllocationPattern {
  std::string name;                 // "fixed:16", "mixed"
  std::size_t fixed_bytes;          // 0 for a table of mixed sizes
  std::vector<std::size_t> sizes;   // kBatchObjects object sizes, in bytes
  std::vector<ObjectShape> shapes;  // the same sizes as gclab object shapes

  std::size_t batch_bytes() const;
};

// fixed:16, fixed:32, fixed:64, fixed:128 and mixed; built on first use.
std::span<const AllocationPattern> allocation_patterns();

// `count` sizes of the mixed distribution drawn from `seed`.
std::vector<std::size_t> mixed_sizes(std::size_t count, std::uint64_t seed);

// The sizes of a batch, for the loop that allocates it: bytes(i) and
// shape(i) of the i-th object. A fixed size is a template argument, so the
// loop's allocations see constants.
template <std::size_t Bytes>
struct FixedSizes {
  static constexpr std::size_t bytes(std::size_t) { return Bytes; }
  static constexpr ObjectShape shape(std::size_t) {
    return shape_of_size(Bytes);
  }
};

struct TableSizes {
  const std::size_t* sizes;
  const ObjectShape* shapes;

  std::size_t bytes(std::size_t i) const { return sizes[i]; }
  ObjectShape shape(std::size_t i) const { return shapes[i]; }
};

// Calls `allocate_batch(sizes)` once, with FixedSizes<N> for a fixed:N
// pattern and TableSizes for the mixed one; `allocate_batch` is a generic
// lambda, so its loop is compiled once for each.
template <typename AllocateBatch>
void with_batch_sizes(const AllocationPattern& pattern,
                      AllocateBatch&& allocate_batch) {
  bool fixed = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return ((pattern.fixed_bytes == kFixedSizes[I] &&
             (allocate_batch(FixedSizes<kFixedSizes[I]>{}), true)) ||
            ...);
  }
  (std::make_index_sequence<std::size(kFixedSizes)>());
  if (!fixed) {
    allocate_batch(TableSizes{pattern.sizes.data(), pattern.shapes.data()});
  }
}

// Minor page faults of the calling thread so far (getrusage RUSAGE_THREAD).
std::int64_t thread_minor_faults();

// Items per second, the per-thread `per_object` counter and
// `faults_per_batch`, for a thread that allocated `objects` objects in
// state.iterations() batches and took `minor_faults` page faults meanwhile
// (timed or not: an allocator that returns memory to the kernel between
// batches pays for it again in the next batch's allocations).
void report_objects(benchmark::State& state, std::size_t objects,
                    std::int64_t minor_faults);

// Registers benchmarks with `register_benchmarks`, which may take flags of
// its own out of the command line, and runs those the command line selects.
// A ConfigError becomes one line on stderr and exit code 2.
int run_benchmarks(
    int argc, char** argv,
    const std::function<void(int& argc, char** argv)>& register_benchmarks);

}  // namespace gclab::bench

#endif  // GCLAB_BENCH_ALLOCATION_PATTERNS_H_
