#include "allocators/size_class_allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "allocators/allocator_test_util.h"
#include "heap/size_classes.h"

namespace gclab {

// What the tests read of an allocator's private state: spans on each list
// of a class, and pages in use.
class SizeClassAllocatorTestPeer {
 public:
  struct ClassCensus {
    std::size_t partial = 0;
    std::size_t full = 0;
    std::size_t unswept = 0;
  };

  static ClassCensus class_census(SizeClassAllocator& allocator,
                                  std::size_t size_class) {
    CentralLists& central = allocator.spans_.central(size_class);
    std::lock_guard lock(central.mutex);
    return {central.partial.size(), central.full.size(),
            central.unswept.size()};
  }
  static std::size_t pages_in_use(const SizeClassAllocator& allocator) {
    return allocator.pages_.pages_in_use();
  }
};

namespace {

using Peer = SizeClassAllocatorTestPeer;

constexpr std::uint8_t kLive = 1;
constexpr std::size_t kHeap = std::size_t{4} << 20;

// One mutator's cache, driven as Mutator::allocate_in_class drives it.
struct Cache {
  std::array<AllocationBuffer, kSizeClassCount> runs{};

  Object* allocate(SizeClassAllocator& allocator, std::size_t bytes) {
    AllocationBuffer& run =
        runs[bytes <= kMaxSmallObjectBytes ? size_class_of(bytes)
                                           : kLargeSizeClass];
    std::size_t footprint = size_class_footprint(bytes);
    std::byte* at;
    if (footprint <= run.remaining()) {
      at = run.cursor;
      run.cursor += footprint;
    } else {
      at = allocator.allocate_slow(run, bytes);
      if (at == nullptr) return nullptr;
    }
    return Object::format(
        at, bytes,
        ObjectShape{.payload_bytes =
                        static_cast<std::uint32_t>(bytes - kHeaderBytes)},
        kUnmarked);
  }

  void retire(SizeClassAllocator& allocator) {
    for (AllocationBuffer& run : runs) allocator.retire(run);
  }
};

// What a marker does: the header, and the side bit the sweep reads.
void mark(SizeClassAllocator& allocator, Object* object) {
  object->try_mark(kLive);
  allocator.side_marks()->set(object);
}

std::vector<Object*> visited(SizeClassAllocator& allocator) {
  std::vector<Object*> objects;
  allocator.visit_objects([&](Object* object) { objects.push_back(object); });
  std::sort(objects.begin(), objects.end());
  return objects;
}

TEST(SizeClassTable, BoundsRoundingWasteAndSpanTails) {
  EXPECT_GE(kSizeClassCount - 1, 60u);
  EXPECT_LE(kSizeClassCount - 1, 70u);
  EXPECT_EQ(size_class_cell_bytes(kSizeClassCount - 1), kMaxSmallObjectBytes);
  for (std::size_t bytes = kHeaderBytes; bytes <= kMaxSmallObjectBytes;
       bytes += kGranuleBytes) {
    std::size_t cell = size_class_cell_bytes(size_class_of(bytes));
    ASSERT_GE(cell, bytes) << "a " << bytes << "-byte object must fit";
    EXPECT_LT(cell - bytes, cell / 8)
        << bytes << " bytes rounded to a " << cell << "-byte cell";
    if (size_class_of(bytes) > 1) {
      EXPECT_LT(size_class_cell_bytes(size_class_of(bytes) - 1), bytes)
          << "the class below would have fit " << bytes << " bytes";
    }
  }
  for (std::size_t size_class = 1; size_class < kSizeClassCount; ++size_class) {
    std::size_t span = size_class_span_pages(size_class) * kPageBytes;
    std::size_t cell = size_class_cell_bytes(size_class);
    EXPECT_EQ(cell % kGranuleBytes, 0u);
    EXPECT_LE(span % cell, span / 8) << "span tail of class " << size_class;
  }
}

TEST(SizeClassAllocator, FreshSpanIsOneRunOfWholeCells) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  Object* first = cache.allocate(allocator, 40);
  AllocationBuffer& run = cache.runs[size_class_of(40)];
  std::size_t cell = size_class_cell_bytes(size_class_of(40));
  EXPECT_EQ(cell, 40u) << "40 bytes is a class of its own";
  EXPECT_EQ(first->address() + cell, run.cursor);
  std::size_t cells =
      size_class_span_pages(size_class_of(40)) * kPageBytes / cell;
  EXPECT_EQ(run.limit - first->address(),
            static_cast<std::ptrdiff_t>(cells * cell))
      << "the run covers every cell of the span";
  EXPECT_EQ(allocator.in_use_bytes(),
            size_class_span_pages(size_class_of(40)) * kPageBytes)
      << "a run counts as in use, and so does the span's tail";
}

TEST(SizeClassAllocator, RetireGivesBackTheRunsUnusedCells) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  for (int i = 0; i < 10; ++i) cache.allocate(allocator, 64);
  cache.retire(allocator);
  EXPECT_EQ(allocator.in_use_bytes(), 10u * 64u);
  EXPECT_EQ(Peer::class_census(allocator, size_class_of(64)).partial, 1u);
  Cache other;
  Object* next = other.allocate(allocator, 64);
  other.retire(allocator);
  EXPECT_EQ(visited(allocator).size(), 11u);
  EXPECT_EQ(next, visited(allocator)[10])
      << "the next refill continues after the retired cursor";
}

TEST(SizeClassAllocator, SweepFreesUnmarkedCellsAndKeepsMarkedOnes) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  std::vector<Object*> objects;
  for (int i = 0; i < 300; ++i)
    objects.push_back(cache.allocate(allocator, 48));
  cache.retire(allocator);
  std::set<Object*> live;
  for (int i = 0; i < 300; i += 3) {
    mark(allocator, objects[i]);
    live.insert(objects[i]);
  }
  SweepResult swept = allocator.sweep(kLive, /*poison=*/false);
  EXPECT_EQ(swept.live_objects, 100u);
  EXPECT_EQ(swept.freed_objects, 200u);
  EXPECT_EQ(swept.freed_bytes, 200u * 48u);
  std::vector<Object*> after = visited(allocator);
  EXPECT_EQ(std::set<Object*>(after.begin(), after.end()), live);
  for (Object* object : live) {
    EXPECT_FALSE(allocator.side_marks()->test(object))
        << "the sweep clears the mark bits it consumed";
  }
}

TEST(SizeClassAllocator, RefillRunsStopAtSurvivors) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  std::vector<Object*> objects;
  for (int i = 0; i < 8; ++i) objects.push_back(cache.allocate(allocator, 32));
  cache.retire(allocator);
  mark(allocator, objects[2]);
  mark(allocator, objects[5]);
  allocator.sweep(kLive, /*poison=*/false);
  Cache next;
  EXPECT_EQ(next.allocate(allocator, 32), objects[0]);
  EXPECT_EQ(next.allocate(allocator, 32), objects[1]);
  EXPECT_EQ(next.allocate(allocator, 32), objects[3])
      << "the run [0, 2) ends at the survivor in cell 2";
  EXPECT_EQ(next.allocate(allocator, 32), objects[4]);
  EXPECT_EQ(next.allocate(allocator, 32), objects[6]);
}

TEST(SizeClassAllocator, EmptySpansGoBackToThePageHeap) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  for (int i = 0; i < 1000; ++i) cache.allocate(allocator, 16 + 8 * (i % 40));
  cache.allocate(allocator, 100'000);
  cache.retire(allocator);
  EXPECT_GT(Peer::pages_in_use(allocator), 10u);
  allocator.sweep(kLive, /*poison=*/false);
  EXPECT_EQ(Peer::pages_in_use(allocator), 0u);
  EXPECT_EQ(allocator.in_use_bytes(), 0u);
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_EQ(stats.largest_free_block, kHeap);
}

TEST(SizeClassAllocator, LargeObjectsHaveSpansOfTheirOwn) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  Object* big = cache.allocate(allocator, 40'000);
  Object* bigger = cache.allocate(allocator, 100'000);
  ASSERT_NE(big, nullptr);
  ASSERT_NE(bigger, nullptr);
  EXPECT_EQ(Peer::pages_in_use(allocator), 5u + 13u);
  EXPECT_EQ(cache.runs[kLargeSizeClass].limit, nullptr)
      << "large objects never come from a run";
  mark(allocator, bigger);
  allocator.sweep(kLive, /*poison=*/false);
  EXPECT_EQ(Peer::pages_in_use(allocator), 13u);
  EXPECT_EQ(visited(allocator), std::vector<Object*>{bigger});
}

TEST(SizeClassAllocator, ExhaustionReturnsNull) {
  SizeClassAllocator allocator(std::size_t{64} << 10, 1);
  Cache cache;
  int allocated = 0;
  while (cache.allocate(allocator, 1024) != nullptr) ++allocated;
  EXPECT_EQ(allocated, 64);
  EXPECT_EQ(cache.allocate(allocator, 100'000), nullptr);
}

TEST(SizeClassAllocator, LazySweepSweepsOnRefillAndFinishesTheRest) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  std::vector<Object*> objects;
  for (int i = 0; i < 20'000; ++i) {
    objects.push_back(cache.allocate(allocator, i % 2 ? 64 : 128));
  }
  cache.retire(allocator);
  std::size_t live_bytes = 0;
  for (int i = 0; i < 20'000; i += 10) {
    mark(allocator, objects[i]);
    live_bytes += objects[i]->size_bytes();
  }
  allocator.begin_lazy_sweep(kLive, live_bytes, /*poison=*/false);
  EXPECT_TRUE(allocator.sweep_pending());
  EXPECT_EQ(allocator.in_use_bytes(), live_bytes)
      << "in use during a lazy sweep starts at what the mark found";
  std::size_t spans_of_64 = (10'000 + 127) / 128;
  EXPECT_EQ(Peer::class_census(allocator, size_class_of(64)).unswept,
            spans_of_64);
  Cache next;
  Object* reused = next.allocate(allocator, 128);
  auto found = std::find(objects.begin(), objects.end(), reused);
  ASSERT_NE(found, objects.end()) << "the refill swept a 128-byte span";
  EXPECT_NE((found - objects.begin()) % 10, 0)
      << "and reused a dead object's cell, not a live one's";
  EXPECT_EQ(Peer::class_census(allocator, size_class_of(64)).unswept,
            spans_of_64)
      << "the refill swept only its own class";
  next.retire(allocator);
  SweepResult swept = allocator.finish_sweep();
  EXPECT_FALSE(allocator.sweep_pending());
  EXPECT_EQ(swept.live_objects, 2000u);
  EXPECT_EQ(swept.freed_objects, 18'000u);
  EXPECT_EQ(allocator.in_use_bytes(), live_bytes + 128u);
}

TEST(SizeClassAllocator, BackgroundStepsSweepEverySpan) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  for (int i = 0; i < 20'000; ++i) cache.allocate(allocator, 48);
  cache.retire(allocator);
  allocator.begin_lazy_sweep(kLive, 0, /*poison=*/false);
  while (allocator.background_sweep_step()) {
  }
  EXPECT_EQ(Peer::pages_in_use(allocator), 0u);
  EXPECT_EQ(allocator.finish_sweep().freed_objects, 20'000u);
}

TEST(SizeClassAllocator, ParallelSweepFreesWhatASequentialOneFrees) {
  SizeClassAllocator sequential(kHeap, 1);
  SizeClassAllocator parallel(kHeap, 2);
  for (SizeClassAllocator* allocator : {&sequential, &parallel}) {
    Cache cache;
    for (int i = 0; i < 30'000; ++i) {
      Object* object = cache.allocate(*allocator, 16 + 8 * (i % 13));
      if (i % 7 == 0) mark(*allocator, object);
    }
    cache.retire(*allocator);
  }
  SweepResult one = sequential.sweep(kLive, false);
  SweepResult two = parallel.sweep(kLive, false);
  EXPECT_EQ(one.live_objects, two.live_objects);
  EXPECT_EQ(one.freed_objects, two.freed_objects);
  EXPECT_EQ(one.freed_bytes, two.freed_bytes);
  EXPECT_EQ(sequential.in_use_bytes(), parallel.in_use_bytes());
}

TEST(SizeClassAllocator, PoisonFillsFreedCellsOnly) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  Object* dead = cache.allocate(allocator, 64);
  Object* live = cache.allocate(allocator, 64);
  cache.retire(allocator);
  mark(allocator, live);
  allocator.sweep(kLive, /*poison=*/true);
  EXPECT_EQ(dead->address()[0], kPoisonByte);
  EXPECT_EQ(live->size_bytes(), 64u);
}

TEST(SizeClassAllocator, MutatorsRefillConcurrentlyWithoutSharingCells) {
  SizeClassAllocator allocator(kHeap, 1);
  std::vector<std::vector<Object*>> objects(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      Cache cache;
      for (int i = 0; i < 5000; ++i) {
        objects[t].push_back(cache.allocate(allocator, 16 + 8 * (i % 20)));
      }
      cache.retire(allocator);
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<Object*> all(objects[0].begin(), objects[0].end());
  all.insert(objects[1].begin(), objects[1].end());
  EXPECT_EQ(all.size(), 10'000u) << "no cell was handed out twice";
  EXPECT_EQ(visited(allocator).size(), 10'000u);
}

// Reference counting frees one object at a time (free_object).

TEST(SizeClassAllocator, AFreedCellIsTheNextOneItsClassHandsOut) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  constexpr std::size_t kBytes = 1024;
  std::size_t cells = size_class_span_pages(size_class_of(kBytes)) *
                      kPageBytes / size_class_cell_bytes(size_class_of(kBytes));
  std::vector<Object*> objects;
  for (std::size_t i = 0; i < cells; ++i) {
    objects.push_back(cache.allocate(allocator, kBytes));
  }
  cache.retire(allocator);
  EXPECT_EQ(Peer::class_census(allocator, size_class_of(kBytes)).full, 1u);
  std::size_t in_use = allocator.in_use_bytes();
  allocator.free_object(objects[3], /*poison=*/false);
  EXPECT_EQ(allocator.in_use_bytes(), in_use - kBytes);
  Peer::ClassCensus census =
      Peer::class_census(allocator, size_class_of(kBytes));
  EXPECT_EQ(census.full, 0u);
  EXPECT_EQ(census.partial, 1u) << "a full span with a free cell is partial";
  EXPECT_EQ(visited(allocator).size(), cells - 1);
  Cache next;
  EXPECT_EQ(next.allocate(allocator, kBytes), objects[3]);
}

TEST(SizeClassAllocator, FreeingEveryObjectGivesBackEveryPage) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  std::vector<Object*> objects;
  for (int i = 0; i < 3000; ++i) {
    objects.push_back(cache.allocate(allocator, 16 + 8 * (i % 40)));
  }
  objects.push_back(cache.allocate(allocator, 100'000));
  cache.retire(allocator);
  for (Object* object : objects) allocator.free_object(object, false);
  EXPECT_EQ(Peer::pages_in_use(allocator), 0u);
  EXPECT_EQ(allocator.in_use_bytes(), 0u);
  EXPECT_TRUE(visited(allocator).empty());
  EXPECT_EQ(allocator.stats().largest_free_block, kHeap);
}

// A span held by a mutator's run is the mutator's: the free is noted and
// applied when the run is retired.
TEST(SizeClassAllocator, AFreeInAHeldRunIsAppliedAtItsRetire) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  std::vector<Object*> objects;
  for (int i = 0; i < 5; ++i) objects.push_back(cache.allocate(allocator, 64));
  std::size_t in_use = allocator.in_use_bytes();
  allocator.free_object(objects[1], /*poison=*/true);
  EXPECT_EQ(allocator.in_use_bytes(), in_use - 64)
      << "a freed object stops counting at once";
  EXPECT_EQ(objects[1]->address()[0], kPoisonByte);
  cache.retire(allocator);
  std::vector<Object*> left = visited(allocator);
  EXPECT_EQ(left, (std::vector<Object*>{objects[0], objects[2], objects[3],
                                        objects[4]}));
  Cache next;
  EXPECT_EQ(next.allocate(allocator, 64), objects[1]);
  EXPECT_EQ(next.allocate(allocator, 64)->address(), objects[4]->address() + 64)
      << "the run after the freed cell starts past the retired cursor";
}

TEST(SizeClassAllocator, AFreeWhileTheSpanIsUnsweptStaysFreed) {
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  std::vector<Object*> objects;
  for (int i = 0; i < 100; ++i) {
    objects.push_back(cache.allocate(allocator, 48));
    mark(allocator, objects.back());
  }
  cache.retire(allocator);
  allocator.begin_lazy_sweep(kLive, 100 * 48, /*poison=*/false);
  allocator.free_object(objects[10], /*poison=*/false);
  EXPECT_EQ(allocator.in_use_bytes(), 99u * 48u);
  EXPECT_FALSE(allocator.side_marks()->test(objects[10]))
      << "its mark is cleared, or the sweep would keep it";
  SweepResult swept = allocator.finish_sweep();
  EXPECT_EQ(swept.live_objects, 99u);
  std::size_t tail = size_class_span_pages(size_class_of(48)) * kPageBytes % 48;
  EXPECT_EQ(allocator.in_use_bytes(), 99u * 48u + tail)
      << "swept, the span's tail counts as in use again";
  std::vector<Object*> left = visited(allocator);
  EXPECT_EQ(left.size(), 99u);
  EXPECT_FALSE(std::binary_search(left.begin(), left.end(), objects[10]));
}

// A large span's byte counts need more than 32 bits: an object can be up to
// 4 GiB + 512 KiB (65,535 slots and a 32-bit payload). Each of exactly 4 GiB
// and the largest is counted, swept and freed in a heap just over 4 GiB:
// address space, of which the test touches the headers and the bitmap
// words the sweep copies.
TEST(SizeClassAllocator, SpansOfFourGibibytesAndMoreCountEveryByte) {
  constexpr std::size_t kFourGiB = std::size_t{1} << 32;
  constexpr std::size_t kBigHeap = kFourGiB + (std::size_t{1} << 20);
  constexpr ObjectShape kShapes[] = {
      {.payload_bytes = kFourGiB - kHeaderBytes},
      {.num_refs = kMaxRefs, .payload_bytes = UINT32_MAX},
  };
  static_assert(kShapes[0].size_bytes() == kFourGiB);
  SizeClassAllocator allocator(kBigHeap, 1);
  for (const ObjectShape& shape : kShapes) {
    const std::size_t bytes = shape.size_bytes();
    const std::size_t footprint = align_up(bytes, kPageBytes);
    Object* object = allocator_testing::place_unzeroed(allocator, shape);
    ASSERT_NE(object, nullptr) << bytes << " bytes fit the heap";
    EXPECT_EQ(object->size_bytes(), bytes);
    EXPECT_EQ(allocator.in_use_bytes(), footprint) << bytes << " bytes";
    EXPECT_EQ(allocator.stats().in_use_bytes, footprint);
    EXPECT_EQ(allocator.stats().free_bytes, kBigHeap - footprint);
    EXPECT_EQ(Peer::pages_in_use(allocator), footprint / kPageBytes);
    EXPECT_EQ(visited(allocator), std::vector<Object*>{object});

    mark(allocator, object);
    SweepResult swept = allocator.sweep(kLive, /*poison=*/false);
    EXPECT_EQ(swept.live_objects, 1u);
    EXPECT_EQ(swept.live_bytes, footprint)
        << "a large object's cell is its span";
    EXPECT_EQ(allocator.in_use_bytes(), footprint);

    allocator.free_object(object, /*poison=*/false);
    EXPECT_EQ(allocator.in_use_bytes(), 0u) << bytes << " bytes";
    EXPECT_EQ(Peer::pages_in_use(allocator), 0u);
    EXPECT_TRUE(visited(allocator).empty());
    AllocatorStats stats = allocator.stats();
    EXPECT_EQ(stats.free_bytes, kBigHeap);
    EXPECT_EQ(stats.free_blocks, 1u);
    EXPECT_EQ(stats.largest_free_block, kBigHeap);
  }
}

TEST(SizeClassAllocatorDeathTest, FreeingTwiceIsCaught) {
  EXPECT_DEATH(
      {
        SizeClassAllocator allocator(kHeap, 1);
        Cache cache;
        Object* object = cache.allocate(allocator, 64);
        cache.retire(allocator);
        allocator.free_object(object, false);
        allocator.free_object(object, false);
      },
      "free_object on a cell that is not allocated");
  EXPECT_DEATH(
      {
        SizeClassAllocator allocator(kHeap, 1);
        Cache cache;
        Object* object = cache.allocate(allocator, 64);
        allocator.free_object(object, false);
        allocator.free_object(object, false);
      },
      "free_object on a cell that is not allocated");
}

// One thread allocates while another frees what it allocated, as reference
// counting does when an object dies on another mutator. The allocating
// thread waits while kOutstanding objects are not freed yet, so that the
// heap holds a bounded window of them however the threads are scheduled.
TEST(SizeClassAllocator, FreesFromAnotherThreadWhileTheHolderAllocates) {
  constexpr std::size_t kOutstanding = 4096;
  SizeClassAllocator allocator(kHeap, 1);
  std::mutex mutex;
  std::vector<Object*> handed;
  std::atomic<std::size_t> outstanding{0};
  std::atomic<bool> done{false};
  std::thread freer([&] {
    for (;;) {
      std::vector<Object*> taken;
      bool last = done.load();
      {
        std::lock_guard lock(mutex);
        taken.swap(handed);
      }
      for (Object* object : taken) {
        allocator.free_object(object, false);
        outstanding.fetch_sub(1);
      }
      if (last && taken.empty()) return;
      if (taken.empty()) std::this_thread::yield();
    }
  });
  {
    Cache cache;
    for (int i = 0; i < 100'000; ++i) {
      while (outstanding.load() >= kOutstanding) std::this_thread::yield();
      Object* object = cache.allocate(allocator, 16 + 8 * (i % 24));
      if (object == nullptr) {
        ADD_FAILURE() << "frees keep a 4 MiB heap from filling (object " << i
                      << ")";
        break;
      }
      outstanding.fetch_add(1);
      std::lock_guard lock(mutex);
      handed.push_back(object);
    }
    cache.retire(allocator);
  }
  done.store(true);
  freer.join();
  EXPECT_EQ(allocator.in_use_bytes(), 0u);
  EXPECT_EQ(Peer::pages_in_use(allocator), 0u);
  EXPECT_TRUE(visited(allocator).empty());
}

// Allocation, frees (in held and listed spans), retires and sweeps (eager
// and lazy) at random, against a set of what should be allocated.
TEST(SizeClassAllocator, FreesAndSweepsAgreeWithAModel) {
  std::mt19937 random(7);
  SizeClassAllocator allocator(kHeap, 1);
  Cache cache;
  std::vector<Object*> model;
  for (int step = 0; step < 40'000; ++step) {
    unsigned choice = random() % 100;
    if (choice < 60 || model.empty()) {
      std::size_t bytes =
          random() % 64 == 0 ? 40'000 : 16 + 8 * (random() % 60);
      Object* object = cache.allocate(allocator, bytes);
      ASSERT_NE(object, nullptr) << "step " << step;
      model.push_back(object);
    } else if (choice < 97) {
      std::size_t index = random() % model.size();
      allocator.free_object(model[index], false);
      model[index] = model.back();
      model.pop_back();
    } else if (choice < 99) {
      cache.retire(allocator);
      allocator.finish_sweep();  // unswept spans still hold the dead
      std::sort(model.begin(), model.end());
      ASSERT_EQ(visited(allocator), model) << "step " << step;
    } else {
      cache.retire(allocator);
      allocator.finish_sweep();
      std::vector<Object*> kept;
      std::size_t kept_bytes = 0;
      for (Object* object : model) {
        if (random() % 2 == 0) {
          mark(allocator, object);
          kept.push_back(object);
          kept_bytes += object->size_bytes();
        }
      }
      model = kept;
      if (random() % 2 == 0) {
        allocator.sweep(kLive, false);
      } else {
        allocator.begin_lazy_sweep(kLive, kept_bytes, false);
      }
    }
  }
  cache.retire(allocator);
  allocator.finish_sweep();
  std::sort(model.begin(), model.end());
  EXPECT_EQ(visited(allocator), model);
  for (Object* object : model) allocator.free_object(object, false);
  EXPECT_EQ(Peer::pages_in_use(allocator), 0u);
  EXPECT_EQ(allocator.in_use_bytes(), 0u);
}

}  // namespace
}  // namespace gclab
