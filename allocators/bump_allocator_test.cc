#include "allocators/bump_allocator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "allocators/allocator_test_util.h"
#include "heap/errors.h"

namespace gclab {
namespace {

using allocator_testing::allocate_object;
using allocator_testing::Block;
using allocator_testing::walk_blocks;
using allocator_testing::walk_objects;

constexpr std::size_t kTlab = 1024;

std::span<std::byte> allocated_part(BumpAllocator& allocator) {
  return allocator.arena().first(allocator.in_use_bytes());
}

TEST(BumpAllocatorTest, RefillHandsOutOneTlab) {
  BumpAllocator allocator(64 << 10, kTlab);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;

  std::byte* at = allocator.allocate_slow(buffer, 32);

  EXPECT_EQ(at, base) << "the first object starts the first TLAB";
  EXPECT_EQ(buffer.cursor, base + 32) << "the buffer continues after it";
  EXPECT_EQ(buffer.limit, base + kTlab) << "the buffer ends with the TLAB";
  EXPECT_EQ(allocator.in_use_bytes(), kTlab);
}

TEST(BumpAllocatorTest, RefillRetiresTheBufferItIsGiven) {
  BumpAllocator allocator(64 << 10, kTlab);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  allocate_object(allocator, buffer, 32);

  std::byte* at = allocator.allocate_slow(buffer, 48);

  EXPECT_EQ(at, base + kTlab) << "a refill starts a new TLAB";
  EXPECT_EQ(buffer.limit, base + 2 * kTlab);
  Object::format(at, 48, ObjectShape{.payload_bytes = 32}, kUnmarked);
  allocator.retire(buffer);
  std::vector<Block> expected = {
      {base, BlockKind::kObject, 32},
      {base + 32, BlockKind::kFree, kTlab - 32},
      {base + kTlab, BlockKind::kObject, 48},
      {base + kTlab + 48, BlockKind::kFree, kTlab - 48}};
  EXPECT_EQ(walk_blocks(allocated_part(allocator)), expected)
      << "both TLABs' tails are formatted as free blocks";
}

TEST(BumpAllocatorTest, LargeObjectGoesToTheTopAndKeepsTheTlab) {
  BumpAllocator allocator(64 << 10, kTlab);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  allocate_object(allocator, buffer, 32);
  AllocationBuffer before = buffer;

  std::byte* at = allocator.allocate_slow(buffer, kTlab / 4 + 8);

  EXPECT_EQ(at, base + kTlab) << "a large object is placed at the top";
  EXPECT_EQ(buffer.cursor, before.cursor) << "the TLAB stays in use";
  EXPECT_EQ(buffer.limit, before.limit);
  EXPECT_EQ(allocator.in_use_bytes(), kTlab + kTlab / 4 + 8)
      << "the top moved by the object's size only";
}

TEST(BumpAllocatorTest, LargerThanTlabObjectIsPlaced) {
  BumpAllocator allocator(64 << 10, kTlab);
  AllocationBuffer buffer;

  Object* object = allocate_object(allocator, buffer, 4 * kTlab);

  ASSERT_NE(object, nullptr) << "an object larger than a TLAB still fits";
  EXPECT_EQ(object->address(), allocator.arena().data());
  EXPECT_EQ(buffer.remaining(), 0u) << "no TLAB was handed out";
}

TEST(BumpAllocatorTest, RetireFormatsTailAsFreeBlock) {
  BumpAllocator allocator(64 << 10, kTlab);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  allocate_object(allocator, buffer, 40);

  allocator.retire(buffer);

  EXPECT_EQ(buffer.cursor, nullptr) << "a retired buffer is empty";
  EXPECT_EQ(buffer.remaining(), 0u);
  std::vector<Block> expected = {{base, BlockKind::kObject, 40},
                                 {base + 40, BlockKind::kFree, kTlab - 40}};
  EXPECT_EQ(walk_blocks(allocated_part(allocator)), expected);
}

TEST(BumpAllocatorTest, RetireFormatsEightByteTailAsFiller) {
  BumpAllocator allocator(64 << 10, kTlab);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  std::size_t used = 0;
  while (used + 256 <= kTlab - 8) {
    allocate_object(allocator, buffer, 256);
    used += 256;
  }
  allocate_object(allocator, buffer, kTlab - 8 - used);
  ASSERT_EQ(buffer.remaining(), 8u);

  allocator.retire(buffer);

  std::vector<Block> blocks = walk_blocks(allocated_part(allocator));
  ASSERT_FALSE(blocks.empty());
  EXPECT_EQ(blocks.back(), (Block{base + kTlab - 8, BlockKind::kFiller, 8}))
      << "an 8-byte tail cannot hold a free block's link and becomes a filler";
}

TEST(BumpAllocatorTest, RetireKeepsArenaParseable) {
  BumpAllocator allocator(1 << 20, kTlab);
  allocator_testing::expect_retire_keeps_the_arena_parseable(allocator);
}

TEST(BumpAllocatorTest, ExhaustionReturnsNull) {
  BumpAllocator allocator(4 * kTlab, kTlab);
  AllocationBuffer buffer;
  for (int i = 0; i < 4; ++i) {
    ASSERT_NE(allocator.allocate_slow(buffer, 64), nullptr)
        << "refill " << i << " fits in the arena";
  }

  EXPECT_EQ(allocator.allocate_slow(buffer, 64), nullptr)
      << "a refill of a full arena fails";
  EXPECT_EQ(allocator.allocate_slow(buffer, kTlab), nullptr)
      << "a large object in a full arena fails";
  EXPECT_EQ(allocator.stats().free_bytes, 0u);
}

TEST(BumpAllocatorTest, LastTlabTakesWhatRemains) {
  BumpAllocator allocator(2 * kTlab + 512, kTlab);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  allocator.allocate_slow(buffer, 64);
  allocator.allocate_slow(buffer, 64);

  std::byte* at = allocator.allocate_slow(buffer, 64);

  EXPECT_EQ(at, base + 2 * kTlab);
  EXPECT_EQ(buffer.limit, base + 2 * kTlab + 512)
      << "a short last TLAB ends at the arena's end";
}

TEST(BumpAllocatorTest, LargeObjectBeyondRemainingSpaceFails) {
  BumpAllocator allocator(2 * kTlab, kTlab);
  AllocationBuffer buffer;
  allocator.allocate_slow(buffer, 64);

  EXPECT_EQ(allocator.allocate_slow(buffer, kTlab + 8), nullptr)
      << "only one TLAB's worth is left";
  EXPECT_NE(allocator.allocate_slow(buffer, kTlab), nullptr)
      << "a failed request must not move the top";
}

TEST(BumpAllocatorTest, ResetTopRestartsAllocationAtTheNewTop) {
  BumpAllocator allocator(64 << 10, kTlab);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  Object* first = allocate_object(allocator, buffer, 64);
  allocate_object(allocator, buffer, 2048);
  allocate_object(allocator, buffer, 64);
  allocator.retire(buffer);
  std::size_t committed = allocator.stats().committed_bytes;

  allocator.reset_top(base + 64);

  EXPECT_EQ(walk_objects(allocator), std::vector<Object*>{first})
      << "only what lies below the new top is walked";
  EXPECT_EQ(allocator.in_use_bytes(), 64u);
  EXPECT_EQ(allocator.stats().committed_bytes, committed)
      << "committed is a high-water mark and survives the reset";
  EXPECT_EQ(allocator.allocate_slow(buffer, 32), base + 64)
      << "the next TLAB starts at the new top";
}

TEST(BumpAllocatorTest, StatsFollowTheTop) {
  constexpr std::size_t kHeap = 8 * kTlab;
  BumpAllocator allocator(kHeap, kTlab);
  AllocationBuffer buffer;
  allocate_object(allocator, buffer, 32);
  allocator.allocate_slow(buffer, 512);

  AllocatorStats stats = allocator.stats();

  EXPECT_EQ(stats.heap_bytes, kHeap);
  EXPECT_EQ(stats.in_use_bytes, kTlab + 512) << "one TLAB and a large object";
  EXPECT_EQ(stats.committed_bytes, kTlab + 512);
  EXPECT_EQ(stats.free_bytes, kHeap - kTlab - 512);
  EXPECT_EQ(stats.largest_free_block, stats.free_bytes)
      << "everything above the top is one block";
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_EQ(allocator.in_use_bytes(), stats.in_use_bytes);
}

TEST(BumpAllocatorTest, TwoThreadsGetDisjointObjects) {
  BumpAllocator allocator(16 << 20, kTlab);
  allocator_testing::expect_two_threads_get_disjoint_objects(allocator);
}

// The message a heap of `heap_bytes` is refused with, or "" if it is not.
std::string refusal(std::size_t heap_bytes) {
  try {
    BumpAllocator allocator(heap_bytes, kTlab);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

// Mark-compact, the one collector that reclaims a bump heap, keeps each
// forwarding address in the header's 32-bit collector word, in granules
// from the base: a heap must span no more granules than that counts. The
// size is checked before the arena is reserved, so a heap too large to
// reserve at all gets the same one line.
TEST(BumpAllocatorTest, HeapBeyondA32BitGranuleOffsetIsAConfigError) {
  constexpr std::size_t kMaxHeap = std::size_t{UINT32_MAX} * kGranuleBytes;
  EXPECT_EQ(refusal(kMaxHeap + kGranuleBytes),
            "bump allocator: heap of 34359738368 bytes must be between 16 "
            "and 34359738360 bytes");
  EXPECT_EQ(refusal(std::size_t{1} << 50),
            "bump allocator: heap of 1125899906842624 bytes must be between "
            "16 and 34359738360 bytes")
      << "refused by its size, not by the failed reservation";
  EXPECT_EQ(refusal(8),
            "bump allocator: heap of 8 bytes must be between 16 and "
            "34359738360 bytes")
      << "a heap must hold one object";
  EXPECT_EQ(refusal(64 << 10), "");
}

TEST(BumpAllocatorTest, TlabThatIsNotAGranuleMultipleIsAConfigError) {
  EXPECT_THROW(BumpAllocator(1 << 20, 1001), ConfigError);
  EXPECT_THROW(BumpAllocator(1 << 20, 8), ConfigError);
}

}  // namespace
}  // namespace gclab
