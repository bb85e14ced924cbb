#include "allocators/free_list_allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <random>
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

// With this chunk every object above 32 bytes is placed directly, so tests
// can lay out the arena object by object.
constexpr std::size_t kSmallChunk = 128;
constexpr std::size_t kChunk = 1024;
// The mark the tests' sweeps treat as live.
constexpr std::uint8_t kLive = 1;

// Places objects of `sizes` in order; from a fresh arena they lie back to
// back from the base.
std::vector<Object*> place(FreeListAllocator& allocator,
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

// Live objects S0, A, B, C, S1 back to back, then the free rest of the arena.
class CoalescingTest : public ::testing::Test {
 protected:
  CoalescingTest() : allocator_(4096, FitPolicy::kFirst, kSmallChunk) {
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

  FreeListAllocator allocator_;
  Object *s0_, *a_, *b_, *c_, *s1_;
};

TEST_F(CoalescingTest, FreeObjectBetweenLiveObjectsAddsABlock) {
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

TEST_F(CoalescingTest, FreeObjectCoalescesWithThePreviousBlock) {
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

TEST_F(CoalescingTest, FreeObjectCoalescesWithTheNextBlock) {
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

TEST_F(CoalescingTest, FreeObjectCoalescesWithBothNeighbours) {
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

TEST_F(CoalescingTest, FreeObjectPoisonsAllButTheHeaderAndLink) {
  allocator_.free_object(b_, /*poison=*/true);

  std::byte* at = b_->address();
  for (std::size_t i = kMinFreeBlockBytes; i < 48; ++i) {
    ASSERT_EQ(at[i], kPoisonByte) << "byte " << i << " of the freed object";
  }
  EXPECT_EQ(b_->kind(), BlockKind::kFree) << "the header is intact";
}

TEST(FreeListAllocatorTest, RefillCarvesOneChunk) {
  FreeListAllocator allocator(64 << 10, FitPolicy::kFirst, kChunk);
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

TEST(FreeListAllocatorTest, RefillTakesTheWholeBlockWhenTheRestIsTooSmall) {
  FreeListAllocator allocator(kChunk + 8, FitPolicy::kFirst, kChunk);
  AllocationBuffer buffer;

  allocator.allocate_slow(buffer, 32);

  EXPECT_EQ(buffer.limit, allocator.arena().data() + kChunk + 8)
      << "an 8-byte rest goes with the chunk";
  EXPECT_EQ(allocator.stats().free_blocks, 0u);
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

TEST(FreeListAllocatorTest, LargeObjectIsPlacedWithoutTouchingTheBuffer) {
  FreeListAllocator allocator(64 << 10, FitPolicy::kFirst, kChunk);
  std::byte* base = allocator.arena().data();
  AllocationBuffer buffer;
  allocator.allocate_slow(buffer, 32);
  AllocationBuffer before = buffer;

  std::byte* at = allocator.allocate_slow(buffer, kChunk / 4 + 8);

  EXPECT_EQ(at, base + kChunk) << "placed after the chunk";
  EXPECT_EQ(buffer.cursor, before.cursor);
  EXPECT_EQ(buffer.limit, before.limit);
  EXPECT_EQ(allocator.stats().free_bytes,
            (64u << 10) - kChunk - (kChunk / 4 + 8))
      << "exactly the object's size left the list";
}

TEST(FreeListAllocatorTest, RetireReturnsTheTailAndCoalesces) {
  FreeListAllocator allocator(64 << 10, FitPolicy::kFirst, kChunk);
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

TEST(FreeListAllocatorTest, RetireKeepsTheArenaParseable) {
  FreeListAllocator allocator(1 << 20, FitPolicy::kFirst, kChunk);
  AllocationBuffer buffer;
  std::vector<Object*> allocated;
  constexpr std::size_t kSizes[] = {16, 24, 200, 512, 40, 1024, 2048, 32};
  for (int i = 0; i < 500; ++i) {
    allocated.push_back(allocate_object(allocator, buffer, kSizes[i % 8]));
  }

  allocator.retire(buffer);

  // Large objects are placed after the current chunk, ahead of small ones.
  std::sort(allocated.begin(), allocated.end());
  EXPECT_EQ(walk_objects(allocator), allocated)
      << "the walk visits exactly the allocated objects, in address order";
}

// Live A; dead B; a free block, a dead-then-freed object and a filler where
// C was; dead D; live E; dead G; then the never-used rest of the arena.
class SweepTest : public ::testing::Test {
 protected:
  SweepTest() : allocator_(4096, FitPolicy::kFirst, kSmallChunk) {
    std::vector<Object*> objects = place(allocator_, {48, 48, 56, 48, 48, 48});
    a_ = objects[0];
    b_ = objects[1];
    d_ = objects[3];
    e_ = objects[4];
    g_ = objects[5];
    allocator_.free_object(objects[2], /*poison=*/true);
    AllocationBuffer buffer;
    Object* x = allocate_object(allocator_, buffer, 48);
    EXPECT_EQ(x, objects[2]) << "first fit reuses C's block";
    allocator_.free_object(x, /*poison=*/true);
    a_->set_mark(kLive);
    e_->set_mark(kLive);
  }

  std::byte* base() { return allocator_.arena().data(); }

  FreeListAllocator allocator_;
  Object *a_, *b_, *d_, *e_, *g_;
};

TEST_F(SweepTest, SweepFreesUnmarkedObjects) {
  SweepResult result = allocator_.sweep(kLive, /*poison=*/false);

  EXPECT_EQ(result.live_objects, 2u);
  EXPECT_EQ(result.live_bytes, 96u);
  EXPECT_EQ(result.freed_objects, 3u) << "B, D and G; X was already free";
  EXPECT_EQ(result.freed_bytes, 144u);
  EXPECT_EQ(walk_objects(allocator_), (std::vector<Object*>{a_, e_}));
}

TEST_F(SweepTest, SweepCoalescesEachDeadRunIntoOneBlock) {
  allocator_.sweep(kLive, false);

  std::vector<Block> expected = {{base(), BlockKind::kObject, 48},
                                 {base() + 48, BlockKind::kFree, 152},
                                 {base() + 200, BlockKind::kObject, 48},
                                 {base() + 248, BlockKind::kFree, 4096 - 248}};
  EXPECT_EQ(walk_blocks(allocator_.arena()), expected)
      << "dead objects, free blocks and fillers in a run became one block";
  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.free_blocks, 2u);
  EXPECT_EQ(stats.free_bytes, 152u + 4096 - 248);
  EXPECT_EQ(stats.largest_free_block, 4096u - 248);
}

TEST_F(SweepTest, SweepPoisonsFreedMemory) {
  allocator_.sweep(kLive, /*poison=*/true);

  for (std::size_t i = kMinFreeBlockBytes; i < 152; ++i) {
    ASSERT_EQ(b_->address()[i], kPoisonByte)
        << "byte " << i << " of the run starting at B";
  }
  for (std::size_t i = kMinFreeBlockBytes; i < 48 + kMinFreeBlockBytes; ++i) {
    ASSERT_EQ(g_->address()[i], kPoisonByte)
        << "byte " << i << " of G and the old tail header after it";
  }
}

TEST_F(SweepTest, SweepLeavesMemoryAboveTheHighWaterMarkUntouched) {
  std::size_t committed = allocator_.stats().committed_bytes;
  ASSERT_EQ(committed, 296u) << "the six placed objects";

  allocator_.sweep(kLive, /*poison=*/true);

  for (std::size_t i = committed + kMinFreeBlockBytes; i < 4096; ++i) {
    ASSERT_EQ(base()[i], std::byte{0})
        << "byte " << i << " was never handed out and must stay untouched";
  }
}

TEST_F(SweepTest, SweepAgesSurvivors) {
  allocator_.sweep(kLive, false);
  EXPECT_EQ(a_->age(), 1u);
  allocator_.sweep(kLive, false);
  EXPECT_EQ(a_->age(), 2u) << "each sweep survived adds one";
  EXPECT_EQ(e_->age(), 2u);
}

// The block layout of an arena as offsets from its base, so that two arenas
// built alike can be compared.
struct PlacedBlock {
  std::size_t offset;
  BlockKind kind;
  std::size_t bytes;

  bool operator==(const PlacedBlock&) const = default;
};

void PrintTo(const PlacedBlock& block, std::ostream* out) {
  *out << "{kind " << static_cast<int>(block.kind) << ", " << block.bytes
       << " bytes at +" << block.offset << "}";
}

std::vector<PlacedBlock> layout(FreeListAllocator& allocator) {
  std::vector<PlacedBlock> placed;
  for (const Block& block : walk_blocks(allocator.arena())) {
    placed.push_back(
        {static_cast<std::size_t>(block.at - allocator.arena().data()),
         block.kind, block.bytes});
  }
  return placed;
}

void expect_same_stats(const AllocatorStats& actual,
                       const AllocatorStats& expected) {
  EXPECT_EQ(actual.committed_bytes, expected.committed_bytes);
  EXPECT_EQ(actual.in_use_bytes, expected.in_use_bytes);
  EXPECT_EQ(actual.free_bytes, expected.free_bytes);
  EXPECT_EQ(actual.largest_free_block, expected.largest_free_block);
  EXPECT_EQ(actual.free_blocks, expected.free_blocks);
  EXPECT_EQ(actual.unswept_bytes, expected.unswept_bytes);
}

// Objects of assorted sizes, some carved from buffers (which leaves fillers
// and free tails mid-arena), an eighth of them freed and half of the rest
// marked kLive. The same seed builds the same image in any arena of the same
// size. Returns the live bytes.
std::size_t build_mixed_image(FreeListAllocator& allocator, unsigned seed) {
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
  std::size_t live_bytes = 0;
  for (Object* object : objects) {
    unsigned fate = random() % 8;
    if (fate == 0) {
      allocator.free_object(object, /*poison=*/false);
    } else if (fate <= 4) {
      object->set_mark(kLive);
      live_bytes += object->size_bytes();
    }
  }
  return live_bytes;
}

// Two arenas with the same mixed image: one swept eagerly up front, the
// other for the test to sweep lazily.
class LazyAgainstEagerTest : public ::testing::Test {
 protected:
  LazyAgainstEagerTest()
      : eager_(1 << 20, FitPolicy::kFirst, kSmallChunk),
        lazy_(1 << 20, FitPolicy::kFirst, kSmallChunk) {
    live_bytes_ = build_mixed_image(eager_, 7);
    EXPECT_EQ(build_mixed_image(lazy_, 7), live_bytes_);
    eager_result_ = eager_.sweep(kLive, /*poison=*/false);
    lazy_.begin_lazy_sweep(kLive, live_bytes_, /*poison=*/false);
  }

  FreeListAllocator eager_;
  FreeListAllocator lazy_;
  std::size_t live_bytes_ = 0;
  SweepResult eager_result_;
};

TEST_F(LazyAgainstEagerTest, FinishedLazySweepLeavesWhatTheEagerSweepLeaves) {
  SweepResult lazy_result = lazy_.finish_sweep();

  EXPECT_EQ(lazy_result.live_objects, eager_result_.live_objects);
  EXPECT_EQ(lazy_result.live_bytes, eager_result_.live_bytes);
  EXPECT_EQ(lazy_result.live_bytes, live_bytes_);
  EXPECT_EQ(lazy_result.freed_objects, eager_result_.freed_objects);
  EXPECT_EQ(lazy_result.freed_bytes, eager_result_.freed_bytes);
  EXPECT_EQ(lazy_result.lazy_sweep_ns, 0) << "no step ran on allocation";
  EXPECT_EQ(layout(lazy_), layout(eager_));
  expect_same_stats(lazy_.stats(), eager_.stats());
}

TEST_F(LazyAgainstEagerTest, RefillsDuringALazySweepLeaveTheSameGarbage) {
  AllocationBuffer buffer;
  for (int i = 0; i < 300; ++i) {
    ASSERT_NE(allocate_object(lazy_, buffer, i % 2 == 0 ? 24 : 200), nullptr);
  }
  lazy_.retire(buffer);
  SweepResult lazy_result = lazy_.finish_sweep();

  EXPECT_EQ(lazy_result.live_objects, eager_result_.live_objects)
      << "objects allocated during the sweep never meet it";
  EXPECT_EQ(lazy_result.freed_objects, eager_result_.freed_objects);
  EXPECT_EQ(lazy_result.freed_bytes, eager_result_.freed_bytes);
  EXPECT_EQ(walk_objects(lazy_).size(), eager_result_.live_objects + 300);
}

// 128 objects of 512 bytes fill a 64 KiB arena back to back. Unless a test
// says otherwise every eighth (7, 15, ..., 127) is live, so the dead runs are
// 3584 bytes each and a chunk is 1024.
class StripedLazySweepTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kObjectBytes = 512;
  static constexpr std::size_t kArenaBytes = 64 << 10;
  static constexpr std::size_t kRunBytes = 7 * kObjectBytes;

  StripedLazySweepTest() : allocator_(kArenaBytes, FitPolicy::kFirst, kChunk) {
    AllocationBuffer buffer;
    for (int i = 0; i < 128; ++i) {
      objects_.push_back(allocate_object(allocator_, buffer, kObjectBytes));
    }
  }

  // Marks every eighth object live but those in `dead`, and begins.
  void begin(std::initializer_list<int> dead = {}, bool poison = false) {
    std::size_t live_bytes = 0;
    for (int i = 7; i < 128; i += 8) {
      if (std::find(dead.begin(), dead.end(), i) != dead.end()) continue;
      objects_[i]->set_mark(kLive);
      live_bytes += kObjectBytes;
    }
    live_bytes_ = live_bytes;
    allocator_.begin_lazy_sweep(kLive, live_bytes, poison);
  }

  // One small object at the base: its refill sweeps objects 0 to 7 and
  // carves a chunk, whose tail goes back on the list.
  void allocate_at_base() {
    AllocationBuffer buffer;
    allocate_object(allocator_, buffer, 32);
    allocator_.retire(buffer);
  }

  std::byte* base() { return allocator_.arena().data(); }
  std::byte* at(int index) { return objects_[index]->address(); }

  FreeListAllocator allocator_;
  std::vector<Object*> objects_;
  std::size_t live_bytes_ = 0;
};

TEST_F(StripedLazySweepTest, BeginningFreesNothingButCountsGarbageAsFree) {
  begin();

  EXPECT_EQ(walk_objects(allocator_).size(), 128u)
      << "dead objects stay objects until swept";
  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.in_use_bytes, live_bytes_) << "what the mark found live";
  EXPECT_EQ(stats.free_bytes, kArenaBytes - live_bytes_);
  EXPECT_EQ(stats.unswept_bytes, kArenaBytes - live_bytes_);
  EXPECT_EQ(stats.free_blocks, 0u) << "nothing swept yet";
  EXPECT_EQ(stats.largest_free_block, 0u);
  EXPECT_EQ(allocator_.in_use_bytes(), stats.in_use_bytes);
}

TEST_F(StripedLazySweepTest, RefillSweepsOnlyUntilAChunkFits) {
  begin();
  AllocationBuffer buffer;

  Object* object = allocate_object(allocator_, buffer, 32);

  EXPECT_EQ(object->address(), base()) << "the first dead run serves it";
  EXPECT_EQ(buffer.limit, base() + kChunk);
  EXPECT_EQ(objects_[7]->age(), 1u) << "the survivor that ended the run";
  EXPECT_EQ(objects_[8]->kind(), BlockKind::kObject)
      << "the sweep stopped after the first run";
  EXPECT_EQ(objects_[15]->age(), 0u);
  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_EQ(stats.largest_free_block, kRunBytes - kChunk);
  EXPECT_EQ(stats.unswept_bytes,
            kArenaBytes - 8 * kObjectBytes - (live_bytes_ - kObjectBytes));
  EXPECT_EQ(stats.in_use_bytes, kChunk + live_bytes_)
      << "the buffer and the live objects";
}

TEST_F(StripedLazySweepTest, LargeObjectSweepsOnUntilARunFitsIt) {
  begin({23});  // objects 16 to 30 form one 7680-byte run
  AllocationBuffer buffer;

  std::byte* start = allocator_.allocate_slow(buffer, 4096);

  EXPECT_EQ(start, at(16)) << "the first run that holds 4096 bytes";
  EXPECT_EQ(objects_[32]->kind(), BlockKind::kObject)
      << "the sweep stopped after that run";
  EXPECT_EQ(allocator_.stats().free_blocks, 3u)
      << "two 3584-byte runs and the rest of the third";
}

TEST_F(StripedLazySweepTest, FinishReturnsTheTotalsOfTheWholeSweep) {
  begin();
  allocate_at_base();

  SweepResult result = allocator_.finish_sweep();

  EXPECT_EQ(result.live_objects, 16u);
  EXPECT_EQ(result.live_bytes, live_bytes_);
  EXPECT_EQ(result.freed_objects, 112u) << "the step's and the finish's";
  EXPECT_EQ(result.freed_bytes, 112 * kObjectBytes);
  EXPECT_GT(result.lazy_sweep_ns, 0) << "the refill's step was timed";
  EXPECT_EQ(allocator_.stats().unswept_bytes, 0u);
  EXPECT_EQ(allocator_.finish_sweep().freed_objects, 0u) << "the sweep is over";
}

TEST_F(StripedLazySweepTest, FreeingBelowTheCursorCoalescesWithTheSweptList) {
  begin();
  allocate_at_base();

  allocator_.free_object(objects_[7], /*poison=*/false);

  EXPECT_EQ(walk_blocks(allocator_.arena())[1],
            (Block{base() + 32, BlockKind::kFree, 8 * kObjectBytes - 32}))
      << "object 7 merged with the rest of the first run";
  EXPECT_EQ(allocator_.stats().free_blocks, 1u);
}

TEST_F(StripedLazySweepTest, SweepStepExtendsABlockThatEndsAtTheCursor) {
  begin();
  allocate_at_base();
  allocator_.free_object(objects_[7], /*poison=*/false);

  // Only the block below object 8 and the run of objects 8 to 14 together
  // hold 6000 bytes; every other run holds 3584.
  AllocationBuffer buffer;
  std::byte* start = allocator_.allocate_slow(buffer, 6000);

  EXPECT_EQ(start, base() + 32);
  EXPECT_EQ(objects_[16]->kind(), BlockKind::kObject) << "one step was enough";
}

TEST_F(StripedLazySweepTest, FreeingAboveTheCursorLeavesTheObjectToTheSweep) {
  begin();

  allocator_.free_object(objects_[15], /*poison=*/false);

  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.in_use_bytes, live_bytes_ - kObjectBytes);
  EXPECT_EQ(stats.free_blocks, 0u) << "only swept blocks are listed";
  SweepResult result = allocator_.finish_sweep();
  EXPECT_EQ(result.live_objects, 15u);
  std::vector<Block> blocks = walk_blocks(allocator_.arena());
  EXPECT_EQ(blocks[2], (Block{at(8), BlockKind::kFree, 15 * kObjectBytes}))
      << "objects 8 to 22 became one block";
}

TEST_F(StripedLazySweepTest, RetireDuringALazySweepKeepsTheListSorted) {
  begin();
  AllocationBuffer first;
  AllocationBuffer second;
  allocate_object(allocator_, first, 32);   // carves [0, chunk)
  allocate_object(allocator_, second, 32);  // carves [chunk, 2 chunks)

  allocator_.retire(second);
  allocator_.retire(first);

  std::vector<Block> blocks = walk_blocks(allocator_.arena());
  std::vector<Block> expected = {
      {base(), BlockKind::kObject, 32},
      {base() + 32, BlockKind::kFree, kChunk - 32},
      {base() + kChunk, BlockKind::kObject, 32},
      {base() + kChunk + 32, BlockKind::kFree, kRunBytes - kChunk - 32},
      {at(7), BlockKind::kObject, kObjectBytes}};
  blocks.resize(expected.size());
  EXPECT_EQ(blocks, expected)
      << "each tail went back in address order, the second merging with the "
         "rest of the run";
  EXPECT_EQ(allocator_.stats().free_blocks, 2u);
  EXPECT_EQ(allocator_.stats().largest_free_block, kRunBytes - kChunk - 32);
}

TEST_F(StripedLazySweepTest, ResetTopEndsTheLazySweep) {
  begin();

  allocator_.reset_top(at(8));

  AllocatorStats stats = allocator_.stats();
  EXPECT_EQ(stats.unswept_bytes, 0u);
  EXPECT_EQ(stats.free_bytes, kArenaBytes - 8 * kObjectBytes);
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_EQ(allocator_.finish_sweep().live_objects, 0u)
      << "no sweep is in progress any more";
}

TEST_F(StripedLazySweepTest, LazyStepPoisonsWhatItFrees) {
  begin({}, /*poison=*/true);
  AllocationBuffer buffer;

  allocator_.allocate_slow(buffer, 32);  // the buffer's memory stays raw

  for (std::size_t i = kMinFreeBlockBytes; i < kRunBytes; ++i) {
    if (i >= kChunk && i < kChunk + kMinFreeBlockBytes) continue;  // header
    ASSERT_EQ(base()[i], kPoisonByte) << "byte " << i << " of the first run";
  }
  EXPECT_EQ(objects_[8]->payload()[0], std::byte{0})
      << "object 8 lies beyond the step";
}

TEST(LazySweepTest, FinishWithoutASweepInProgressReturnsNothing) {
  FreeListAllocator allocator(4096, FitPolicy::kFirst, kChunk);
  SweepResult result = allocator.finish_sweep();
  EXPECT_EQ(result.freed_objects, 0u);
  EXPECT_EQ(result.live_objects, 0u);
  EXPECT_EQ(allocator.stats().free_bytes, 4096u);
}

TEST(FreeListAllocatorTest, StatsAfterRefillPlacementRetireAndFree) {
  FreeListAllocator allocator(4096, FitPolicy::kFirst, kChunk);
  AllocationBuffer buffer;
  allocate_object(allocator, buffer, 32);
  // Past the fast path, which would bump it into the buffer's 992 bytes.
  Object* large = Object::format(
      allocator.allocate_slow(buffer, 512), 512,
      ObjectShape{.payload_bytes = 512 - kHeaderBytes}, kUnmarked);
  allocator.retire(buffer);

  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.heap_bytes, 4096u);
  EXPECT_EQ(stats.committed_bytes, kChunk + 512) << "a chunk and the object";
  EXPECT_EQ(stats.in_use_bytes, 32u + 512);
  EXPECT_EQ(stats.free_bytes, 4096u - 32 - 512);
  EXPECT_EQ(stats.free_blocks, 2u) << "the chunk's tail and the rest";
  EXPECT_EQ(stats.largest_free_block, 4096u - kChunk - 512);

  allocator.free_object(large, false);

  stats = allocator.stats();
  EXPECT_EQ(stats.committed_bytes, kChunk + 512) << "a high-water mark";
  EXPECT_EQ(stats.in_use_bytes, 32u);
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_EQ(stats.largest_free_block, 4096u - 32);
  EXPECT_EQ(allocator.in_use_bytes(), stats.in_use_bytes);
}

TEST(FreeListAllocatorTest, ExhaustionReturnsNull) {
  FreeListAllocator allocator(4096, FitPolicy::kFirst, kChunk);
  AllocationBuffer buffer;
  for (int i = 0; i < 8; ++i) {
    ASSERT_NE(allocator.allocate_slow(buffer, 512), nullptr) << "object " << i;
  }

  EXPECT_EQ(allocator.allocate_slow(buffer, 512), nullptr);
  EXPECT_EQ(allocator.allocate_slow(buffer, 32), nullptr)
      << "a refill of a full arena fails";
}

TEST(FreeListAllocatorTest, FragmentationFailureIsDescribedAsSuch) {
  FreeListAllocator allocator(4096, FitPolicy::kFirst, kChunk);
  AllocationBuffer buffer;
  std::vector<Object*> objects;
  for (int i = 0; i < 8; ++i) {
    objects.push_back(allocate_object(allocator, buffer, 512));
  }
  for (int i = 0; i < 8; i += 2) allocator.free_object(objects[i], false);

  EXPECT_EQ(allocator.allocate_slow(buffer, 1024), nullptr)
      << "2048 bytes are free, but in 512-byte holes";
  EXPECT_NE(allocator.describe_failure(1024).find("fragmented"),
            std::string::npos)
      << allocator.describe_failure(1024);
}

TEST(FreeListAllocatorTest, ResetTopLeavesOneBlockAboveTheNewTop) {
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

class FreeListThreadsTest : public ::testing::TestWithParam<FitPolicy> {};

void expect_disjoint(const std::vector<allocator_testing::Range>& ranges) {
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    ASSERT_LE(ranges[i - 1].start + ranges[i - 1].bytes, ranges[i].start)
        << "object " << i - 1 << " overlaps the next one";
  }
}

constexpr int kObjectsPerThread = 10000;

TEST_P(FreeListThreadsTest, TwoThreadsGetDisjointObjects) {
  FreeListAllocator allocator(16 << 20, GetParam(), kChunk);

  auto ranges = allocate_from_threads(allocator, 2, kObjectsPerThread);

  ASSERT_EQ(ranges.size(), 2u * kObjectsPerThread)
      << "every allocation succeeded";
  expect_disjoint(ranges);
  EXPECT_EQ(walk_objects(allocator).size(), ranges.size())
      << "after both threads retired, the walk finds every object";
}

TEST_P(FreeListThreadsTest, TwoThreadsSweepingLazilyGetDisjointObjects) {
  FreeListAllocator allocator(16 << 20, GetParam(), kChunk);
  allocate_from_threads(allocator, 2, kObjectsPerThread);  // all garbage
  allocator.begin_lazy_sweep(kLive, /*live_bytes=*/0, /*poison=*/false);

  auto ranges = allocate_from_threads(allocator, 2, kObjectsPerThread);

  ASSERT_EQ(ranges.size(), 2u * kObjectsPerThread)
      << "every allocation succeeded, over the first objects' memory";
  expect_disjoint(ranges);
  allocator.finish_sweep();
  EXPECT_EQ(walk_objects(allocator).size(), ranges.size())
      << "the sweep freed the first objects and none of the second";
}

INSTANTIATE_TEST_SUITE_P(EveryFit, FreeListThreadsTest,
                         ::testing::Values(FitPolicy::kFirst, FitPolicy::kNext,
                                           FitPolicy::kBest));

TEST(FreeListAllocatorTest, BadChunkIsAConfigError) {
  EXPECT_THROW(FreeListAllocator(1 << 20, FitPolicy::kFirst, 1001),
               ConfigError);
  EXPECT_THROW(FreeListAllocator(1 << 20, FitPolicy::kFirst, 32), ConfigError);
}

TEST(FreeListAllocatorTest, UnknownFitIsAConfigError) {
  EXPECT_THROW(parse_fit_policy("worst"), ConfigError);
  EXPECT_EQ(parse_fit_policy("next"), FitPolicy::kNext);
}

}  // namespace
}  // namespace gclab
