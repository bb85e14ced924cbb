// Test helpers that drive an Allocator directly, the way Mutator::allocate
// does: bump in an AllocationBuffer, fall back to allocate_slow, format the
// header.
#ifndef GCLAB_ALLOCATORS_ALLOCATOR_TEST_UTIL_H_
#define GCLAB_ALLOCATORS_ALLOCATOR_TEST_UTIL_H_

#include <cstddef>
#include <ostream>
#include <span>
#include <vector>

#include "heap/allocator.h"
#include "heap/object.h"

namespace gclab::allocator_testing {

// An object of exactly `bytes` (a granule multiple, at least a header), or
// null when the allocator is exhausted.
Object* allocate_object(Allocator& allocator, AllocationBuffer& buffer,
                        std::size_t bytes);

// The objects for_each_object visits, in visiting order.
std::vector<Object*> walk_objects(Allocator& allocator);

struct Block {
  std::byte* at;
  BlockKind kind;
  std::size_t bytes;

  bool operator==(const Block&) const = default;
};

// So that a failed comparison shows kinds, sizes and arena offsets.
void PrintTo(const Block& block, std::ostream* out);

// Every block of `range`, which must be parseable.
std::vector<Block> walk_blocks(std::span<std::byte> range);

struct Range {
  std::byte* start;
  std::size_t bytes;
};

// Allocates `objects_per_thread` objects of mixed sizes (some large enough to
// bypass the buffer) from each of `threads` threads, each through its own
// buffer, which the thread retires at the end. Returns every object's range,
// sorted by address.
std::vector<Range> allocate_from_threads(Allocator& allocator, int threads,
                                         int objects_per_thread);

}  // namespace gclab::allocator_testing

#endif  // GCLAB_ALLOCATORS_ALLOCATOR_TEST_UTIL_H_
