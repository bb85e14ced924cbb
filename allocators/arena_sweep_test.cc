// What the free-list and tlsf allocators share (arena_sweep.h): the sweep,
// eager and lazy, the refill policy, freeing with coalescing, the stats and
// the parameters. Each behaviour is asserted once, for both allocators; what
// one of them does differently is tested in its own file.
#include "allocators/arena_sweep.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "allocators/allocator_test_util.h"
#include "allocators/free_list_allocator.h"
#include "allocators/tlsf_allocator.h"
#include "heap/errors.h"

namespace gclab {
namespace {

using allocator_testing::allocate_object;
using allocator_testing::Block;
using allocator_testing::build_mixed_image;
using allocator_testing::bytes_of;
using allocator_testing::kChunk;
using allocator_testing::kLive;
using allocator_testing::kSmallChunk;
using allocator_testing::layout;
using allocator_testing::place;
using allocator_testing::place_directly;
using allocator_testing::walk_blocks;
using allocator_testing::walk_free_space;
using allocator_testing::walk_objects;

// How each allocator is built, and the two facts of its block format the
// tests' numbers depend on.
struct FirstFitFreeList {
  static std::unique_ptr<Allocator> make(std::size_t heap_bytes,
                                         std::size_t chunk_bytes) {
    return std::make_unique<FreeListAllocator>(heap_bytes, FitPolicy::kFirst,
                                               chunk_bytes);
  }
  // The smallest block on the list: a header and a link.
  static constexpr std::size_t kMinBlockBytes = kMinFreeBlockBytes;
  // A free block keeps nothing at its end.
  static constexpr std::size_t kFooterBytes = 0;
};

struct Tlsf {
  static std::unique_ptr<Allocator> make(std::size_t heap_bytes,
                                         std::size_t chunk_bytes) {
    return std::make_unique<TlsfAllocator>(heap_bytes, chunk_bytes);
  }
  // A header, two links and a footer.
  static constexpr std::size_t kMinBlockBytes = TlsfAllocator::kMinListedBytes;
  // A dead block's last word holds its size.
  static constexpr std::size_t kFooterBytes = kGranuleBytes;
};

using ArenaSweptAllocators = ::testing::Types<FirstFitFreeList, Tlsf>;

class AllocatorNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, Tlsf> ? "Tlsf" : "FirstFitFreeList";
  }
};

// An allocator of the suite's type, built by the test.
template <class T>
class ArenaSweptTest : public ::testing::Test {
 protected:
  Allocator& make(std::size_t heap_bytes, std::size_t chunk_bytes) {
    allocator_ = T::make(heap_bytes, chunk_bytes);
    return *allocator_;
  }

  std::unique_ptr<Allocator> allocator_;
};

TYPED_TEST_SUITE(ArenaSweptTest, ArenaSweptAllocators, AllocatorNames);

TYPED_TEST(ArenaSweptTest, RefillCarvesOneChunk) {
  Allocator& allocator = this->make(64 << 10, kChunk);
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

TYPED_TEST(ArenaSweptTest, RefillTakesTheWholeBlockWhenTheRestIsTooSmall) {
  const std::size_t rest = TypeParam::kMinBlockBytes - kGranuleBytes;
  Allocator& allocator = this->make(kChunk + rest, kChunk);
  AllocationBuffer buffer;

  allocator.allocate_slow(buffer, 32);

  EXPECT_EQ(buffer.limit, allocator.arena().data() + kChunk + rest)
      << "a " << rest << "-byte rest, too small for a free block, goes with "
      << "the chunk";
  EXPECT_EQ(allocator.stats().free_blocks, 0u);
}

TYPED_TEST(ArenaSweptTest, LargeObjectIsPlacedWithoutTouchingTheBuffer) {
  Allocator& allocator = this->make(64 << 10, kChunk);
  AllocationBuffer buffer;
  allocator.allocate_slow(buffer, 32);
  AllocationBuffer before = buffer;

  std::byte* at = allocator.allocate_slow(buffer, kChunk / 4 + 8);

  EXPECT_EQ(at, allocator.arena().data() + kChunk) << "placed after the chunk";
  EXPECT_EQ(buffer.cursor, before.cursor);
  EXPECT_EQ(buffer.limit, before.limit);
  EXPECT_EQ(allocator.stats().free_bytes,
            (64u << 10) - kChunk - (kChunk / 4 + 8))
      << "exactly the object's size stopped being free";
}

TYPED_TEST(ArenaSweptTest, RetireReturnsTheTailAndCoalesces) {
  Allocator& allocator = this->make(64 << 10, kChunk);
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
TYPED_TEST(ArenaSweptTest, RetireLeavesANeighbouringBufferAlone) {
  Allocator& allocator = this->make(64 << 10, kChunk);
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

TYPED_TEST(ArenaSweptTest, RetireKeepsTheArenaParseable) {
  allocator_testing::expect_retire_keeps_the_arena_parseable(
      this->make(1 << 20, kChunk));
}

TYPED_TEST(ArenaSweptTest, WalkVisitsExactlyTheAllocatedObjects) {
  Allocator& allocator = this->make(1 << 20, kChunk);
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

TYPED_TEST(ArenaSweptTest, StatsAfterRefillPlacementRetireAndFree) {
  Allocator& allocator = this->make(4096, kChunk);
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

TYPED_TEST(ArenaSweptTest, StatsAddUpToTheHeapAndMatchAWalk) {
  Allocator& allocator = this->make(1 << 20, kChunk);
  build_mixed_image(allocator, 2);

  AllocatorStats stats = allocator.stats();
  allocator_testing::WalkedFreeSpace walked = walk_free_space(allocator);
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

TYPED_TEST(ArenaSweptTest, ExhaustionReturnsNull) {
  Allocator& allocator = this->make(4096, kChunk);
  AllocationBuffer buffer;
  for (int i = 0; i < 8; ++i) {
    ASSERT_NE(allocator.allocate_slow(buffer, 512), nullptr) << "object " << i;
  }

  EXPECT_EQ(allocator.allocate_slow(buffer, 512), nullptr);
  EXPECT_EQ(allocator.allocate_slow(buffer, 32), nullptr)
      << "a refill of a full arena fails";
}

TYPED_TEST(ArenaSweptTest, FragmentationFailureIsDescribedAsSuch) {
  Allocator& allocator = this->make(4096, kChunk);
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

TYPED_TEST(ArenaSweptTest, ResetTopLeavesOneFreeBlockAboveTheNewTop) {
  Allocator& allocator = this->make(4096, kSmallChunk);
  std::byte* base = allocator.arena().data();
  std::vector<Object*> objects = place(allocator, {48, 48, 48, 48});
  allocator.free_object(objects[1], false);  // a listed block below the top

  allocator.reset_top(base + 48);

  EXPECT_EQ(walk_objects(allocator), std::vector<Object*>{objects[0]});
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.free_blocks, 1u) << "the old hole is gone from the lists";
  EXPECT_EQ(stats.free_bytes, 4096u - 48);
  AllocationBuffer buffer;
  EXPECT_EQ(allocator.allocate_slow(buffer, 64), base + 48)
      << "allocation restarts at the new top";
}

TYPED_TEST(ArenaSweptTest, FinishWithoutASweepInProgressReturnsNothing) {
  Allocator& allocator = this->make(4096, kChunk);
  SweepResult result = allocator.finish_sweep();
  EXPECT_EQ(result.freed_objects, 0u);
  EXPECT_EQ(result.live_objects, 0u);
  EXPECT_EQ(allocator.stats().free_bytes, 4096u);
}

TYPED_TEST(ArenaSweptTest, TwoThreadsGetDisjointObjects) {
  allocator_testing::expect_two_threads_get_disjoint_objects(
      this->make(16 << 20, kChunk));
}

TYPED_TEST(ArenaSweptTest, TwoThreadsSweepingLazilyGetDisjointObjects) {
  allocator_testing::expect_two_threads_sweeping_lazily_get_disjoint_objects(
      this->make(16 << 20, kChunk));
}

TYPED_TEST(ArenaSweptTest, BadChunkIsAConfigError) {
  EXPECT_THROW(TypeParam::make(1 << 20, 1001), ConfigError)
      << "not a granule multiple";
  EXPECT_THROW(TypeParam::make(1 << 20, 32), ConfigError)
      << "a quarter of it cannot hold an object";
}

TYPED_TEST(ArenaSweptTest, HeapTooSmallForOneFreeBlockIsAConfigError) {
  EXPECT_THROW(
      TypeParam::make(TypeParam::kMinBlockBytes - kGranuleBytes, kChunk),
      ConfigError);
}

// A heap whose blocks a 32-bit granule count cannot span is refused before
// its arena is reserved: 2^50 bytes could not even be reserved, and the
// message says why the size is wrong, not that the reservation failed.
TYPED_TEST(ArenaSweptTest, HeapAboveWhatAGranuleCountSpansIsRefusedFirst) {
  try {
    TypeParam::make(std::size_t{1} << 50, 32 << 10);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("must be between"),
              std::string::npos)
        << error.what();
  }
}

// Live objects S0, A, B, C, S1 back to back, then the free rest of the arena.
template <class T>
class CoalescingTest : public ::testing::Test {
 protected:
  CoalescingTest() : allocator_(T::make(4096, kSmallChunk)) {
    std::vector<Object*> objects = place(*allocator_, {48, 48, 48, 48, 48});
    a_ = objects[1];
    b_ = objects[2];
    c_ = objects[3];
    s1_ = objects[4];
  }

  std::byte* base() { return allocator_->arena().data(); }
  std::vector<Block> blocks() { return walk_blocks(allocator_->arena()); }
  Block tail() { return {base() + 240, BlockKind::kFree, 4096 - 240}; }
  // The layout once A and B are free, in either order.
  std::vector<Block> with_a_and_b_merged() {
    return {{base(), BlockKind::kObject, 48},
            {base() + 48, BlockKind::kFree, 96},
            {base() + 144, BlockKind::kObject, 48},
            {base() + 192, BlockKind::kObject, 48},
            tail()};
  }

  std::unique_ptr<Allocator> allocator_;
  Object *a_, *b_, *c_, *s1_;
};

TYPED_TEST_SUITE(CoalescingTest, ArenaSweptAllocators, AllocatorNames);

TYPED_TEST(CoalescingTest, FreeObjectBetweenLiveObjectsAddsABlock) {
  this->allocator_->free_object(this->b_, /*poison=*/false);

  std::byte* base = this->base();
  std::vector<Block> expected = {{base, BlockKind::kObject, 48},
                                 {base + 48, BlockKind::kObject, 48},
                                 {base + 96, BlockKind::kFree, 48},
                                 {base + 144, BlockKind::kObject, 48},
                                 {base + 192, BlockKind::kObject, 48},
                                 this->tail()};
  EXPECT_EQ(this->blocks(), expected);
  EXPECT_EQ(this->allocator_->stats().free_blocks, 2u);
}

TYPED_TEST(CoalescingTest, FreeObjectCoalescesWithThePreviousBlock) {
  this->allocator_->free_object(this->a_, false);
  this->allocator_->free_object(this->b_, false);

  EXPECT_EQ(this->blocks(), this->with_a_and_b_merged())
      << "B merged into the free A before it";
  EXPECT_EQ(this->allocator_->stats().free_blocks, 2u);
}

TYPED_TEST(CoalescingTest, FreeObjectCoalescesWithTheNextBlock) {
  this->allocator_->free_object(this->b_, false);
  this->allocator_->free_object(this->a_, false);

  EXPECT_EQ(this->blocks(), this->with_a_and_b_merged())
      << "A absorbed the free B after it";
  EXPECT_EQ(this->allocator_->stats().free_blocks, 2u);
}

TYPED_TEST(CoalescingTest, FreeObjectCoalescesWithBothNeighbours) {
  this->allocator_->free_object(this->a_, false);
  this->allocator_->free_object(this->c_, false);
  this->allocator_->free_object(this->b_, false);

  std::byte* base = this->base();
  std::vector<Block> expected = {{base, BlockKind::kObject, 48},
                                 {base + 48, BlockKind::kFree, 144},
                                 {base + 192, BlockKind::kObject, 48},
                                 this->tail()};
  EXPECT_EQ(this->blocks(), expected) << "A, B and C became one block";
  AllocatorStats stats = this->allocator_->stats();
  EXPECT_EQ(stats.free_blocks, 2u);
  EXPECT_EQ(stats.free_bytes, 144u + this->tail().bytes);
}

TYPED_TEST(CoalescingTest, FreeObjectPoisonsAllButTheBlocksOwnWords) {
  this->allocator_->free_object(this->b_, /*poison=*/true);

  std::byte* at = this->b_->address();
  for (std::size_t i = kMinFreeBlockBytes; i < 48 - TypeParam::kFooterBytes;
       ++i) {
    ASSERT_EQ(at[i], kPoisonByte)
        << "byte " << i
        << " of the freed object, past its header and link and short of "
           "any footer";
  }
  EXPECT_EQ(this->b_->kind(), BlockKind::kFree) << "the header is intact";
}

TYPED_TEST(CoalescingTest, FreeObjectCoalescesWithTheRestOfTheArena) {
  this->allocator_->free_object(this->s1_, false);

  EXPECT_EQ(this->blocks().back(),
            (Block{this->base() + 192, BlockKind::kFree, 4096 - 192}))
      << "S1 merged with the free block after it";
  EXPECT_EQ(this->allocator_->stats().free_blocks, 1u);
}

TYPED_TEST(CoalescingTest, MergingPoisonsTheVanishedHeadersAndFooters) {
  this->allocator_->free_object(this->a_, /*poison=*/true);
  this->allocator_->free_object(this->c_, /*poison=*/true);

  this->allocator_->free_object(this->b_, /*poison=*/true);

  for (std::size_t i = kMinFreeBlockBytes; i < 144 - TypeParam::kFooterBytes;
       ++i) {
    ASSERT_EQ(this->a_->address()[i], kPoisonByte)
        << "byte " << i << " of the block that A, B and C became";
  }
}

// Live A; dead B; where C was (112 bytes, reused), a free 40-byte block, a
// dead 64-byte Y and an 8-byte filler; dead D; live E; dead G; then the
// never-used rest of the arena. So the run from B to D holds every kind of
// dead space: dead objects, a listed free block and a filler.
template <class T>
class SweepTest : public ::testing::Test {
 protected:
  SweepTest() : allocator_(T::make(4096, kSmallChunk)) {
    std::vector<Object*> objects =
        place(*allocator_, {48, 48, 112, 48, 48, 48});
    a_ = objects[0];
    b_ = objects[1];
    e_ = objects[4];
    g_ = objects[5];
    allocator_->free_object(objects[2], /*poison=*/true);
    Object* x = place_directly(*allocator_, 40);
    EXPECT_EQ(x, objects[2]) << "X reuses C's block, the lowest that fits";
    Object* y = place_directly(*allocator_, 64);
    EXPECT_EQ(y->address(), objects[2]->address() + 40)
        << "Y takes the 72-byte rest of C's block, leaving a filler";
    allocator_->free_object(x, /*poison=*/true);
    a_->set_mark(kLive);
    e_->set_mark(kLive);
  }

  std::byte* base() { return allocator_->arena().data(); }

  std::unique_ptr<Allocator> allocator_;
  Object *a_, *b_, *e_, *g_;
};

TYPED_TEST_SUITE(SweepTest, ArenaSweptAllocators, AllocatorNames);

TYPED_TEST(SweepTest, SweepFreesUnmarkedObjects) {
  SweepResult result = this->allocator_->sweep(kLive, /*poison=*/false);

  EXPECT_EQ(result.live_objects, 2u);
  EXPECT_EQ(result.live_bytes, 96u);
  EXPECT_EQ(result.freed_objects, 4u) << "B, Y, D and G; X was already free";
  EXPECT_EQ(result.freed_bytes, 48u + 64 + 48 + 48);
  EXPECT_EQ(walk_objects(*this->allocator_),
            (std::vector<Object*>{this->a_, this->e_}));
}

TYPED_TEST(SweepTest, SweepCoalescesEachDeadRunIntoOneBlock) {
  this->allocator_->sweep(kLive, false);

  std::byte* base = this->base();
  std::vector<Block> expected = {{base, BlockKind::kObject, 48},
                                 {base + 48, BlockKind::kFree, 208},
                                 {base + 256, BlockKind::kObject, 48},
                                 {base + 304, BlockKind::kFree, 4096 - 304}};
  EXPECT_EQ(walk_blocks(this->allocator_->arena()), expected)
      << "dead objects, free blocks and fillers in a run became one block";
  AllocatorStats stats = this->allocator_->stats();
  EXPECT_EQ(stats.free_blocks, 2u);
  EXPECT_EQ(stats.free_bytes, 208u + 4096 - 304);
  EXPECT_EQ(stats.largest_free_block, 4096u - 304);
}

TYPED_TEST(SweepTest, SweptBlocksCoalesceWhenFreedAgain) {
  this->allocator_->sweep(kLive, false);

  this->allocator_->free_object(this->e_, false);

  EXPECT_EQ(walk_blocks(this->allocator_->arena()).back(),
            (Block{this->base() + 48, BlockKind::kFree, 4096 - 48}))
      << "the blocks the sweep left merge with a freed neighbour";
  EXPECT_EQ(this->allocator_->stats().free_blocks, 1u);
}

TYPED_TEST(SweepTest, SweepPoisonsFreedMemory) {
  this->allocator_->sweep(kLive, /*poison=*/true);

  for (std::size_t i = kMinFreeBlockBytes; i < 208 - TypeParam::kFooterBytes;
       ++i) {
    ASSERT_EQ(this->b_->address()[i], kPoisonByte)
        << "byte " << i << " of the run starting at B";
  }
  for (std::size_t i = kMinFreeBlockBytes; i < 48 + kMinFreeBlockBytes; ++i) {
    ASSERT_EQ(this->g_->address()[i], kPoisonByte)
        << "byte " << i << " of G and the old tail header after it";
  }
}

TYPED_TEST(SweepTest, SweepLeavesMemoryAboveTheHighWaterMarkUntouched) {
  std::size_t committed = this->allocator_->stats().committed_bytes;
  ASSERT_EQ(committed, 352u) << "the six placed objects";

  this->allocator_->sweep(kLive, /*poison=*/true);

  for (std::size_t i = committed + kMinFreeBlockBytes;
       i < 4096 - TypeParam::kFooterBytes; ++i) {
    ASSERT_EQ(this->base()[i], std::byte{0})
        << "byte " << i << " was never handed out and must stay untouched";
  }
}

TYPED_TEST(SweepTest, SweepAgesSurvivors) {
  this->allocator_->sweep(kLive, false);
  EXPECT_EQ(this->a_->age(), 1u);
  this->allocator_->sweep(kLive, false);
  EXPECT_EQ(this->a_->age(), 2u) << "each sweep survived adds one";
  EXPECT_EQ(this->e_->age(), 2u);
  EXPECT_EQ(this->a_->mark(), kLive) << "aging keeps the mark";
}

// Two arenas with the same mixed image: one swept eagerly up front, the
// other for the test to sweep lazily.
template <class T>
class LazyAgainstEagerTest : public ::testing::Test {
 protected:
  LazyAgainstEagerTest()
      : eager_(T::make(1 << 20, kSmallChunk)),
        lazy_(T::make(1 << 20, kSmallChunk)) {
    live_bytes_ = bytes_of(build_mixed_image(*eager_, 7));
    EXPECT_EQ(bytes_of(build_mixed_image(*lazy_, 7)), live_bytes_);
    eager_result_ = eager_->sweep(kLive, /*poison=*/false);
    lazy_->begin_lazy_sweep(kLive, live_bytes_, /*poison=*/false);
  }

  std::unique_ptr<Allocator> eager_;
  std::unique_ptr<Allocator> lazy_;
  std::size_t live_bytes_ = 0;
  SweepResult eager_result_;
};

TYPED_TEST_SUITE(LazyAgainstEagerTest, ArenaSweptAllocators, AllocatorNames);

TYPED_TEST(LazyAgainstEagerTest, BeginningFreesNothingButCountsGarbageAsFree) {
  AllocatorStats stats = this->lazy_->stats();
  EXPECT_EQ(stats.in_use_bytes, this->live_bytes_)
      << "what the mark found live";
  EXPECT_EQ(stats.unswept_bytes, (1u << 20) - this->live_bytes_);
  EXPECT_EQ(stats.free_blocks, 0u) << "nothing swept yet";
  EXPECT_EQ(this->lazy_->in_use_bytes(), stats.in_use_bytes);
  EXPECT_TRUE(this->lazy_->sweep_pending());
}

TYPED_TEST(LazyAgainstEagerTest, FinishedLazySweepLeavesWhatTheEagerLeaves) {
  SweepResult lazy_result = this->lazy_->finish_sweep();

  const SweepResult& eager_result = this->eager_result_;
  EXPECT_EQ(lazy_result.live_objects, eager_result.live_objects);
  EXPECT_EQ(lazy_result.live_bytes, eager_result.live_bytes);
  EXPECT_EQ(lazy_result.live_bytes, this->live_bytes_);
  EXPECT_EQ(lazy_result.freed_objects, eager_result.freed_objects);
  EXPECT_EQ(lazy_result.freed_bytes, eager_result.freed_bytes);
  EXPECT_EQ(lazy_result.lazy_sweep_ns, 0) << "no step ran on allocation";
  EXPECT_EQ(layout(*this->lazy_), layout(*this->eager_));
  AllocatorStats lazy_stats = this->lazy_->stats();
  AllocatorStats eager_stats = this->eager_->stats();
  EXPECT_EQ(lazy_stats.committed_bytes, eager_stats.committed_bytes);
  EXPECT_EQ(lazy_stats.in_use_bytes, eager_stats.in_use_bytes);
  EXPECT_EQ(lazy_stats.free_bytes, eager_stats.free_bytes);
  EXPECT_EQ(lazy_stats.largest_free_block, eager_stats.largest_free_block);
  EXPECT_EQ(lazy_stats.free_blocks, eager_stats.free_blocks);
  EXPECT_EQ(lazy_stats.unswept_bytes, eager_stats.unswept_bytes);
  EXPECT_EQ(lazy_stats.unswept_bytes, 0u);
  EXPECT_FALSE(this->lazy_->sweep_pending());
}

TYPED_TEST(LazyAgainstEagerTest, RefillsDuringALazySweepLeaveTheSameGarbage) {
  Allocator& lazy = *this->lazy_;
  AllocationBuffer buffer;
  std::vector<Object*> freed_later;
  for (int i = 0; i < 300; ++i) {
    Object* object = allocate_object(lazy, buffer, i % 2 == 0 ? 24 : 200);
    ASSERT_NE(object, nullptr) << "object " << i;
    if (i % 7 == 0) freed_later.push_back(object);
  }
  lazy.retire(buffer);
  for (Object* object : freed_later) lazy.free_object(object, false);
  SweepResult lazy_result = lazy.finish_sweep();

  const SweepResult& eager_result = this->eager_result_;
  EXPECT_EQ(lazy_result.live_objects, eager_result.live_objects)
      << "objects allocated during the sweep never meet it";
  EXPECT_EQ(lazy_result.freed_objects, eager_result.freed_objects);
  EXPECT_EQ(lazy_result.freed_bytes, eager_result.freed_bytes);
  EXPECT_GT(lazy_result.lazy_sweep_ns, 0) << "refills swept on allocation";
  EXPECT_EQ(walk_objects(lazy).size(),
            eager_result.live_objects + 300 - freed_later.size());
  AllocatorStats stats = lazy.stats();
  EXPECT_EQ(stats.free_bytes, walk_free_space(lazy).bytes);
  EXPECT_EQ(stats.free_blocks, walk_free_space(lazy).blocks);
}

TYPED_TEST(LazyAgainstEagerTest, BackgroundStepsSweepTheWholeArena) {
  int steps = 1;
  while (this->lazy_->background_sweep_step()) ++steps;

  EXPECT_GT(steps, 1) << "a step is bounded";
  EXPECT_FALSE(this->lazy_->sweep_pending());
  EXPECT_EQ(this->lazy_->finish_sweep().freed_objects,
            this->eager_result_.freed_objects);
  EXPECT_EQ(layout(*this->lazy_), layout(*this->eager_));
}

// 128 objects of 512 bytes fill a 64 KiB arena back to back. Unless a test
// says otherwise every eighth (7, 15, ..., 127) is live, so the dead runs are
// 3584 bytes each and a chunk is 1024.
template <class T>
class StripedLazySweepTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kObjectBytes = 512;
  static constexpr std::size_t kArenaBytes = 64 << 10;
  static constexpr std::size_t kRunBytes = 7 * kObjectBytes;

  StripedLazySweepTest() : allocator_(T::make(kArenaBytes, kChunk)) {
    for (int i = 0; i < 128; ++i) {
      objects_.push_back(place_directly(*allocator_, kObjectBytes));
    }
  }

  // Marks every eighth object live but those in `dead`, and begins.
  void begin(std::initializer_list<int> dead = {}, bool poison = false) {
    for (int i = 7; i < 128; i += 8) {
      if (std::find(dead.begin(), dead.end(), i) != dead.end()) continue;
      objects_[i]->set_mark(kLive);
      live_bytes_ += kObjectBytes;
    }
    allocator_->begin_lazy_sweep(kLive, live_bytes_, poison);
  }

  // One small object at the base: its refill sweeps objects 0 to 7 and
  // carves a chunk, whose tail goes back on the lists.
  void allocate_at_base() {
    AllocationBuffer buffer;
    allocate_object(*allocator_, buffer, 32);
    allocator_->retire(buffer);
  }

  std::byte* base() { return allocator_->arena().data(); }
  std::byte* at(int index) { return objects_[index]->address(); }

  std::unique_ptr<Allocator> allocator_;
  std::vector<Object*> objects_;
  std::size_t live_bytes_ = 0;
};

TYPED_TEST_SUITE(StripedLazySweepTest, ArenaSweptAllocators, AllocatorNames);

TYPED_TEST(StripedLazySweepTest, BeginningFreesNothingButCountsGarbageAsFree) {
  this->begin();

  constexpr std::size_t kArenaBytes = TestFixture::kArenaBytes;
  EXPECT_EQ(walk_objects(*this->allocator_).size(), 128u)
      << "dead objects stay objects until swept";
  AllocatorStats stats = this->allocator_->stats();
  EXPECT_EQ(stats.in_use_bytes, this->live_bytes_)
      << "what the mark found live";
  EXPECT_EQ(stats.free_bytes, kArenaBytes - this->live_bytes_);
  EXPECT_EQ(stats.unswept_bytes, kArenaBytes - this->live_bytes_);
  EXPECT_EQ(stats.free_blocks, 0u) << "nothing swept yet";
  EXPECT_EQ(stats.largest_free_block, 0u);
  EXPECT_EQ(this->allocator_->in_use_bytes(), stats.in_use_bytes);
}

TYPED_TEST(StripedLazySweepTest, RefillSweepsOnlyUntilAChunkFits) {
  this->begin();
  AllocationBuffer buffer;

  Object* object = allocate_object(*this->allocator_, buffer, 32);

  constexpr std::size_t kObjectBytes = TestFixture::kObjectBytes;
  EXPECT_EQ(object->address(), this->base()) << "the first dead run serves it";
  EXPECT_EQ(buffer.limit, this->base() + kChunk);
  EXPECT_EQ(this->objects_[7]->age(), 1u) << "the survivor that ended the run";
  EXPECT_EQ(this->objects_[8]->kind(), BlockKind::kObject)
      << "the sweep stopped after the first run";
  EXPECT_EQ(this->objects_[15]->age(), 0u);
  AllocatorStats stats = this->allocator_->stats();
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_EQ(stats.largest_free_block, TestFixture::kRunBytes - kChunk);
  EXPECT_EQ(stats.unswept_bytes, TestFixture::kArenaBytes - 8 * kObjectBytes -
                                     (this->live_bytes_ - kObjectBytes));
  EXPECT_EQ(stats.in_use_bytes, kChunk + this->live_bytes_)
      << "the buffer and the live objects";
}

TYPED_TEST(StripedLazySweepTest, LargeObjectSweepsOnUntilARunFitsIt) {
  this->begin({23});  // objects 16 to 30 form one 7680-byte run
  AllocationBuffer buffer;

  std::byte* start = this->allocator_->allocate_slow(buffer, 4096);

  EXPECT_EQ(start, this->at(16)) << "the first run that holds 4096 bytes";
  EXPECT_EQ(this->objects_[32]->kind(), BlockKind::kObject)
      << "the sweep stopped after that run";
  EXPECT_EQ(this->allocator_->stats().free_blocks, 3u)
      << "two 3584-byte runs and the rest of the third";
}

TYPED_TEST(StripedLazySweepTest, FinishReturnsTheTotalsOfTheWholeSweep) {
  this->begin();
  this->allocate_at_base();

  SweepResult result = this->allocator_->finish_sweep();

  EXPECT_EQ(result.live_objects, 16u);
  EXPECT_EQ(result.live_bytes, this->live_bytes_);
  EXPECT_EQ(result.freed_objects, 112u) << "the step's and the finish's";
  EXPECT_EQ(result.freed_bytes, 112 * TestFixture::kObjectBytes);
  EXPECT_GT(result.lazy_sweep_ns, 0) << "the refill's step was timed";
  EXPECT_EQ(this->allocator_->stats().unswept_bytes, 0u);
  EXPECT_EQ(this->allocator_->finish_sweep().freed_objects, 0u)
      << "the sweep is over";
}

TYPED_TEST(StripedLazySweepTest,
           FreeingBelowTheCursorCoalescesWithTheSweptBlocks) {
  this->begin();
  this->allocate_at_base();

  this->allocator_->free_object(this->objects_[7], /*poison=*/false);

  EXPECT_EQ(walk_blocks(this->allocator_->arena())[1],
            (Block{this->base() + 32, BlockKind::kFree,
                   8 * TestFixture::kObjectBytes - 32}))
      << "object 7 merged with the rest of the first run";
  EXPECT_EQ(this->allocator_->stats().free_blocks, 1u);
}

TYPED_TEST(StripedLazySweepTest, SweepStepExtendsABlockThatEndsAtTheCursor) {
  this->begin();
  this->allocate_at_base();
  this->allocator_->free_object(this->objects_[7], /*poison=*/false);
  ASSERT_EQ(walk_blocks(this->allocator_->arena())[1],
            (Block{this->base() + 32, BlockKind::kFree,
                   8 * TestFixture::kObjectBytes - 32}))
      << "object 7 merged with the rest of the first run below the cursor";

  // Only the block below object 8 and the run of objects 8 to 14 together
  // hold 6000 bytes; every other run holds 3584.
  AllocationBuffer buffer;
  std::byte* start = this->allocator_->allocate_slow(buffer, 6000);

  EXPECT_EQ(start, this->base() + 32);
  EXPECT_EQ(this->objects_[16]->kind(), BlockKind::kObject)
      << "one step was enough";
}

TYPED_TEST(StripedLazySweepTest,
           FreeingAboveTheCursorLeavesTheObjectToTheSweep) {
  this->begin();

  this->allocator_->free_object(this->objects_[15], /*poison=*/false);

  AllocatorStats stats = this->allocator_->stats();
  EXPECT_EQ(stats.in_use_bytes, this->live_bytes_ - TestFixture::kObjectBytes);
  EXPECT_EQ(stats.free_blocks, 0u) << "only swept blocks are listed";
  SweepResult result = this->allocator_->finish_sweep();
  EXPECT_EQ(result.live_objects, 15u);
  EXPECT_EQ(
      walk_blocks(this->allocator_->arena())[2],
      (Block{this->at(8), BlockKind::kFree, 15 * TestFixture::kObjectBytes}))
      << "objects 8 to 22 became one block";
}

TYPED_TEST(StripedLazySweepTest, RetireDuringALazySweepReturnsEachTailInPlace) {
  this->begin();
  AllocationBuffer first;
  AllocationBuffer second;
  allocate_object(*this->allocator_, first, 32);   // carves [0, chunk)
  allocate_object(*this->allocator_, second, 32);  // carves [chunk, 2 chunks)

  this->allocator_->retire(second);
  this->allocator_->retire(first);

  constexpr std::size_t kRunBytes = TestFixture::kRunBytes;
  std::byte* base = this->base();
  std::vector<Block> blocks = walk_blocks(this->allocator_->arena());
  std::vector<Block> expected = {
      {base, BlockKind::kObject, 32},
      {base + 32, BlockKind::kFree, kChunk - 32},
      {base + kChunk, BlockKind::kObject, 32},
      {base + kChunk + 32, BlockKind::kFree, kRunBytes - kChunk - 32},
      {this->at(7), BlockKind::kObject, TestFixture::kObjectBytes}};
  blocks.resize(expected.size());
  EXPECT_EQ(blocks, expected)
      << "each tail went back in place, the second merging with the rest of "
         "the run and the first with nothing";
  EXPECT_EQ(this->allocator_->stats().free_blocks, 2u);
  EXPECT_EQ(this->allocator_->stats().largest_free_block,
            kRunBytes - kChunk - 32);
}

TYPED_TEST(StripedLazySweepTest, ResetTopEndsTheLazySweep) {
  this->begin();

  this->allocator_->reset_top(this->at(8));

  AllocatorStats stats = this->allocator_->stats();
  EXPECT_EQ(stats.unswept_bytes, 0u);
  EXPECT_EQ(stats.free_bytes,
            TestFixture::kArenaBytes - 8 * TestFixture::kObjectBytes);
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_FALSE(this->allocator_->sweep_pending());
  EXPECT_EQ(this->allocator_->finish_sweep().live_objects, 0u)
      << "no sweep is in progress any more";
}

TYPED_TEST(StripedLazySweepTest, LazyStepPoisonsWhatItFrees) {
  this->begin({}, /*poison=*/true);
  AllocationBuffer buffer;

  this->allocator_->allocate_slow(buffer, 32);  // the buffer stays raw

  for (std::size_t i = kMinFreeBlockBytes;
       i < TestFixture::kRunBytes - TypeParam::kFooterBytes; ++i) {
    if (i >= kChunk && i < kChunk + kMinFreeBlockBytes) continue;  // header
    ASSERT_EQ(this->base()[i], kPoisonByte)
        << "byte " << i << " of the first run";
  }
  EXPECT_EQ(this->objects_[8]->payload()[0], std::byte{0})
      << "object 8 lies beyond the step";
}

}  // namespace
}  // namespace gclab
