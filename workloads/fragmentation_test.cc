#include "workloads/fragmentation.h"

#include <gtest/gtest.h>

#include <string>

#include "heap/errors.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

// 40,000 small objects of 72 bytes fill 2.9 MiB of a 4 MiB heap; half
// survive, leaving 72-byte holes; then 1,500 objects of 1 KiB ask for 1.6
// MiB. The live data ends at 3 MiB, so the heap holds it, but not in the
// holes.
constexpr FragmentationParams kTightParams{.objects = 40'000,
                                           .small = 48,
                                           .keep_every = 2,
                                           .large = 1024,
                                           .large_count = 1'500};
constexpr std::size_t kTightHeap = std::size_t{4} << 20;

WorkloadReport run_on(std::string_view collector, std::string_view allocator,
                      const FragmentationParams& params,
                      std::size_t heap_bytes) {
  auto heap = testing::make_heap(collector, allocator,
                                 {.heap_bytes = heap_bytes, .verify = true});
  FragmentationWorkload workload(params);
  Mutator mutator(*heap);
  return workload.run(mutator, 1);
}

TEST(Fragmentation, ChecksEveryKeptAndLargeObject) {
  WorkloadReport report =
      run_on("mark-sweep", "free-list", kTightParams, 64 << 20);
  EXPECT_EQ(report.checks_passed, 20'000u + 1'500u);
  EXPECT_EQ(report.output.at(0),
            "kept 20000 of 40000 small objects, then allocated 1500 large");
}

TEST(Fragmentation, MarkSweepRunsOutOfHolesWhereMarkCompactFits) {
  try {
    run_on("mark-sweep", "free-list", kTightParams, kTightHeap);
    ADD_FAILURE() << "mark-sweep over a free list found room for the large "
                     "objects; the workload no longer fragments the heap";
  } catch (const HeapExhausted& exhausted) {
    EXPECT_NE(std::string(exhausted.what()).find("fragmented: largest free"),
              std::string::npos)
        << exhausted.what();
  }
  for (std::string_view allocator : {"bump", "free-list", "tlsf"}) {
    WorkloadReport report =
        run_on("mark-compact", allocator, kTightParams, kTightHeap);
    EXPECT_EQ(report.checks_passed, 21'500u) << allocator;
  }
}

TEST(Fragmentation, RejectsLargeObjectsThatFitAHole) {
  FragmentationParams params = kTightParams;
  params.keep_every = 4;  // holes of three small objects: 216 bytes
  params.large = 64;
  EXPECT_THROW(FragmentationWorkload{params}, ConfigError);
}

}  // namespace
}  // namespace gclab
