// --pretouch moves the heap's first-touch page faults out of the run: they
// happen before the clock, are counted apart, and the run itself faults less.
#include <gtest/gtest.h>

#include "harness/runner.h"
#include "harness/selection.h"

namespace gclab {
namespace {

RunRecord run_none(std::size_t heap_bytes, bool pretouch) {
  RunConfig config{.collector = "none",
                   .allocator = "bump",
                   .workload = "binary-trees",
                   .heap_bytes = heap_bytes,
                   .params = {parse_param("max-depth=11")},
                   .quiet = true};
  config.pretouch = pretouch;
  return run_configuration(config, select_components(config));
}

TEST(Pretouch, FaultsTheHeapInBeforeTheClock) {
  const std::size_t heap_bytes = std::size_t{32} << 20;
  RunRecord cold = run_none(heap_bytes, false);
  RunRecord warm = run_none(heap_bytes, true);

  EXPECT_FALSE(cold.pretouch);
  EXPECT_EQ(cold.pretouch_ns, 0);
  EXPECT_EQ(cold.pretouch_minor_faults, 0);
  EXPECT_TRUE(warm.pretouch);
  EXPECT_GT(warm.pretouch_ns, 0);
  // Every page of the heap, give or take the few the bump allocator's
  // construction touched.
  EXPECT_GE(warm.pretouch_minor_faults,
            static_cast<std::int64_t>(heap_bytes / 4096) - 16);

  // The cold run faulted in the pages its objects took; the warm one found
  // them committed.
  const std::int64_t heap_pages_used =
      static_cast<std::int64_t>(cold.final_heap.in_use_bytes / 4096);
  ASSERT_GT(heap_pages_used, 1000) << "the workload should fill >4 MiB";
  EXPECT_GE(cold.minor_faults, heap_pages_used);
  EXPECT_LT(warm.minor_faults, cold.minor_faults - heap_pages_used / 2);
  EXPECT_EQ(warm.checks_passed, cold.checks_passed);
}

TEST(Pretouch, SizeClassPretouchesItsBitmapsToo) {
  RunConfig config{.collector = "mark-sweep",
                   .allocator = "size-class",
                   .workload = "binary-trees",
                   .heap_bytes = std::size_t{64} << 20,
                   .params = {parse_param("max-depth=10")},
                   .quiet = true};
  config.pretouch = true;
  RunRecord record = run_configuration(config, select_components(config));
  // The arena, and three bitmaps of one bit per 8-byte granule.
  const std::int64_t arena_pages = (64 << 20) / 4096;
  EXPECT_GE(record.pretouch_minor_faults, arena_pages + 3 * arena_pages / 64);
}

}  // namespace
}  // namespace gclab
