#include "bench/allocation_patterns.h"

#include <sys/resource.h>

#include <iostream>
#include <random>

#include "heap/errors.h"

namespace gclab::bench {
namespace {

AllocationPattern make_pattern(std::string name, std::size_t fixed_bytes,
                               std::vector<std::size_t> sizes) {
  std::vector<ObjectShape> shapes;
  shapes.reserve(sizes.size());
  for (std::size_t bytes : sizes) shapes.push_back(shape_of_size(bytes));
  return {std::move(name), fixed_bytes, std::move(sizes), std::move(shapes)};
}

std::vector<AllocationPattern> build_patterns() {
  std::vector<AllocationPattern> patterns;
  for (std::size_t bytes : kFixedSizes) {
    patterns.push_back(
        make_pattern("fixed:" + std::to_string(bytes), bytes,
                     std::vector<std::size_t>(kBatchObjects, bytes)));
  }
  patterns.push_back(
      make_pattern("mixed", 0, mixed_sizes(kBatchObjects, kMixedSizesSeed)));
  return patterns;
}

}  // namespace

std::size_t AllocationPattern::batch_bytes() const {
  std::size_t total = 0;
  for (std::size_t bytes : sizes) total += bytes;
  return total;
}

std::span<const AllocationPattern> allocation_patterns() {
  static const std::vector<AllocationPattern> patterns = build_patterns();
  return patterns;
}

std::vector<std::size_t> mixed_sizes(std::size_t count, std::uint64_t seed) {
  // mt19937_64's output is fixed by the standard; the reductions below are
  // plain arithmetic, so the table is the same with every standard library.
  std::mt19937_64 random(seed);
  auto granules_between = [&random](std::size_t low, std::size_t high) {
    std::size_t choices = (high - low) / kGranuleBytes + 1;
    return low + random() % choices * kGranuleBytes;
  };
  std::vector<std::size_t> sizes;
  sizes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t percent = random() % 100;
    if (percent < 70) {
      sizes.push_back(granules_between(16, 64));
    } else if (percent < 95) {
      sizes.push_back(granules_between(72, 512));
    } else {
      sizes.push_back(granules_between(520, 4096));
    }
  }
  return sizes;
}

std::int64_t thread_minor_faults() {
  rusage usage;
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

void report_objects(benchmark::State& state, std::size_t objects,
                    std::int64_t minor_faults) {
  state.SetItemsProcessed(static_cast<std::int64_t>(objects));
  // Summed over threads, as the iterations are: faults per thread's batch.
  state.counters["faults_per_batch"] = benchmark::Counter(
      static_cast<double>(minor_faults), benchmark::Counter::kAvgIterations);
  // The framework sums counters over threads and divides rates by the mean
  // thread's real time; kAvgThreads brings the sum back to one thread's
  // objects, so after kInvert this is seconds per object in one thread
  // (printed with an SI prefix: "2.1n" is 2.1 ns).
  state.counters["per_object"] = benchmark::Counter(
      static_cast<double>(objects), benchmark::Counter::kIsRate |
                                        benchmark::Counter::kAvgThreads |
                                        benchmark::Counter::kInvert);
}

int run_benchmarks(
    int argc, char** argv,
    const std::function<void(int& argc, char** argv)>& register_benchmarks) {
  try {
    register_benchmarks(argc, argv);
  } catch (const ConfigError& error) {
    std::cerr << error.what() << '\n';
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace gclab::bench
