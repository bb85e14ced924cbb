#include "heap/trigger.h"

#include <gtest/gtest.h>

#include "heap/errors.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

TEST(ParseTrigger, AcceptsTheDocumentedForms) {
  EXPECT_EQ(parse_trigger("on-failure")->spec(), "on-failure");
  EXPECT_EQ(parse_trigger("occupancy:0.75")->spec(), "occupancy:0.75");
  EXPECT_EQ(parse_trigger("occupancy:1")->spec(), "occupancy:1");
}

TEST(ParseTrigger, RejectsEverythingElse) {
  for (const char* bad : {"", "never", "occupancy", "occupancy:", "occupancy:0",
                          "occupancy:1.5", "occupancy:-0.1", "occupancy:x"}) {
    EXPECT_THROW(parse_trigger(bad), ConfigError) << "'" << bad << "'";
  }
}

TEST(OccupancyTrigger, CollectsBeforeTheHeapIsFull) {
  auto heap = testing::make_heap("mark-sweep", "free-list",
                                 {.heap_bytes = 4 << 20}, {}, "occupancy:0.5");
  Mutator mutator(*heap);
  for (int i = 0; i < 200; ++i) testing::build_tree(mutator, 8);  // ~4 MiB
  ASSERT_FALSE(heap->events().cycles().empty());
  for (const CycleRecord& cycle : heap->events().cycles()) {
    EXPECT_EQ(cycle.cause, GcCause::kTrigger);
    // A refill is at most a chunk past the threshold.
    EXPECT_LE(cycle.before.in_use_bytes, (2u << 20) + (64u << 10));
  }
}

TEST(OccupancyTrigger, BacksOffWhenLiveDataExceedsTheThreshold) {
  auto heap = testing::make_heap("mark-sweep", "free-list",
                                 {.heap_bytes = 4 << 20}, {}, "occupancy:0.1");
  Mutator mutator(*heap);
  Root live(mutator, testing::build_tree(mutator, 13));  // ~640 KiB > 10%
  for (int i = 0; i < 200; ++i) testing::build_tree(mutator, 8);
  std::size_t cycles = heap->events().cycles().size();
  // Without backing off it would collect on nearly every 32 KiB refill.
  EXPECT_LT(cycles, 40u) << "collected " << cycles << " times";
  EXPECT_GT(cycles, 0u);
}

}  // namespace
}  // namespace gclab
