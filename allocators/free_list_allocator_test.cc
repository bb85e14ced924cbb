// The free list's own behaviour: its fit policies and how it splits
// blocks. What it shares with tlsf (sweeping, coalescing, refills, stats) is
// tested for both in arena_sweep_test.cc.
#include "allocators/free_list_allocator.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <vector>

#include "allocators/allocator_test_util.h"
#include "heap/errors.h"

namespace gclab {
namespace {

using allocator_testing::allocate_object;
using allocator_testing::kChunk;
using allocator_testing::kSmallChunk;
using allocator_testing::place;
using allocator_testing::walk_objects;

// Holes of 128, 256, 96 and 72 bytes, in that address order, separated by
// live 48-byte objects; the arena has no other free space.
struct HoleyHeap {
  std::unique_ptr<FreeListAllocator> allocator;
  std::array<std::byte*, 4> holes;
};

HoleyHeap make_holey_heap(FitPolicy fit) {
  HoleyHeap heap{std::make_unique<FreeListAllocator>(1024, fit, kSmallChunk),
                 {}};
  std::vector<Object*> objects =
      place(*heap.allocator, {128, 48, 256, 48, 96, 48, 72, 48, 280});
  for (int i = 0; i < 4; ++i) {
    heap.holes[i] = objects[2 * i]->address();
    heap.allocator->free_object(objects[2 * i], /*poison=*/false);
  }
  return heap;
}

TEST(FreeListAllocatorTest, FirstFitTakesTheLowestBlockThatFits) {
  HoleyHeap heap = make_holey_heap(FitPolicy::kFirst);
  AllocationBuffer buffer;

  EXPECT_EQ(heap.allocator->allocate_slow(buffer, 200), heap.holes[1])
      << "only the 256-byte hole fits 200 bytes";
  EXPECT_EQ(heap.allocator->allocate_slow(buffer, 64), heap.holes[0])
      << "first fit goes back to the lowest hole";
}

TEST(FreeListAllocatorTest, NextFitResumesAfterThePreviousAllocation) {
  HoleyHeap heap = make_holey_heap(FitPolicy::kNext);
  AllocationBuffer buffer;

  EXPECT_EQ(heap.allocator->allocate_slow(buffer, 200), heap.holes[1])
      << "only the 256-byte hole fits 200 bytes";
  EXPECT_EQ(heap.allocator->allocate_slow(buffer, 64), heap.holes[2])
      << "next fit skips the 56-byte rest and takes the 96-byte hole";
  EXPECT_EQ(heap.allocator->allocate_slow(buffer, 104), heap.holes[0])
      << "next fit wraps around to the head when nothing further fits";
}

TEST(FreeListAllocatorTest, BestFitTakesTheSmallestBlockThatFits) {
  HoleyHeap heap = make_holey_heap(FitPolicy::kBest);
  AllocationBuffer buffer;

  EXPECT_EQ(heap.allocator->allocate_slow(buffer, 200), heap.holes[1])
      << "only the 256-byte hole fits 200 bytes";
  EXPECT_EQ(heap.allocator->allocate_slow(buffer, 64), heap.holes[3])
      << "best fit takes the 72-byte hole";
}

TEST(FreeListAllocatorTest, ExactPlacementLeavesAFillerForAnEightByteRest) {
  HoleyHeap heap = make_holey_heap(FitPolicy::kBest);
  AllocationBuffer buffer;

  std::byte* at = heap.allocator->allocate_slow(buffer, 64);

  ASSERT_EQ(at, heap.holes[3]);
  auto* rest = reinterpret_cast<Object*>(at + 64);
  EXPECT_EQ(rest->kind(), BlockKind::kFiller)
      << "8 bytes cannot hold a free block's link";
  EXPECT_EQ(rest->size_bytes(), 8u);
  EXPECT_EQ(heap.allocator->stats().free_blocks, 3u)
      << "the 72-byte hole left the list";
}

TEST(FreeListAllocatorTest, RefillFallsBackToABlockSmallerThanAChunk) {
  FreeListAllocator allocator(4096, FitPolicy::kFirst, kChunk);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  ASSERT_EQ(allocator.allocate_slow(buffer, 3584), base);

  std::byte* at = allocator.allocate_slow(buffer, 32);

  EXPECT_EQ(at, base + 3584) << "the only block left is 512 bytes";
  EXPECT_EQ(buffer.limit, base + 4096) << "the buffer takes all of it";
  EXPECT_EQ(allocator.stats().free_bytes, 0u);
}

TEST(FreeListAllocatorTest, RetireFormatsAnEightByteTailAsFiller) {
  FreeListAllocator allocator(64 << 10, FitPolicy::kFirst, kChunk);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  for (int i = 0; i < 3; ++i) allocate_object(allocator, buffer, 256);
  allocate_object(allocator, buffer, kChunk - 8 - 3 * 256);
  ASSERT_EQ(buffer.remaining(), 8u);

  allocator.retire(buffer);

  auto* tail = reinterpret_cast<Object*>(base + kChunk - 8);
  EXPECT_EQ(tail->kind(), BlockKind::kFiller);
  EXPECT_EQ(tail->size_bytes(), 8u);
  EXPECT_EQ(allocator.stats().free_bytes, (64u << 10) - kChunk)
      << "a filler is not free space";
}

TEST(FreeListAllocatorTest, ResetTopRestartsNextFitAtTheNewTop) {
  FreeListAllocator allocator(4096, FitPolicy::kNext, kSmallChunk);
  std::byte* base = allocator.arena().data();
  std::vector<Object*> objects = place(allocator, {48, 48, 48});

  allocator.reset_top(base + 48);

  EXPECT_EQ(walk_objects(allocator), std::vector<Object*>{objects[0]});
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_EQ(stats.free_bytes, 4096u - 48);
  AllocationBuffer buffer;
  EXPECT_EQ(allocator.allocate_slow(buffer, 64), base + 48)
      << "allocation restarts at the new top";
}

// First fit is among the allocators of arena_sweep_test.cc.
class FreeListThreadsTest : public ::testing::TestWithParam<FitPolicy> {};

TEST_P(FreeListThreadsTest, TwoThreadsGetDisjointObjects) {
  FreeListAllocator allocator(16 << 20, GetParam(), kChunk);
  allocator_testing::expect_two_threads_get_disjoint_objects(allocator);
}

TEST_P(FreeListThreadsTest, TwoThreadsSweepingLazilyGetDisjointObjects) {
  FreeListAllocator allocator(16 << 20, GetParam(), kChunk);
  allocator_testing::expect_two_threads_sweeping_lazily_get_disjoint_objects(
      allocator);
}

INSTANTIATE_TEST_SUITE_P(NextAndBestFit, FreeListThreadsTest,
                         ::testing::Values(FitPolicy::kNext, FitPolicy::kBest));

TEST(FreeListAllocatorTest, UnknownFitIsAConfigError) {
  EXPECT_THROW(parse_fit_policy("worst"), ConfigError);
  EXPECT_EQ(parse_fit_policy("next"), FitPolicy::kNext);
}

}  // namespace
}  // namespace gclab
