// Tlsf's own behaviour: its list mapping, good fit, splitting, the
// boundary bits and the O(1) bound. What it shares with the free list
// (sweeping, coalescing, refills, stats) is tested for both in
// arena_sweep_test.cc.
#include "allocators/tlsf_allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

#include "allocators/allocator_test_util.h"

namespace gclab {

// Reads the allocator's count of list operations, for the O(1) bound.
class TlsfAllocatorTestPeer {
 public:
  static std::uint64_t list_operations(const TlsfAllocator& allocator) {
    std::lock_guard lock(allocator.mutex_);
    return allocator.list_operations_;
  }
};

namespace {

using allocator_testing::allocate_object;
using allocator_testing::Block;
using allocator_testing::kChunk;
using allocator_testing::kSmallChunk;
using allocator_testing::place;
using allocator_testing::place_directly;
using allocator_testing::walk_blocks;
using ListIndex = TlsfAllocator::ListIndex;

TEST(TlsfMappingTest, SmallBlocksHaveOneExactListPerSize) {
  EXPECT_EQ(TlsfAllocator::list_of_block(24), (ListIndex{0, 3}));
  EXPECT_EQ(TlsfAllocator::list_of_block(32), (ListIndex{0, 4}));
  EXPECT_EQ(TlsfAllocator::list_of_block(248), (ListIndex{0, 31}))
      << "31 granules, the largest exact size";
}

TEST(TlsfMappingTest, EachPowerOfTwoSplitsIntoThirtyTwoLists) {
  EXPECT_EQ(TlsfAllocator::list_of_block(256), (ListIndex{1, 0}))
      << "32 granules start the first power-of-two range";
  EXPECT_EQ(TlsfAllocator::list_of_block(264), (ListIndex{1, 1}))
      << "lists of 2^5..2^6 granules are one granule wide";
  EXPECT_EQ(TlsfAllocator::list_of_block(504), (ListIndex{1, 31}));
  EXPECT_EQ(TlsfAllocator::list_of_block(512), (ListIndex{2, 0}));
  EXPECT_EQ(TlsfAllocator::list_of_block(520), (ListIndex{2, 0}))
      << "lists of 2^6..2^7 granules are two granules wide";
  EXPECT_EQ(TlsfAllocator::list_of_block(528), (ListIndex{2, 1}));
  EXPECT_EQ(TlsfAllocator::list_of_block(std::size_t{1} << 20),
            (ListIndex{13, 0}))
      << "2^17 granules";
  EXPECT_EQ(TlsfAllocator::list_of_block(std::size_t{UINT32_MAX} * 8),
            (ListIndex{TlsfAllocator::kFirstLevelCount - 1, 31}))
      << "the largest block a header can describe is on the last list";
}

TEST(TlsfMappingTest, RequestsRoundUpToTheNextListBoundary) {
  EXPECT_EQ(TlsfAllocator::list_of_request(24), (ListIndex{0, 3}))
      << "exact lists need no rounding";
  EXPECT_EQ(TlsfAllocator::list_of_request(512), (ListIndex{2, 0}))
      << "a request on a boundary keeps its list";
  EXPECT_EQ(TlsfAllocator::list_of_request(520), (ListIndex{2, 1}))
      << "65 granules: list (2, 0) also holds 64-granule blocks";
  EXPECT_EQ(TlsfAllocator::list_of_request(1016), (ListIndex{3, 0}))
      << "127 granules round up into the next power of two";
  EXPECT_EQ(TlsfAllocator::list_of_request(std::size_t{UINT32_MAX} * 8),
            std::nullopt)
      << "no list lies above the last one";
}

TEST(TlsfMappingTest, EveryBlockOnARequestsListHoldsIt) {
  for (std::size_t bytes = 16; bytes <= (std::size_t{1} << 20); bytes += 8) {
    std::optional<ListIndex> request = TlsfAllocator::list_of_request(bytes);
    ASSERT_TRUE(request.has_value()) << bytes;
    // Lists are ordered by size, so a block smaller than the request is on
    // that list only if the block 8 bytes smaller is.
    ListIndex smaller = TlsfAllocator::list_of_block(bytes - 8);
    ASSERT_NE(smaller, *request)
        << "a block of " << bytes - 8 << " bytes is on the list a request of "
        << bytes << " searches from";
    ListIndex own = TlsfAllocator::list_of_block(bytes);
    ListIndex after_own = own.second + 1 < TlsfAllocator::kSecondLevelCount
                              ? ListIndex{own.first, own.second + 1}
                              : ListIndex{own.first + 1, 0};
    ASSERT_TRUE(*request == own || *request == after_own)
        << "a request of " << bytes
        << " bytes searches from its own list or the next, no higher";
  }
}

TEST(TlsfAllocatorTest, GoodFitSkipsAListThatMayHoldSmallerBlocks) {
  TlsfAllocator allocator(4096, kSmallChunk);
  std::byte* base = allocator.arena().data();
  // A 520-byte hole (list (2, 0), which starts at 512), a live object, a
  // 1024-byte hole, a live object, then 2448 bytes that stay in use.
  std::vector<Object*> objects = place(allocator, {520, 48, 1024, 48, 2456});
  allocator.free_object(objects[0], /*poison=*/false);
  allocator.free_object(objects[2], false);

  EXPECT_EQ(place_directly(allocator, 520)->address(), base + 568)
      << "a 520-byte request searches from list (2, 1): the 1024-byte hole";
  EXPECT_EQ(place_directly(allocator, 512)->address(), base)
      << "a 512-byte request takes any block of list (2, 0)";
}

TEST(TlsfAllocatorTest, RequestFallsBackToTheHeadOfItsOwnList) {
  TlsfAllocator allocator(4096, kSmallChunk);
  std::byte* base = allocator.arena().data();
  std::vector<Object*> objects = place(allocator, {520, 48, 3528});
  allocator.free_object(objects[0], /*poison=*/false);

  Object* object = place_directly(allocator, 520);

  ASSERT_NE(object, nullptr)
      << "the 520-byte hole is the only block that holds the request";
  EXPECT_EQ(object->address(), base);
  EXPECT_EQ(allocator.stats().free_bytes, 0u);
}

TEST(TlsfAllocatorTest, RequestWalksItsOwnListBeforeFailing) {
  TlsfAllocator allocator(4096, kSmallChunk);
  std::byte* base = allocator.arena().data();
  // Holes of 520 and then 512 bytes, both on list (2, 0), the 512-byte one
  // at its head.
  std::vector<Object*> objects = place(allocator, {520, 48, 512, 3016});
  allocator.free_object(objects[0], /*poison=*/false);
  allocator.free_object(objects[2], false);

  Object* object = place_directly(allocator, 520);

  ASSERT_NE(object, nullptr)
      << "the 520-byte hole is behind the head of the request's own list";
  EXPECT_EQ(object->address(), base);
}

TEST(TlsfAllocatorTest, AllocationComesFromAFreeBlockThatHoldsIt) {
  TlsfAllocator allocator(4 << 20, kSmallChunk);
  std::mt19937 random(3);
  std::vector<Object*> live;
  for (int i = 0; i < 2000; ++i) {
    std::size_t bytes = 40 + 8 * (random() % 200);
    std::vector<Block> before = walk_blocks(allocator.arena());
    Object* object = place_directly(allocator, bytes);
    ASSERT_NE(object, nullptr) << "request " << i << " of " << bytes;
    auto holder = std::find_if(before.begin(), before.end(), [&](auto& b) {
      return b.kind == BlockKind::kFree && b.at <= object->address() &&
             object->address() + bytes <= b.at + b.bytes;
    });
    ASSERT_NE(holder, before.end())
        << "request " << i << " of " << bytes
        << " bytes must lie wholly inside one block that was free";
    EXPECT_EQ(object->size_bytes(), bytes);
    live.push_back(object);
    if (random() % 3 == 0) {
      std::size_t victim = random() % live.size();
      allocator.free_object(live[victim], /*poison=*/false);
      live.erase(live.begin() + victim);
    }
  }
}

TEST(TlsfAllocatorTest, SplitRestGoesBackOnItsList) {
  TlsfAllocator allocator(4096, kSmallChunk);
  std::byte* base = allocator.arena().data();
  std::vector<Object*> objects = place(allocator, {72, 48, 3976});
  allocator.free_object(objects[0], /*poison=*/false);

  place_directly(allocator, 48);

  EXPECT_EQ(walk_blocks(allocator.arena())[1],
            (Block{base + 48, BlockKind::kFree, 24}))
      << "24 bytes hold a header, the links and a footer";
  EXPECT_EQ(allocator.stats().free_blocks, 1u);
}

TEST(TlsfAllocatorTest, SplitRestTooSmallToListBecomesAFiller) {
  TlsfAllocator allocator(4096, kSmallChunk);
  std::byte* base = allocator.arena().data();
  std::vector<Object*> objects = place(allocator, {64, 48, 3984});
  allocator.free_object(objects[0], /*poison=*/false);

  place_directly(allocator, 48);

  EXPECT_EQ(walk_blocks(allocator.arena())[1],
            (Block{base + 48, BlockKind::kFiller, 16}))
      << "the object is exactly 48 bytes; the 16-byte rest is a filler";
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.free_blocks, 0u);
  EXPECT_EQ(stats.free_bytes, 0u) << "a filler is not free space";
}

// Live objects S0, A, B, C, S1 back to back, then the free rest of the
// arena; a free neighbour that is a filler is still merged with.
class TlsfFillerTest : public ::testing::Test {
 protected:
  std::byte* base() { return allocator_.arena().data(); }
  std::vector<Block> blocks() { return walk_blocks(allocator_.arena()); }

  TlsfAllocator allocator_{4096, kSmallChunk};
  std::vector<Object*> objects_ = place(allocator_, {48, 48, 48, 48, 48});
  Object* a_ = objects_[1];
  Object* b_ = objects_[2];
};

TEST_F(TlsfFillerTest, FreeObjectAbsorbsAFillerBeforeIt) {
  allocator_.free_object(a_, false);
  place_directly(allocator_, 40);  // A's 48 bytes: 40 taken, an 8-byte filler
  ASSERT_EQ(blocks()[2], (Block{base() + 88, BlockKind::kFiller, 8}));

  allocator_.free_object(b_, false);

  EXPECT_EQ(blocks()[2], (Block{base() + 88, BlockKind::kFree, 56}))
      << "the filler before B, whose header is its footer, joined B";
}

TEST_F(TlsfFillerTest, FreeObjectAbsorbsAFillerAfterIt) {
  allocator_.free_object(a_, false);
  allocator_.free_object(b_, false);
  Object* x = place_directly(allocator_, 80);  // 96 bytes: a 16-byte filler
  ASSERT_EQ(blocks()[2], (Block{base() + 128, BlockKind::kFiller, 16}));

  allocator_.free_object(x, false);

  EXPECT_EQ(blocks()[1], (Block{base() + 48, BlockKind::kFree, 96}))
      << "X and the filler after it are one block again";
}

TEST(TlsfAllocatorTest, RefillWithoutAChunkTakesTheLargestList) {
  TlsfAllocator allocator(4096, kChunk);
  std::byte* base = allocator.arena().data();
  // Holes of 520 and 264 bytes between objects too large for a buffer,
  // then the rest of the arena in use.
  std::vector<Object*> objects;
  for (std::size_t bytes : {520, 264, 264, 264, 2784}) {
    objects.push_back(place_directly(allocator, bytes));
  }
  allocator.free_object(objects[0], /*poison=*/false);
  allocator.free_object(objects[2], false);
  AllocationBuffer buffer;

  std::byte* at = allocator.allocate_slow(buffer, 32);

  EXPECT_EQ(at, base) << "the 520-byte hole is on the highest list";
  EXPECT_EQ(buffer.limit, base + 520) << "the buffer takes all of it";
}

TEST(TlsfAllocatorTest, ResetTopLeavesNoStaleBoundaryBits) {
  TlsfAllocator allocator(4096, kSmallChunk);
  std::byte* base = allocator.arena().data();
  std::vector<Object*> objects = place(allocator, {48, 48, 48, 48});
  allocator.free_object(objects[1], false);  // bits at +48 and +88
  allocator.reset_top(base + 48);
  Object* y = place_directly(allocator, 48);
  Object* z = place_directly(allocator, 48);
  ASSERT_EQ(y->address(), base + 48) << "allocation restarts at the new top";

  allocator.free_object(z, false);

  std::vector<Block> blocks = walk_blocks(allocator.arena());
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[1], (Block{base + 48, BlockKind::kObject, 48}))
      << "the old hole's end bit would have passed Y for a dead block";
  EXPECT_EQ(blocks[2], (Block{base + 96, BlockKind::kFree, 4000}));
}

// The O(1) bound, checked structurally: the list operations (insertions,
// removals, bitmap searches) one allocation or one free takes, in a fresh
// heap and in one with tens of thousands of free blocks of many sizes, are
// bounded by the same small constants.
struct OperationMaxima {
  std::uint64_t place = 0;   // an object placed directly
  std::uint64_t refill = 0;  // retire a buffer and carve the next
  std::uint64_t free = 0;
};

// Direct placements: a search, a look at the own list's head, the block's
// removal and its rest's insertion. A refill: retiring the old buffer's tail
// (a free), a chunk's search and look, a look at the largest list, and a
// placement's removal and insertion. A free: both neighbours' removals and
// the merged block's insertion.
constexpr std::uint64_t kMaxPlaceOperations = 4;
constexpr std::uint64_t kMaxRefillOperations = 3 + 2 + 1 + 2;
constexpr std::uint64_t kMaxFreeOperations = 3;

OperationMaxima measure_operations(TlsfAllocator& allocator,
                                   std::vector<Object*> live) {
  OperationMaxima maxima;
  std::mt19937 random(17);
  AllocationBuffer buffer;
  for (int i = 0; i < 2000; ++i) {
    std::uint64_t before = TlsfAllocatorTestPeer::list_operations(allocator);
    Object* placed = place_directly(allocator, 40 + 8 * (random() % 300));
    EXPECT_NE(placed, nullptr) << "placement " << i;
    maxima.place =
        std::max(maxima.place,
                 TlsfAllocatorTestPeer::list_operations(allocator) - before);
    live.push_back(placed);

    before = TlsfAllocatorTestPeer::list_operations(allocator);
    std::byte* at = allocator.allocate_slow(buffer, 16);
    maxima.refill =
        std::max(maxima.refill,
                 TlsfAllocatorTestPeer::list_operations(allocator) - before);
    EXPECT_NE(at, nullptr) << "refill " << i;
    Object::format(at, 16, ObjectShape{}, kUnmarked);
    // Use some of the buffer, so that retiring it returns tails of many
    // sizes.
    std::size_t used =
        std::min<std::size_t>(buffer.remaining(), 16 + random() % 8 * 8);
    if (used >= 16) allocate_object(allocator, buffer, used);

    std::size_t victim = random() % live.size();
    before = TlsfAllocatorTestPeer::list_operations(allocator);
    allocator.free_object(live[victim], /*poison=*/false);
    maxima.free =
        std::max(maxima.free,
                 TlsfAllocatorTestPeer::list_operations(allocator) - before);
    live[victim] = live.back();
    live.pop_back();
  }
  return maxima;
}

// 40000 objects of 40 to 1056 bytes with every other one freed: 20000 free
// blocks between live objects, on lists across four first levels.
std::vector<Object*> populate(TlsfAllocator& allocator) {
  std::vector<Object*> objects;
  for (int i = 0; i < 40000; ++i) {
    Object* object = place_directly(allocator, 40 + 8 * (i * 7919 % 128));
    EXPECT_NE(object, nullptr) << "object " << i;
    objects.push_back(object);
  }
  std::vector<Object*> live;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (i % 2 == 0) {
      allocator.free_object(objects[i], /*poison=*/false);
    } else {
      live.push_back(objects[i]);
    }
  }
  return live;
}

TEST(TlsfOperationBoundTest, FreshHeapTakesBoundedListOperations) {
  TlsfAllocator allocator(32 << 20, kSmallChunk);

  OperationMaxima maxima = measure_operations(allocator, {});

  EXPECT_LE(maxima.place, kMaxPlaceOperations);
  EXPECT_LE(maxima.refill, kMaxRefillOperations);
  EXPECT_LE(maxima.free, kMaxFreeOperations);
}

TEST(TlsfOperationBoundTest, PopulatedHeapTakesTheSameBoundedListOperations) {
  TlsfAllocator allocator(32 << 20, kSmallChunk);
  std::vector<Object*> live = populate(allocator);
  ASSERT_GE(allocator.stats().free_blocks, 20000u)
      << "the lists hold tens of thousands of blocks";

  OperationMaxima maxima = measure_operations(allocator, std::move(live));

  EXPECT_LE(maxima.place, kMaxPlaceOperations)
      << "placing an object must not search the lists";
  EXPECT_LE(maxima.refill, kMaxRefillOperations)
      << "a refill must not search the lists";
  EXPECT_EQ(maxima.free, kMaxFreeOperations)
      << "a free between two free blocks removes both and inserts one, no "
         "more";
}

}  // namespace
}  // namespace gclab
