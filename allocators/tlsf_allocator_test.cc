#include "allocators/tlsf_allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <random>
#include <tuple>
#include <vector>

#include "allocators/allocator_test_util.h"
#include "heap/errors.h"

namespace gclab {
namespace {

using allocator_testing::allocate_from_threads;
using allocator_testing::allocate_object;
using allocator_testing::Block;
using allocator_testing::walk_blocks;
using allocator_testing::walk_objects;
using ListIndex = TlsfAllocator::ListIndex;

// With this chunk every object above 32 bytes is placed directly, so tests
// can lay out the arena object by object.
constexpr std::size_t kSmallChunk = 128;
constexpr std::size_t kChunk = 1024;
// The mark the tests' sweeps treat as live.
constexpr std::uint8_t kLive = 1;

// Places objects of `sizes` in order; from a fresh arena they lie back to
// back from the base.
std::vector<Object*> place(TlsfAllocator& allocator,
                           std::initializer_list<std::size_t> sizes) {
  std::vector<Object*> objects;
  AllocationBuffer buffer;
  for (std::size_t bytes : sizes) {
    Object* object = allocate_object(allocator, buffer, bytes);
    EXPECT_NE(object, nullptr) << "placing " << bytes << " bytes";
    objects.push_back(object);
  }
  EXPECT_EQ(buffer.remaining(), 0u) << "every object was placed directly";
  return objects;
}

// Past the buffer: what Mutator::allocate does for an object too large for
// one.
Object* place_directly(TlsfAllocator& allocator, std::size_t bytes) {
  AllocationBuffer unused;
  std::byte* at = allocator.allocate_slow(unused, bytes);
  if (at == nullptr) return nullptr;
  return Object::format(at, bytes,
                        ObjectShape{.payload_bytes = static_cast<std::uint32_t>(
                                        bytes - kHeaderBytes)},
                        kUnmarked);
}

// Free bytes, free blocks and the largest free block, as a walk of the
// arena finds them.
struct WalkedFreeSpace {
  std::size_t bytes = 0;
  std::size_t blocks = 0;
  std::size_t largest = 0;
};

WalkedFreeSpace walk_free_space(TlsfAllocator& allocator) {
  WalkedFreeSpace free;
  for (const Block& block : walk_blocks(allocator.arena())) {
    if (block.kind != BlockKind::kFree) continue;
    free.bytes += block.bytes;
    ++free.blocks;
    free.largest = std::max(free.largest, block.bytes);
  }
  return free;
}

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

// Live objects S0, A, B, C, S1 back to back, then the free rest of the arena.
class TlsfCoalescingTest : public ::testing::Test {
 protected:
  TlsfCoalescingTest() : allocator_(4096, kSmallChunk) {
    std::vector<Object*> objects = place(allocator_, {48, 48, 48, 48, 48});
    s0_ = objects[0];
    a_ = objects[1];
    b_ = objects[2];
    c_ = objects[3];
    s1_ = objects[4];
  }

  std::byte* base() { return allocator_.arena().data(); }
  std::vector<Block> blocks() { return walk_blocks(allocator_.arena()); }
  Block tail() { return {base() + 240, BlockKind::kFree, 4096 - 240}; }

  TlsfAllocator allocator_;
  Object *s0_, *a_, *b_, *c_, *s1_;
};

TEST_F(TlsfCoalescingTest, FreeObjectBetweenLiveObjectsAddsABlock) {
  allocator_.free_object(b_, /*poison=*/false);

  std::vector<Block> expected = {{base(), BlockKind::kObject, 48},
                                 {base() + 48, BlockKind::kObject, 48},
                                 {base() + 96, BlockKind::kFree, 48},
                                 {base() + 144, BlockKind::kObject, 48},
                                 {base() + 192, BlockKind::kObject, 48},
                                 tail()};
  EXPECT_EQ(blocks(), expected);
  EXPECT_EQ(allocator_.stats().free_blocks, 2u);
}

TEST_F(TlsfCoalescingTest, FreeObjectCoalescesWithThePreviousBlock) {
  allocator_.free_object(a_, false);
  allocator_.free_object(b_, false);

  std::vector<Block> expected = {{base(), BlockKind::kObject, 48},
                                 {base() + 48, BlockKind::kFree, 96},
                                 {base() + 144, BlockKind::kObject, 48},
                                 {base() + 192, BlockKind::kObject, 48},
                                 tail()};
  EXPECT_EQ(blocks(), expected) << "B merged into the free A before it";
  EXPECT_EQ(allocator_.stats().free_blocks, 2u);
}

TEST_F(TlsfCoalescingTest, FreeObjectCoalescesWithTheNextBlock) {
  allocator_.free_object(b_, false);
  allocator_.free_object(a_, false);

  std::vector<Block> expected = {{base(), BlockKind::kObject, 48},
                                 {base() + 48, BlockKind::kFree, 96},
                                 {base() + 144, BlockKind::kObject, 48},
                                 {base() + 192, BlockKind::kObject, 48},
                                 tail()};
  EXPECT_EQ(blocks(), expected) << "A absorbed the free B after it";
  EXPECT_EQ(allocator_.stats().free_blocks, 2u);
}

TEST_F(TlsfCoalescingTest, FreeObjectCoalescesWithBothNeighbours) {
  allocator_.free_object(a_, false);
  allocator_.free_object(c_, false);
  allocator_.free_object(b_, false);

  std::vector<Block> expected = {{base(), BlockKind::kObject, 48},
                                 {base() + 48, BlockKind::kFree, 144},
                                 {base() + 192, BlockKind::kObject, 48},
                                 tail()};
  EXPECT_EQ(blocks(), expected) << "A, B and C became one block";
  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.free_blocks, 2u);
  EXPECT_EQ(stats.free_bytes, 144u + tail().bytes);
}

TEST_F(TlsfCoalescingTest, FreeObjectCoalescesWithTheRestOfTheArena) {
  allocator_.free_object(s1_, false);

  EXPECT_EQ(blocks().back(),
            (Block{base() + 192, BlockKind::kFree, 4096 - 192}))
      << "S1 merged with the free block after it";
  EXPECT_EQ(allocator_.stats().free_blocks, 1u);
}

TEST_F(TlsfCoalescingTest, FreeObjectAbsorbsAFillerBeforeIt) {
  allocator_.free_object(a_, false);
  place_directly(allocator_, 40);  // A's 48 bytes: 40 taken, an 8-byte filler
  ASSERT_EQ(blocks()[2], (Block{base() + 88, BlockKind::kFiller, 8}));

  allocator_.free_object(b_, false);

  EXPECT_EQ(blocks()[2], (Block{base() + 88, BlockKind::kFree, 56}))
      << "the filler before B, whose header is its footer, joined B";
}

TEST_F(TlsfCoalescingTest, FreeObjectAbsorbsAFillerAfterIt) {
  allocator_.free_object(a_, false);
  allocator_.free_object(b_, false);
  Object* x = place_directly(allocator_, 80);  // 96 bytes: a 16-byte filler
  ASSERT_EQ(blocks()[2], (Block{base() + 128, BlockKind::kFiller, 16}));

  allocator_.free_object(x, false);

  EXPECT_EQ(blocks()[1], (Block{base() + 48, BlockKind::kFree, 96}))
      << "X and the filler after it are one block again";
}

TEST_F(TlsfCoalescingTest, FreeObjectPoisonsAllButTheHeaderLinksAndFooter) {
  allocator_.free_object(b_, /*poison=*/true);

  std::byte* at = b_->address();
  for (std::size_t i = kMinFreeBlockBytes; i < 48 - kGranuleBytes; ++i) {
    ASSERT_EQ(at[i], kPoisonByte) << "byte " << i << " of the freed object";
  }
  EXPECT_EQ(b_->kind(), BlockKind::kFree) << "the header is intact";
}

TEST_F(TlsfCoalescingTest, MergingPoisonsTheVanishedHeaderAndFooter) {
  allocator_.free_object(a_, /*poison=*/true);
  allocator_.free_object(c_, /*poison=*/true);

  allocator_.free_object(b_, /*poison=*/true);

  for (std::size_t i = kMinFreeBlockBytes; i < 144 - kGranuleBytes; ++i) {
    ASSERT_EQ(a_->address()[i], kPoisonByte)
        << "byte " << i << " of the block that A, B and C became";
  }
}

TEST(TlsfAllocatorTest, RefillCarvesOneChunk) {
  TlsfAllocator allocator(64 << 10, kChunk);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;

  std::byte* at = allocator.allocate_slow(buffer, 32);

  EXPECT_EQ(at, base);
  EXPECT_EQ(buffer.cursor, base + 32);
  EXPECT_EQ(buffer.limit, base + kChunk);
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.free_bytes, (64u << 10) - kChunk)
      << "the chunk counts as in use";
  EXPECT_EQ(stats.free_blocks, 1u);
}

TEST(TlsfAllocatorTest, RefillTakesTheWholeBlockWhenTheRestCannotBeListed) {
  TlsfAllocator allocator(kChunk + 16, kChunk);
  AllocationBuffer buffer;

  allocator.allocate_slow(buffer, 32);

  EXPECT_EQ(buffer.limit, allocator.arena().data() + kChunk + 16)
      << "a 16-byte rest goes with the chunk";
  EXPECT_EQ(allocator.stats().free_blocks, 0u);
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

TEST(TlsfAllocatorTest, LargeObjectIsPlacedWithoutTouchingTheBuffer) {
  TlsfAllocator allocator(64 << 10, kChunk);
  AllocationBuffer buffer;
  allocator.allocate_slow(buffer, 32);
  AllocationBuffer before = buffer;

  std::byte* at = allocator.allocate_slow(buffer, kChunk / 4 + 8);

  EXPECT_EQ(at, allocator.arena().data() + kChunk) << "placed after the chunk";
  EXPECT_EQ(buffer.cursor, before.cursor);
  EXPECT_EQ(buffer.limit, before.limit);
  EXPECT_EQ(allocator.stats().free_bytes,
            (64u << 10) - kChunk - (kChunk / 4 + 8))
      << "exactly the object's size left the lists";
}

TEST(TlsfAllocatorTest, RetireReturnsTheTailAndCoalesces) {
  TlsfAllocator allocator(64 << 10, kChunk);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  allocate_object(allocator, buffer, 32);

  allocator.retire(buffer);

  EXPECT_EQ(buffer.remaining(), 0u) << "a retired buffer is empty";
  std::vector<Block> expected = {
      {base, BlockKind::kObject, 32},
      {base + 32, BlockKind::kFree, (64u << 10) - 32}};
  EXPECT_EQ(walk_blocks(allocator.arena()), expected)
      << "the tail merged with the rest of the block it was carved from";
  EXPECT_EQ(allocator.stats().free_blocks, 1u);
}

// The second buffer starts where the first ends, and its first word is
// still the header of the free block it was carved from: retiring the first
// must not take that for a free neighbour.
TEST(TlsfAllocatorTest, RetireLeavesANeighbouringBufferAlone) {
  TlsfAllocator allocator(64 << 10, kChunk);
  std::byte* base = allocator.arena().data();
  AllocationBuffer first;
  AllocationBuffer second;
  allocate_object(allocator, first, 32);
  ASSERT_EQ(allocator.allocate_slow(second, 16), base + kChunk);
  ASSERT_EQ(reinterpret_cast<Object*>(base + kChunk)->kind(), BlockKind::kFree)
      << "the second buffer's first word is stale, as a mutator would leave "
         "it until it formats its first object";

  allocator.retire(first);

  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.free_bytes, (64u << 10) - kChunk - 32)
      << "only the first buffer's tail came back";
  EXPECT_EQ(stats.free_blocks, 2u);
  Object::format(base + kChunk, 16, ObjectShape{}, kUnmarked);
  allocator.retire(second);
  EXPECT_EQ(allocator.stats().free_bytes, (64u << 10) - 32 - 16);
  EXPECT_EQ(walk_blocks(allocator.arena()).size(), 4u)
      << "object, free tail, object, free rest";
}

TEST(TlsfAllocatorTest, ExhaustionReturnsNull) {
  TlsfAllocator allocator(4096, kChunk);
  AllocationBuffer buffer;
  for (int i = 0; i < 8; ++i) {
    ASSERT_NE(allocator.allocate_slow(buffer, 512), nullptr) << "object " << i;
  }

  EXPECT_EQ(allocator.allocate_slow(buffer, 512), nullptr);
  EXPECT_EQ(allocator.allocate_slow(buffer, 32), nullptr)
      << "a refill of a full arena fails";
}

TEST(TlsfAllocatorTest, FragmentationFailureIsDescribedAsSuch) {
  TlsfAllocator allocator(4096, kChunk);
  std::vector<Object*> objects;
  for (int i = 0; i < 8; ++i) objects.push_back(place_directly(allocator, 512));
  for (int i = 0; i < 8; i += 2) allocator.free_object(objects[i], false);
  AllocationBuffer buffer;

  EXPECT_EQ(allocator.allocate_slow(buffer, 1024), nullptr)
      << "2048 bytes are free, but in 512-byte holes";
  EXPECT_NE(allocator.describe_failure(1024).find("fragmented"),
            std::string::npos)
      << allocator.describe_failure(1024);
}

// Objects of assorted sizes, some carved from buffers (which leaves fillers
// and free tails mid-arena), an eighth of them freed and half of the rest
// marked kLive. The same seed builds the same image in any arena of the same
// size. Returns the live objects.
std::vector<Object*> build_mixed_image(TlsfAllocator& allocator,
                                       unsigned seed) {
  constexpr std::size_t kSizes[] = {16, 24, 48, 64, 120, 200, 512};
  std::mt19937 random(seed);
  AllocationBuffer buffer;
  std::vector<Object*> objects;
  for (int i = 0; i < 2000; ++i) {
    Object* object = allocate_object(allocator, buffer,
                                     kSizes[random() % std::size(kSizes)]);
    EXPECT_NE(object, nullptr) << "object " << i << " fits the arena";
    if (object == nullptr) break;
    objects.push_back(object);
    if (random() % 64 == 0) allocator.retire(buffer);
  }
  allocator.retire(buffer);
  std::vector<Object*> live;
  for (Object* object : objects) {
    unsigned fate = random() % 8;
    if (fate == 0) {
      allocator.free_object(object, /*poison=*/false);
    } else if (fate <= 4) {
      object->set_mark(kLive);
      live.push_back(object);
    }
  }
  return live;
}

std::size_t bytes_of(const std::vector<Object*>& objects) {
  std::size_t bytes = 0;
  for (Object* object : objects) bytes += object->size_bytes();
  return bytes;
}

TEST(TlsfAllocatorTest, WalkVisitsExactlyTheAllocatedObjects) {
  TlsfAllocator allocator(1 << 20, kChunk);
  build_mixed_image(allocator, 5);
  allocator.sweep(kLive, /*poison=*/false);
  std::vector<Object*> expected = walk_objects(allocator);
  AllocationBuffer buffer;
  std::mt19937 random(9);
  for (int i = 0; i < 1000; ++i) {
    expected.push_back(
        allocate_object(allocator, buffer, 16 + 8 * (random() % 80)));
    if (i % 5 == 0) {
      std::size_t victim = random() % expected.size();
      allocator.free_object(expected[victim], false);
      expected.erase(expected.begin() + victim);
    }
  }
  allocator.retire(buffer);

  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(walk_objects(allocator), expected)
      << "the walk visits the allocated objects, no freed one, in address "
         "order";
}

TEST(TlsfAllocatorTest, StatsAddUpToTheHeapAndMatchAWalk) {
  TlsfAllocator allocator(1 << 20, kChunk);
  build_mixed_image(allocator, 2);

  AllocatorStats stats = allocator.stats();
  WalkedFreeSpace walked = walk_free_space(allocator);
  EXPECT_EQ(stats.in_use_bytes + stats.free_bytes, stats.heap_bytes);
  EXPECT_EQ(stats.heap_bytes, 1u << 20);
  EXPECT_EQ(stats.free_bytes, walked.bytes)
      << "free bytes are the free blocks' bytes";
  EXPECT_EQ(stats.free_blocks, walked.blocks);
  EXPECT_EQ(stats.largest_free_block, walked.largest);
  EXPECT_EQ(allocator.in_use_bytes(), stats.in_use_bytes);
  EXPECT_LE(stats.committed_bytes, stats.heap_bytes);
  EXPECT_LE(stats.in_use_bytes, stats.committed_bytes)
      << "in-use memory was all handed out";
}

// Live A; dead B; where C was, a dead 40-byte X and a 24-byte free block
// (C's block was reused twice, leaving a filler once); dead D; live E; dead
// G; then the never-used rest of the arena.
class TlsfSweepTest : public ::testing::Test {
 protected:
  TlsfSweepTest() : allocator_(4096, kSmallChunk) {
    std::vector<Object*> objects = place(allocator_, {48, 48, 64, 48, 48, 48});
    a_ = objects[0];
    b_ = objects[1];
    d_ = objects[3];
    e_ = objects[4];
    g_ = objects[5];
    allocator_.free_object(objects[2], /*poison=*/true);
    Object* x = place_directly(allocator_, 48);
    EXPECT_EQ(x, objects[2]) << "good fit reuses C's block, leaving a filler";
    allocator_.free_object(x, /*poison=*/true);
    x = place_directly(allocator_, 40);
    EXPECT_EQ(x, objects[2]) << "C's block, leaving a 24-byte free block";
    a_->set_mark(kLive);
    e_->set_mark(kLive);
  }

  std::byte* base() { return allocator_.arena().data(); }

  TlsfAllocator allocator_;
  Object *a_, *b_, *d_, *e_, *g_;
};

TEST_F(TlsfSweepTest, SweepFreesUnmarkedObjects) {
  SweepResult result = allocator_.sweep(kLive, /*poison=*/false);

  EXPECT_EQ(result.live_objects, 2u);
  EXPECT_EQ(result.live_bytes, 96u);
  EXPECT_EQ(result.freed_objects, 4u) << "B, X, D and G";
  EXPECT_EQ(result.freed_bytes, 48u + 40 + 48 + 48);
  EXPECT_EQ(walk_objects(allocator_), (std::vector<Object*>{a_, e_}));
}

TEST_F(TlsfSweepTest, SweepCoalescesEachDeadRunIntoOneBlock) {
  allocator_.sweep(kLive, false);

  std::vector<Block> expected = {{base(), BlockKind::kObject, 48},
                                 {base() + 48, BlockKind::kFree, 160},
                                 {base() + 208, BlockKind::kObject, 48},
                                 {base() + 256, BlockKind::kFree, 4096 - 256}};
  EXPECT_EQ(walk_blocks(allocator_.arena()), expected)
      << "dead objects, free blocks and fillers in a run became one block";
  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.free_blocks, 2u);
  EXPECT_EQ(stats.free_bytes, 160u + 4096 - 256);
  EXPECT_EQ(stats.largest_free_block, 4096u - 256);
}

TEST_F(TlsfSweepTest, SweptBlocksCoalesceWhenFreedAgain) {
  allocator_.sweep(kLive, false);

  allocator_.free_object(e_, false);

  EXPECT_EQ(walk_blocks(allocator_.arena()).back(),
            (Block{base() + 48, BlockKind::kFree, 4096 - 48}))
      << "the boundary bits the sweep set find both neighbours";
  EXPECT_EQ(allocator_.stats().free_blocks, 1u);
}

TEST_F(TlsfSweepTest, SweepPoisonsFreedMemory) {
  allocator_.sweep(kLive, /*poison=*/true);

  for (std::size_t i = kMinFreeBlockBytes; i < 160 - kGranuleBytes; ++i) {
    ASSERT_EQ(b_->address()[i], kPoisonByte)
        << "byte " << i << " of the run starting at B";
  }
  for (std::size_t i = kMinFreeBlockBytes; i < 48 + kMinFreeBlockBytes; ++i) {
    ASSERT_EQ(g_->address()[i], kPoisonByte)
        << "byte " << i << " of G and the old tail header after it";
  }
}

TEST_F(TlsfSweepTest, SweepLeavesMemoryAboveTheHighWaterMarkUntouched) {
  std::size_t committed = allocator_.stats().committed_bytes;
  ASSERT_EQ(committed, 304u) << "the six placed objects";

  allocator_.sweep(kLive, /*poison=*/true);

  for (std::size_t i = committed + kMinFreeBlockBytes; i < 4096 - 8; ++i) {
    ASSERT_EQ(base()[i], std::byte{0})
        << "byte " << i << " was never handed out and must stay untouched";
  }
}

TEST_F(TlsfSweepTest, SweepAgesSurvivors) {
  allocator_.sweep(kLive, false);
  EXPECT_EQ(a_->age(), 1u);
  allocator_.sweep(kLive, false);
  EXPECT_EQ(a_->age(), 2u) << "each sweep survived adds one";
  EXPECT_EQ(e_->age(), 2u);
}

TEST(TlsfAllocatorTest, ResetTopLeavesOneFreeBlockAboveTheNewTop) {
  TlsfAllocator allocator(4096, kSmallChunk);
  std::byte* base = allocator.arena().data();
  std::vector<Object*> objects = place(allocator, {48, 48, 48, 48});
  allocator.free_object(objects[1], false);  // a listed block below the top

  allocator.reset_top(base + 48);

  EXPECT_EQ(walk_objects(allocator), std::vector<Object*>{objects[0]});
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.free_blocks, 1u) << "the old hole is gone from the lists";
  EXPECT_EQ(stats.free_bytes, 4096u - 48);
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

// Two arenas with the same mixed image: one swept eagerly up front, the
// other for the test to sweep lazily.
class TlsfLazyAgainstEagerTest : public ::testing::Test {
 protected:
  TlsfLazyAgainstEagerTest()
      : eager_(1 << 20, kSmallChunk), lazy_(1 << 20, kSmallChunk) {
    live_bytes_ = bytes_of(build_mixed_image(eager_, 7));
    EXPECT_EQ(bytes_of(build_mixed_image(lazy_, 7)), live_bytes_);
    eager_result_ = eager_.sweep(kLive, /*poison=*/false);
    lazy_.begin_lazy_sweep(kLive, live_bytes_, /*poison=*/false);
  }

  // Blocks as (offset, kind, bytes), so that two arenas compare.
  using PlacedBlock = std::tuple<std::size_t, BlockKind, std::size_t>;
  static std::vector<PlacedBlock> layout(TlsfAllocator& allocator) {
    std::vector<PlacedBlock> placed;
    for (const Block& block : walk_blocks(allocator.arena())) {
      placed.emplace_back(block.at - allocator.arena().data(), block.kind,
                          block.bytes);
    }
    return placed;
  }

  TlsfAllocator eager_;
  TlsfAllocator lazy_;
  std::size_t live_bytes_ = 0;
  SweepResult eager_result_;
};

TEST_F(TlsfLazyAgainstEagerTest, BeginningFreesNothingButCountsGarbageAsFree) {
  AllocatorStats stats = lazy_.stats();
  EXPECT_EQ(stats.in_use_bytes, live_bytes_) << "what the mark found live";
  EXPECT_EQ(stats.unswept_bytes, (1u << 20) - live_bytes_);
  EXPECT_EQ(stats.free_blocks, 0u) << "nothing swept yet";
  EXPECT_EQ(lazy_.in_use_bytes(), stats.in_use_bytes);
  EXPECT_TRUE(lazy_.sweep_pending());
}

TEST_F(TlsfLazyAgainstEagerTest, FinishedLazySweepLeavesWhatTheEagerLeaves) {
  SweepResult lazy_result = lazy_.finish_sweep();

  EXPECT_EQ(lazy_result.live_objects, eager_result_.live_objects);
  EXPECT_EQ(lazy_result.live_bytes, live_bytes_);
  EXPECT_EQ(lazy_result.freed_objects, eager_result_.freed_objects);
  EXPECT_EQ(lazy_result.freed_bytes, eager_result_.freed_bytes);
  EXPECT_EQ(layout(lazy_), layout(eager_));
  AllocatorStats lazy_stats = lazy_.stats();
  AllocatorStats eager_stats = eager_.stats();
  EXPECT_EQ(lazy_stats.free_bytes, eager_stats.free_bytes);
  EXPECT_EQ(lazy_stats.free_blocks, eager_stats.free_blocks);
  EXPECT_EQ(lazy_stats.largest_free_block, eager_stats.largest_free_block);
  EXPECT_EQ(lazy_stats.unswept_bytes, 0u);
  EXPECT_FALSE(lazy_.sweep_pending());
}

TEST_F(TlsfLazyAgainstEagerTest, RefillsDuringALazySweepLeaveTheSameGarbage) {
  AllocationBuffer buffer;
  std::vector<Object*> freed_later;
  for (int i = 0; i < 300; ++i) {
    Object* object = allocate_object(lazy_, buffer, i % 2 == 0 ? 24 : 200);
    ASSERT_NE(object, nullptr);
    if (i % 7 == 0) freed_later.push_back(object);
  }
  lazy_.retire(buffer);
  for (Object* object : freed_later) lazy_.free_object(object, false);
  SweepResult lazy_result = lazy_.finish_sweep();

  EXPECT_EQ(lazy_result.live_objects, eager_result_.live_objects)
      << "objects allocated during the sweep never meet it";
  EXPECT_EQ(lazy_result.freed_objects, eager_result_.freed_objects);
  EXPECT_GT(lazy_result.lazy_sweep_ns, 0) << "refills swept on allocation";
  EXPECT_EQ(walk_objects(lazy_).size(),
            eager_result_.live_objects + 300 - freed_later.size());
  AllocatorStats stats = lazy_.stats();
  EXPECT_EQ(stats.free_bytes, walk_free_space(lazy_).bytes);
  EXPECT_EQ(stats.free_blocks, walk_free_space(lazy_).blocks);
}

TEST_F(TlsfLazyAgainstEagerTest, BackgroundStepsSweepTheWholeArena) {
  int steps = 1;
  while (lazy_.background_sweep_step()) ++steps;

  EXPECT_GT(steps, 1) << "a step is bounded";
  EXPECT_FALSE(lazy_.sweep_pending());
  EXPECT_EQ(lazy_.finish_sweep().freed_objects, eager_result_.freed_objects);
  EXPECT_EQ(layout(lazy_), layout(eager_));
}

// 128 objects of 512 bytes fill a 64 KiB arena back to back; every eighth
// (7, 15, ..., 127) is live, so the dead runs are 3584 bytes each and a
// chunk is 1024.
class TlsfStripedLazySweepTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kObjectBytes = 512;
  static constexpr std::size_t kArenaBytes = 64 << 10;
  static constexpr std::size_t kRunBytes = 7 * kObjectBytes;

  TlsfStripedLazySweepTest() : allocator_(kArenaBytes, kChunk) {
    for (int i = 0; i < 128; ++i) {
      objects_.push_back(place_directly(allocator_, kObjectBytes));
    }
    for (int i = 7; i < 128; i += 8) {
      objects_[i]->set_mark(kLive);
      live_bytes_ += kObjectBytes;
    }
  }

  std::byte* base() { return allocator_.arena().data(); }
  std::byte* at(int index) { return objects_[index]->address(); }

  TlsfAllocator allocator_;
  std::vector<Object*> objects_;
  std::size_t live_bytes_ = 0;
};

TEST_F(TlsfStripedLazySweepTest, RefillSweepsOnlyUntilAChunkFits) {
  allocator_.begin_lazy_sweep(kLive, live_bytes_, /*poison=*/false);
  AllocationBuffer buffer;

  Object* object = allocate_object(allocator_, buffer, 32);

  EXPECT_EQ(object->address(), base()) << "the first dead run serves it";
  EXPECT_EQ(buffer.limit, base() + kChunk);
  EXPECT_EQ(objects_[7]->age(), 1u) << "the survivor that ended the run";
  EXPECT_EQ(objects_[8]->kind(), BlockKind::kObject)
      << "the sweep stopped after the first run";
  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_EQ(stats.largest_free_block, kRunBytes - kChunk);
  EXPECT_EQ(stats.in_use_bytes, kChunk + live_bytes_)
      << "the buffer and the live objects";
}

TEST_F(TlsfStripedLazySweepTest, FreeingAboveTheCursorLeavesItToTheSweep) {
  allocator_.begin_lazy_sweep(kLive, live_bytes_, false);

  allocator_.free_object(objects_[15], /*poison=*/false);

  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.in_use_bytes, live_bytes_ - kObjectBytes);
  EXPECT_EQ(stats.free_blocks, 0u) << "only swept blocks are listed";
  SweepResult result = allocator_.finish_sweep();
  EXPECT_EQ(result.live_objects, 15u);
  EXPECT_EQ(walk_blocks(allocator_.arena())[2],
            (Block{at(8), BlockKind::kFree, 15 * kObjectBytes}))
      << "objects 8 to 22 became one block";
}

TEST_F(TlsfStripedLazySweepTest, SweepStepExtendsABlockThatEndsAtTheCursor) {
  allocator_.begin_lazy_sweep(kLive, live_bytes_, false);
  AllocationBuffer buffer;
  allocate_object(allocator_, buffer, 32);  // sweeps objects 0 to 7
  allocator_.retire(buffer);
  allocator_.free_object(objects_[7], /*poison=*/false);
  ASSERT_EQ(walk_blocks(allocator_.arena())[1],
            (Block{base() + 32, BlockKind::kFree, 8 * kObjectBytes - 32}))
      << "object 7 merged with the rest of the first run below the cursor";

  // Only the block below object 8 and the run of objects 8 to 14 together
  // hold 6000 bytes; every other run holds 3584.
  std::byte* start = allocator_.allocate_slow(buffer, 6000);

  EXPECT_EQ(start, base() + 32);
  EXPECT_EQ(objects_[16]->kind(), BlockKind::kObject) << "one step was enough";
}

TEST_F(TlsfStripedLazySweepTest, ResetTopEndsTheLazySweep) {
  allocator_.begin_lazy_sweep(kLive, live_bytes_, false);

  allocator_.reset_top(at(8));

  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.unswept_bytes, 0u);
  EXPECT_EQ(stats.free_bytes, kArenaBytes - 8 * kObjectBytes);
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_FALSE(allocator_.sweep_pending());
  EXPECT_EQ(allocator_.finish_sweep().live_objects, 0u)
      << "no sweep is in progress any more";
}

TEST_F(TlsfStripedLazySweepTest, LazyStepPoisonsWhatItFrees) {
  allocator_.begin_lazy_sweep(kLive, live_bytes_, /*poison=*/true);
  AllocationBuffer buffer;

  allocator_.allocate_slow(buffer, 32);  // the buffer's memory stays raw

  for (std::size_t i = kMinFreeBlockBytes; i < kRunBytes - kGranuleBytes; ++i) {
    if (i >= kChunk && i < kChunk + kMinFreeBlockBytes) continue;  // header
    ASSERT_EQ(base()[i], kPoisonByte) << "byte " << i << " of the first run";
  }
  EXPECT_EQ(objects_[8]->payload()[0], std::byte{0})
      << "object 8 lies beyond the step";
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
    std::uint64_t before = allocator.list_operations();
    Object* placed = place_directly(allocator, 40 + 8 * (random() % 300));
    EXPECT_NE(placed, nullptr) << "placement " << i;
    maxima.place = std::max(maxima.place, allocator.list_operations() - before);
    live.push_back(placed);

    before = allocator.list_operations();
    std::byte* at = allocator.allocate_slow(buffer, 16);
    maxima.refill =
        std::max(maxima.refill, allocator.list_operations() - before);
    EXPECT_NE(at, nullptr) << "refill " << i;
    Object::format(at, 16, ObjectShape{}, kUnmarked);
    // Use some of the buffer, so that retiring it returns tails of many
    // sizes.
    std::size_t used =
        std::min<std::size_t>(buffer.remaining(), 16 + random() % 8 * 8);
    if (used >= 16) allocate_object(allocator, buffer, used);

    std::size_t victim = random() % live.size();
    before = allocator.list_operations();
    allocator.free_object(live[victim], /*poison=*/false);
    maxima.free = std::max(maxima.free, allocator.list_operations() - before);
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

TEST(TlsfAllocatorTest, TwoThreadsGetDisjointObjects) {
  TlsfAllocator allocator(16 << 20, kChunk);

  auto ranges = allocate_from_threads(allocator, 2, 10000);

  ASSERT_EQ(ranges.size(), 2u * 10000) << "every allocation succeeded";
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    ASSERT_LE(ranges[i - 1].start + ranges[i - 1].bytes, ranges[i].start)
        << "object " << i - 1 << " overlaps the next one";
  }
  EXPECT_EQ(walk_objects(allocator).size(), ranges.size())
      << "after both threads retired, the walk finds every object";
}

TEST(TlsfAllocatorTest, TwoThreadsSweepingLazilyGetDisjointObjects) {
  TlsfAllocator allocator(16 << 20, kChunk);
  allocate_from_threads(allocator, 2, 10000);  // all garbage
  allocator.begin_lazy_sweep(kLive, /*live_bytes=*/0, /*poison=*/false);

  auto ranges = allocate_from_threads(allocator, 2, 10000);

  ASSERT_EQ(ranges.size(), 2u * 10000)
      << "every allocation succeeded, over the first objects' memory";
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    ASSERT_LE(ranges[i - 1].start + ranges[i - 1].bytes, ranges[i].start)
        << "object " << i - 1 << " overlaps the next one";
  }
  allocator.finish_sweep();
  EXPECT_EQ(walk_objects(allocator).size(), ranges.size())
      << "the sweep freed the first objects and none of the second";
}

TEST(TlsfAllocatorTest, BadChunkOrHeapIsAConfigError) {
  EXPECT_THROW(TlsfAllocator(1 << 20, 1001), ConfigError);
  EXPECT_THROW(TlsfAllocator(1 << 20, 32), ConfigError);
  EXPECT_THROW(TlsfAllocator(16, kChunk), ConfigError);
}

}  // namespace
}  // namespace gclab
