#include "allocators/allocator_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <thread>

namespace gclab::allocator_testing {

Object* allocate_object(Allocator& allocator, AllocationBuffer& buffer,
                        std::size_t bytes) {
  std::byte* at = buffer.cursor;
  if (bytes <= buffer.remaining()) {
    buffer.cursor += bytes;
  } else {
    at = allocator.allocate_slow(buffer, bytes);
    if (at == nullptr) return nullptr;
  }
  ObjectShape shape{.payload_bytes =
                        static_cast<std::uint32_t>(bytes - kHeaderBytes)};
  return Object::format(at, bytes, shape, kUnmarked);
}

Object* place_directly(Allocator& allocator, std::size_t bytes) {
  AllocationBuffer unused;
  std::byte* at = allocator.allocate_slow(unused, bytes);
  if (at == nullptr) return nullptr;
  EXPECT_EQ(unused.cursor, nullptr)
      << bytes << " bytes were placed directly, not from a buffer";
  ObjectShape shape{.payload_bytes =
                        static_cast<std::uint32_t>(bytes - kHeaderBytes)};
  return Object::format(at, bytes, shape, kUnmarked);
}

Object* place_unzeroed(Allocator& allocator, ObjectShape shape) {
  AllocationBuffer unused;
  std::byte* at = allocator.allocate_slow(unused, shape.size_bytes());
  if (at == nullptr) return nullptr;
  EXPECT_EQ(unused.cursor, nullptr)
      << shape.size_bytes() << " bytes were placed directly, not from a buffer";
  return Object::format_all_but_payload(at, shape.size_bytes(), shape,
                                        kUnmarked);
}

std::vector<Object*> place(Allocator& allocator,
                           std::initializer_list<std::size_t> sizes) {
  std::vector<Object*> objects;
  for (std::size_t bytes : sizes) {
    Object* object = place_directly(allocator, bytes);
    EXPECT_NE(object, nullptr) << "placing " << bytes << " bytes";
    objects.push_back(object);
  }
  return objects;
}

std::vector<Object*> build_mixed_image(Allocator& allocator, unsigned seed) {
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

std::vector<Object*> walk_objects(Allocator& allocator) {
  std::vector<Object*> objects;
  allocator.for_each_object([&](Object* object) { objects.push_back(object); });
  return objects;
}

std::vector<Block> walk_blocks(std::span<std::byte> range) {
  std::vector<Block> blocks;
  for (std::byte* at = range.data(); at < range.data() + range.size();) {
    auto* block = reinterpret_cast<Object*>(at);
    blocks.push_back({at, block->kind(), block->size_bytes()});
    if (block->size_bytes() == 0) break;
    at += block->size_bytes();
  }
  return blocks;
}

namespace {

const char* kind_name(BlockKind kind) {
  return kind == BlockKind::kObject ? "object"
         : kind == BlockKind::kFree ? "free"
                                    : "filler";
}

}  // namespace

void PrintTo(const Block& block, std::ostream* out) {
  *out << "{" << kind_name(block.kind) << " of " << block.bytes << " bytes at "
       << static_cast<const void*>(block.at) << "}";
}

void PrintTo(const PlacedBlock& block, std::ostream* out) {
  *out << "{" << kind_name(block.kind) << " of " << block.bytes << " bytes at +"
       << block.offset << "}";
}

std::vector<PlacedBlock> layout(Allocator& allocator) {
  std::vector<PlacedBlock> placed;
  for (const Block& block : walk_blocks(allocator.arena())) {
    placed.push_back(
        {static_cast<std::size_t>(block.at - allocator.arena().data()),
         block.kind, block.bytes});
  }
  return placed;
}

WalkedFreeSpace walk_free_space(Allocator& allocator) {
  WalkedFreeSpace free;
  for (const Block& block : walk_blocks(allocator.arena())) {
    if (block.kind != BlockKind::kFree) continue;
    free.bytes += block.bytes;
    ++free.blocks;
    free.largest = std::max(free.largest, block.bytes);
  }
  return free;
}

std::vector<Range> allocate_from_threads(Allocator& allocator, int threads,
                                         int objects_per_thread) {
  constexpr std::size_t kSizes[] = {16, 24, 40, 64, 16, 32, 48, 4096};
  std::vector<std::vector<Range>> per_thread(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      AllocationBuffer buffer;
      for (int i = 0; i < objects_per_thread; ++i) {
        std::size_t bytes = kSizes[(i + t) % std::size(kSizes)];
        Object* object = allocate_object(allocator, buffer, bytes);
        if (object == nullptr) break;
        per_thread[t].push_back({object->address(), bytes});
      }
      allocator.retire(buffer);
    });
  }
  for (std::thread& worker : workers) worker.join();
  std::vector<Range> all;
  for (const auto& ranges : per_thread) {
    all.insert(all.end(), ranges.begin(), ranges.end());
  }
  std::sort(all.begin(), all.end(),
            [](const Range& a, const Range& b) { return a.start < b.start; });
  return all;
}

namespace {

constexpr int kObjectsPerThread = 10000;

void expect_disjoint(const std::vector<Range>& ranges) {
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    ASSERT_LE(ranges[i - 1].start + ranges[i - 1].bytes, ranges[i].start)
        << "object " << i - 1 << " overlaps the next one";
  }
}

}  // namespace

void expect_retire_keeps_the_arena_parseable(Allocator& allocator) {
  AllocationBuffer buffer;
  std::vector<Object*> allocated;
  constexpr std::size_t kSizes[] = {16, 24, 200, 512, 40, 1024, 2048, 32};
  for (int i = 0; i < 500; ++i) {
    allocated.push_back(allocate_object(allocator, buffer, kSizes[i % 8]));
  }

  allocator.retire(buffer);

  // Objects too large for the buffer are placed past it, ahead of small
  // ones allocated later.
  std::sort(allocated.begin(), allocated.end());
  EXPECT_EQ(walk_objects(allocator), allocated)
      << "the walk visits exactly the allocated objects, in address order";
}

void expect_two_threads_get_disjoint_objects(Allocator& allocator) {
  std::vector<Range> ranges =
      allocate_from_threads(allocator, 2, kObjectsPerThread);

  ASSERT_EQ(ranges.size(), 2u * kObjectsPerThread)
      << "every allocation succeeded";
  expect_disjoint(ranges);
  EXPECT_EQ(walk_objects(allocator).size(), ranges.size())
      << "after both threads retired, the walk finds every object";
}

void expect_two_threads_sweeping_lazily_get_disjoint_objects(
    Allocator& allocator) {
  allocate_from_threads(allocator, 2, kObjectsPerThread);  // all garbage
  allocator.begin_lazy_sweep(kLive, /*live_bytes=*/0, /*poison=*/false);

  std::vector<Range> ranges =
      allocate_from_threads(allocator, 2, kObjectsPerThread);

  ASSERT_EQ(ranges.size(), 2u * kObjectsPerThread)
      << "every allocation succeeded, over the first objects' memory";
  expect_disjoint(ranges);
  allocator.finish_sweep();
  EXPECT_EQ(walk_objects(allocator).size(), ranges.size())
      << "the sweep freed the first objects and none of the second";
}

}  // namespace gclab::allocator_testing
