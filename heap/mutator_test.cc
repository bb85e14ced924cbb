#include "heap/mutator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <span>

#include "testing/test_heap.h"

namespace gclab {
namespace {

// The fast path counts nothing; the counts are derived from the stress
// countdown and the buffers' cursors, and must still be exact.
void expect_exact_counts(std::string_view collector, std::string_view allocator,
                         std::uint64_t stress,
                         std::size_t heap_bytes = 16 << 20) {
  auto heap = testing::make_heap(
      collector, allocator,
      {.heap_bytes = heap_bytes, .verify = true, .stress_interval = stress});
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  {
    Mutator mutator(*heap);
    Root kept(mutator);
    for (std::uint32_t i = 0; i < 20000; ++i) {
      // Small objects, and every 97th one larger than a buffer chunk's
      // quarter, so that some are placed outside any buffer.
      ObjectShape shape{.num_refs = 1,
                        .payload_bytes = i % 97 == 0 ? 20000 : i % 200};
      Object* object = mutator.allocate(shape);
      if (i % 10 == 0) {
        mutator.write(object, 0, kept.get());
        kept = object;
      }
      ++objects;
      bytes += shape.size_bytes();
      ASSERT_EQ(mutator.counters().objects_allocated, objects);
      ASSERT_EQ(mutator.counters().bytes_allocated, bytes);
    }
  }
  EXPECT_EQ(heap->mutator_totals().objects_allocated, objects);
  EXPECT_EQ(heap->mutator_totals().bytes_allocated, bytes);
}

TEST(MutatorCounters, ExactAcrossRefillsAndLargeObjects) {
  expect_exact_counts("none", "bump", 0);
  expect_exact_counts("none", "free-list", 0);
}

TEST(MutatorCounters, ExactAcrossStressCollectionsThatRetireBuffers) {
  expect_exact_counts("mark-sweep", "free-list", 37);
}

TEST(MutatorCounters, ExactWhenRefillsFailAndCollectionsFollow) {
  // 1 MiB: refills fail, the allocator has already retired the buffer, and
  // the collection that follows retires it again.
  expect_exact_counts("mark-sweep", "free-list", 0, 1 << 20);
}

TEST(MutatorCounters, StressCollectsEveryNAllocations) {
  auto heap =
      testing::make_heap("mark-sweep", "free-list",
                         {.heap_bytes = 4 << 20, .stress_interval = 50});
  Mutator mutator(*heap);
  for (int i = 0; i < 1000; ++i) mutator.allocate(testing::kNodeShape);
  EXPECT_EQ(heap->events().cycles().size(), 1000u / 50);
}

// Counts the stress collections it is asked for and marks nothing, so that
// a census comes every N allocations too.
class StressCountingCollector final : public Collector {
 public:
  CollectorCapabilities capabilities() const override {
    return {.collects = false, .marks_reachable = false};
  }
  void collect(Mutator*, GcCause cause) override {
    if (cause == GcCause::kStress) ++stress_collections;
  }
  std::uint64_t stress_collections = 0;
};

// --stress and an interval census share the fast path's countdown: each
// comes exactly every N allocations, and the counts stay exact.
TEST(MutatorCounters, StressAndIntervalCensusShareTheCountdown) {
  StressCountingCollector* collector = nullptr;
  auto heap = testing::make_heap_with(
      [&collector](Heap&) {
        auto made = std::make_unique<StressCountingCollector>();
        collector = made.get();
        return made;
      },
      "bump",
      {.heap_bytes = 16 << 20,
       .stress_interval = 37,
       .census = {.enabled = true, .interval_allocations = 50}});
  Mutator mutator(*heap);
  std::uint64_t bytes = 0;
  for (std::uint64_t i = 1; i <= 2000; ++i) {
    ObjectShape shape{.num_refs = 1,
                      .payload_bytes = i % 97 == 0 ? 20000u : 16u};
    mutator.allocate(shape);
    bytes += shape.size_bytes();
    ASSERT_EQ(mutator.counters().objects_allocated, i);
    ASSERT_EQ(mutator.counters().bytes_allocated, bytes);
    ASSERT_EQ(collector->stress_collections, i / 37);
    ASSERT_EQ(heap->census()->records().size(), i / 50);
  }
  EXPECT_EQ(heap->census()->records().back().allocated_objects, 2000u);
}

// Under a collector that does not mark concurrently, a chosen barrier runs
// for the whole run: every overwritten (yuasa) or stored (dijkstra) object
// is shaded, and full buffers are handed to a sink that discards them.
TEST(Barrier, UnderNoneShadesWhatItsKindSaysAndDiscardsFullBuffers) {
  for (BarrierKind kind : {BarrierKind::kDijkstra, BarrierKind::kYuasa}) {
    auto heap = testing::make_heap("none", "bump",
                                   {.heap_bytes = 16 << 20, .barrier = kind});
    MutatorCounters counts;
    {
      Mutator mutator(*heap);
      Root holder(mutator, mutator.allocate(testing::kNodeShape));
      const int writes = 1000;
      for (int i = 0; i < writes; ++i) {
        Object* value = mutator.allocate(testing::kNodeShape);
        mutator.write(holder.get(), 0, value);
      }
      counts = mutator.counters();
      EXPECT_EQ(counts.barrier_slow_paths, 1000u) << to_string(kind);
      // Yuasa shades the previous value: every write but the first.
      EXPECT_EQ(counts.barrier_shaded,
                kind == BarrierKind::kYuasa ? 999u : 1000u)
          << to_string(kind);
      EXPECT_EQ(counts.barrier_buffer_flushes,
                counts.barrier_shaded / BarrierBuffer::kCapacity)
          << to_string(kind);
    }
  }
}

TEST(Barrier, OffByDefault) {
  auto heap = testing::make_unreclaimed_heap();
  Mutator mutator(*heap);
  Root holder(mutator, mutator.allocate(testing::kNodeShape));
  mutator.write(holder.get(), 0, holder.get());
  EXPECT_EQ(mutator.counters().reference_writes, 1u);
  EXPECT_EQ(mutator.counters().barrier_slow_paths, 0u);
}

// Large objects zero their payload in steps with safepoint polls between;
// the result is the same zeroed object, here over memory a dead object of
// the same size had filled with ones.
TEST(LargeObjects, PayloadIsZeroedOverReusedMemory) {
  auto heap = testing::make_heap("mark-sweep", "free-list",
                                 {.heap_bytes = 8 << 20, .verify = true});
  Mutator mutator(*heap);
  const ObjectShape large{.site = 0,
                          .num_refs = 3,
                          .payload_bytes = 5 * Mutator::kZeroingStep + 40};
  ASSERT_GE(large.size_bytes(), Mutator::kStepwiseZeroingBytes);
  Object* dirty = mutator.allocate(large);
  std::memset(dirty->payload().data(), 0xFF, dirty->payload_bytes());
  heap->collect(&mutator, GcCause::kExplicit);  // `dirty` is garbage now
  heap->collect(&mutator, GcCause::kExplicit);  // and swept
  Object* fresh = mutator.allocate(large);
  EXPECT_EQ(fresh->num_refs(), 3);
  EXPECT_EQ(fresh->payload_bytes(), large.payload_bytes);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(fresh->load_slot(i), nullptr);
  std::span<std::byte> payload = fresh->payload();
  EXPECT_TRUE(std::all_of(payload.begin(), payload.end(),
                          [](std::byte b) { return b == std::byte{0}; }));
}

}  // namespace
}  // namespace gclab
