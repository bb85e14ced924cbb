#include "heap/bitmap.h"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <random>
#include <thread>
#include <vector>

#include "heap/arena.h"
#include "heap/granule_bitmap.h"

namespace gclab {
namespace {

// Bits on both sides of word boundaries, and a partial last word.
constexpr std::size_t kBits = 1000;

template <class Bits>
class BitmapTest : public testing::Test {};

using Variants = testing::Types<Bitmap, AtomicBitmap>;
TYPED_TEST_SUITE(BitmapTest, Variants);

TYPED_TEST(BitmapTest, StartsClear) {
  TypeParam bits(kBits);
  EXPECT_EQ(bits.size(), kBits);
  EXPECT_EQ(bits.word_count(), 16u) << "1000 bits round up to 16 words";
  EXPECT_EQ(bits.count(0, kBits), 0u);
  EXPECT_EQ(bits.find_next_set(0, kBits), kBits);
  EXPECT_EQ(bits.find_next_clear(0, kBits), 0u);
}

TYPED_TEST(BitmapTest, SetTestAndClearOneBit) {
  TypeParam bits(kBits);
  bits.set(64);
  EXPECT_TRUE(bits.test(64));
  EXPECT_FALSE(bits.test(63));
  EXPECT_FALSE(bits.test(65));
  EXPECT_EQ(static_cast<std::uint64_t>(bits.word(1)), 1u)
      << "bit 64 is bit 0 of word 1";
  EXPECT_TRUE(bits.clear(64)) << "clear says the bit was set";
  EXPECT_FALSE(bits.clear(64)) << "and then that it was not";
  EXPECT_FALSE(bits.test(64));
}

TYPED_TEST(BitmapTest, FindNextSetCrossesWordBoundaries) {
  TypeParam bits(kBits);
  for (std::size_t bit : {3, 64, 130, 999}) bits.set(bit);
  EXPECT_EQ(bits.find_next_set(0, kBits), 3u);
  EXPECT_EQ(bits.find_next_set(3, kBits), 3u) << "`from` itself counts";
  EXPECT_EQ(bits.find_next_set(4, kBits), 64u);
  EXPECT_EQ(bits.find_next_set(65, kBits), 130u) << "past a whole clear word";
  EXPECT_EQ(bits.find_next_set(131, kBits), 999u);
  EXPECT_EQ(bits.find_next_set(131, 999), 999u)
      << "nothing in [131, 999): the end";
  EXPECT_EQ(bits.find_next_set(4, 64), 64u) << "the end is exclusive";
  EXPECT_EQ(bits.find_next_set(64, 64), 64u) << "an empty range";
}

TYPED_TEST(BitmapTest, FindNextClearCrossesWordBoundaries) {
  TypeParam bits(kBits);
  bits.set_range(0, 200);
  EXPECT_EQ(bits.find_next_clear(0, kBits), 200u);
  bits.clear(130);
  EXPECT_EQ(bits.find_next_clear(0, kBits), 130u);
  EXPECT_EQ(bits.find_next_clear(131, kBits), 200u);
  EXPECT_EQ(bits.find_next_clear(131, 200), 200u)
      << "nothing in [131, 200): the end";
  bits.set_range(200, kBits);
  EXPECT_EQ(bits.find_next_clear(131, kBits), kBits)
      << "the last word's spare bits are not found";
}

TYPED_TEST(BitmapTest, RangesSetAndClearExactlyTheirBits) {
  TypeParam bits(kBits);
  bits.set_range(5, 9);
  EXPECT_EQ(bits.count(0, kBits), 4u);
  EXPECT_FALSE(bits.test(4));
  EXPECT_TRUE(bits.test(5));
  EXPECT_TRUE(bits.test(8));
  EXPECT_FALSE(bits.test(9));
  bits.set_range(60, 300);
  EXPECT_EQ(bits.count(0, kBits), 4u + 240u);
  EXPECT_EQ(bits.find_next_set(9, kBits), 60u);
  EXPECT_EQ(bits.find_next_clear(60, kBits), 300u);
  bits.clear_range(63, 257);
  EXPECT_EQ(bits.count(60, 300), 3u + 43u);
  EXPECT_TRUE(bits.test(62));
  EXPECT_FALSE(bits.test(63));
  EXPECT_FALSE(bits.test(256));
  EXPECT_TRUE(bits.test(257));
  bits.clear_range(10, 10);
  bits.set_range(10, 10);
  EXPECT_EQ(bits.count(0, kBits), 4u + 3u + 43u)
      << "empty ranges change nothing";
}

// Random ranges, set, cleared, counted and searched, against a model.
TYPED_TEST(BitmapTest, AgreesWithAModel) {
  std::mt19937 random(5);
  TypeParam bits(kBits);
  std::vector<bool> model(kBits);
  for (int step = 0; step < 2000; ++step) {
    std::size_t from = random() % kBits;
    std::size_t end = from + random() % (kBits - from + 1);
    switch (random() % 5) {
      case 0:
        bits.set_range(from, end);
        for (std::size_t i = from; i < end; ++i) model[i] = true;
        break;
      case 1:
        bits.clear_range(from, end);
        for (std::size_t i = from; i < end; ++i) model[i] = false;
        break;
      case 2: {
        std::size_t expected = 0;
        for (std::size_t i = from; i < end; ++i) expected += model[i];
        ASSERT_EQ(bits.count(from, end), expected)
            << "count of [" << from << ", " << end << ")";
        break;
      }
      case 3: {
        std::size_t set = from;
        while (set < end && !model[set]) ++set;
        ASSERT_EQ(bits.find_next_set(from, end), set)
            << "next set in [" << from << ", " << end << ")";
        std::size_t clear = from;
        while (clear < end && model[clear]) ++clear;
        ASSERT_EQ(bits.find_next_clear(from, end), clear)
            << "next clear in [" << from << ", " << end << ")";
        break;
      }
      default:
        ASSERT_EQ(bits.clear(from % kBits), model[from % kBits]);
        model[from % kBits] = false;
        break;
    }
  }
  for (std::size_t i = 0; i < kBits; ++i) ASSERT_EQ(bits.test(i), model[i]);
}

TYPED_TEST(BitmapTest, ClearAllClearsEveryWord) {
  TypeParam bits(kBits);
  bits.set_range(0, kBits);
  EXPECT_EQ(bits.count(0, kBits), kBits);
  bits.clear_all();
  EXPECT_EQ(bits.count(0, kBits), 0u);
  EXPECT_EQ(bits.find_next_set(0, kBits), kBits);
}

// A bitmap over a 256 GiB heap's granules is 4 GiB of words: only the
// pages written are committed, so building it and setting its last bit is
// cheap (an array would zero all 4 GiB first).
TEST(BitmapStorageTest, OnlyTouchedWordsCostMemory) {
  constexpr std::size_t kHugeBits = std::size_t{1} << 35;
  Bitmap bits(kHugeBits);
  bits.set(kHugeBits - 1);
  EXPECT_TRUE(bits.test(kHugeBits - 1));
  EXPECT_EQ(bits.find_next_set(kHugeBits - 64, kHugeBits), kHugeBits - 1);
  EXPECT_EQ(bits.count(0, 64), 0u);
}

// Two threads set and then clear alternate bits of the same words: every
// fetch_or and fetch_and lands (a plain read-modify-write would lose some,
// and ThreadSanitizer would report the race).
TEST(AtomicBitmapTest, TwoThreadsChangeBitsOfTheSameWords) {
  constexpr std::size_t kSharedBits = 1 << 16;
  AtomicBitmap bits(kSharedBits);
  std::array<std::size_t, 2> cleared{};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 2; ++t) {
    threads.emplace_back([&bits, &cleared, t] {
      for (std::size_t bit = t; bit < kSharedBits; bit += 2) bits.set(bit);
      for (std::size_t bit = t; bit < kSharedBits; bit += 4) {
        cleared[t] += bits.clear(bit);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(cleared[0], kSharedBits / 4) << "each clear found its bit set";
  EXPECT_EQ(cleared[1], kSharedBits / 4);
  EXPECT_EQ(bits.count(0, kSharedBits), kSharedBits / 2)
      << "every set bit not cleared is still set";
  for (std::size_t bit = 0; bit < kSharedBits; ++bit) {
    ASSERT_EQ(bits.test(bit), bit % 4 >= 2) << "bit " << bit;
  }
}

TEST(GranuleBitmapTest, AddressesMapToGranules) {
  Arena arena(4096);
  GranuleBitmap bits(arena.bytes());
  std::byte* base = arena.begin();
  EXPECT_EQ(bits.bits().size(), 4096 / kGranuleBytes);
  EXPECT_EQ(bits.bit_index(base + 8 * 70), 70u);
  EXPECT_EQ(bits.bit_index(base + 8 * 70 + 7), 70u)
      << "every byte of a granule has the granule's bit";
  EXPECT_TRUE(bits.contains(base));
  EXPECT_TRUE(bits.contains(base + 4095));
  EXPECT_FALSE(bits.contains(base + 4096));
  EXPECT_FALSE(bits.contains(base - 1));
  bits.set(base + 8 * 70);
  EXPECT_TRUE(bits.test(base + 8 * 70));
  EXPECT_FALSE(bits.test(base + 8 * 71));
  EXPECT_TRUE(bits.bits().test(70));
  EXPECT_TRUE(bits.clear(base + 8 * 70));
  EXPECT_FALSE(bits.test(base + 8 * 70));
}

TEST(GranuleBitmapTest, AnArenaOfPartGranulesHasBitsForWholeOnes) {
  std::array<std::byte, 100> memory{};
  AtomicGranuleBitmap bits(memory);
  EXPECT_EQ(bits.bits().size(), 12u);
  EXPECT_TRUE(bits.contains(memory.data() + 95));
  EXPECT_FALSE(bits.contains(memory.data() + 96))
      << "the last 4 bytes are no granule";
}

}  // namespace
}  // namespace gclab
