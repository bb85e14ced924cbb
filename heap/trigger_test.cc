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
  EXPECT_EQ(parse_trigger("gogc:100")->spec(), "gogc:100");
  EXPECT_EQ(parse_trigger("gogc:50")->spec(), "gogc:50");
}

TEST(ParseTrigger, RejectsEverythingElse) {
  for (const char* bad :
       {"", "never", "occupancy", "occupancy:", "occupancy:0", "occupancy:1.5",
        "occupancy:-0.1", "occupancy:x", "gogc", "gogc:", "gogc:0", "gogc:-5",
        "gogc:1.5", "gogc:off", "gogc:100x"}) {
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

TEST(GogcTrigger, CollectsWhenInUseReachesLiveTimesOnePlusGogc) {
  for (int gogc : {50, 100, 200}) {
    auto heap =
        testing::make_heap("mark-sweep", "free-list", {.heap_bytes = 64 << 20},
                           {}, "gogc:" + std::to_string(gogc));
    Mutator mutator(*heap);
    // About 5 MiB live, above the 4 MiB minimum goal.
    Root live(mutator, testing::build_tree(mutator, 16));
    for (int i = 0; i < 600; ++i) testing::build_tree(mutator, 10);
    const auto& cycles = heap->events().cycles();
    ASSERT_GT(cycles.size(), 2u) << "gogc:" << gogc;
    for (std::size_t i = 1; i < cycles.size(); ++i) {
      EXPECT_EQ(cycles[i].cause, GcCause::kTrigger);
      double goal = cycles[i - 1].after.in_use_bytes * (1 + gogc / 100.0);
      // Asked on every refill: at most one chunk past the goal.
      EXPECT_GE(cycles[i].before.in_use_bytes, goal) << "gogc:" << gogc;
      EXPECT_LE(cycles[i].before.in_use_bytes, goal + (64 << 10))
          << "gogc:" << gogc;
    }
  }
}

TEST(GogcTrigger, GoalNeverFallsBelowFourMebibytes) {
  auto heap = testing::make_heap("mark-sweep", "free-list",
                                 {.heap_bytes = 64 << 20}, {}, "gogc:100");
  Mutator mutator(*heap);
  for (int i = 0; i < 400; ++i) testing::build_tree(mutator, 10);  // ~16 MiB
  ASSERT_FALSE(heap->events().cycles().empty());
  for (const CycleRecord& cycle : heap->events().cycles()) {
    EXPECT_GE(cycle.before.in_use_bytes, 4u << 20);
  }
}

// The pacer: a cycle that let the mutators allocate while it marked starts
// the next one that much before the goal, bounded to 0.7..0.95 of the way
// from live to the goal.
TEST(GogcTrigger, PacesTheNextCycleByTheAllocationWhileMarking) {
  auto trigger = parse_trigger("gogc:100");
  auto heap = testing::make_unreclaimed_heap();
  const Allocator& allocator = heap->allocator();
  AllocatorStats after{.in_use_bytes = 40 << 20};
  const std::size_t goal = 80 << 20;

  trigger->after_collection(after, 0);
  EXPECT_EQ(trigger->heap_goal(), goal);
  EXPECT_EQ(trigger->trigger_bytes(allocator), goal)
      << "stop-the-world: collect at the goal";

  trigger->after_collection(after, 6 << 20);
  EXPECT_EQ(trigger->trigger_bytes(allocator), goal - (6 << 20));

  trigger->after_collection(after, 1 << 20);
  EXPECT_EQ(trigger->trigger_bytes(allocator),
            (40 << 20) + (40 << 20) / 100 * 95)
      << "never later than 0.95 of the runway";

  trigger->after_collection(after, 30 << 20);
  EXPECT_EQ(trigger->trigger_bytes(allocator),
            (40 << 20) + (40 << 20) / 100 * 70)
      << "never earlier than 0.7 of the runway";
}

}  // namespace
}  // namespace gclab
