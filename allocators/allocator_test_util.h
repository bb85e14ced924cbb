// Test helpers that drive an Allocator directly, the way Mutator::allocate
// does: bump in an AllocationBuffer, fall back to allocate_slow, format the
// header.
#ifndef GCLAB_ALLOCATORS_ALLOCATOR_TEST_UTIL_H_
#define GCLAB_ALLOCATORS_ALLOCATOR_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <span>
#include <vector>

#include "heap/allocator.h"
#include "heap/object.h"

namespace gclab::allocator_testing {

// The mark the tests' sweeps treat as live.
inline constexpr std::uint8_t kLive = 1;

// Chunks (or TLABs) for the tests: with the small one every object above 32
// bytes is placed directly, so tests can lay out the arena object by object.
inline constexpr std::size_t kSmallChunk = 128;
inline constexpr std::size_t kChunk = 1024;

// An object of exactly `bytes` (a granule multiple, at least a header), or
// null when the allocator is exhausted.
Object* allocate_object(Allocator& allocator, AllocationBuffer& buffer,
                        std::size_t bytes);

// An object placed past any buffer, as Mutator::allocate places one too
// large for a buffer; null when the allocator is exhausted.
Object* place_directly(Allocator& allocator, std::size_t bytes);

// An object of `shape` placed as place_directly places one, with only its
// header and slots written (Object::format_all_but_payload, as the mutator
// writes a large object before it zeroes the payload in steps): a test of
// objects of gigabytes touches a page of each, not gigabytes.
Object* place_unzeroed(Allocator& allocator, ObjectShape shape);

// Places objects of `sizes` in order, each too large for a buffer (the
// allocator's chunk must be small enough), and expects every one to fit;
// from a fresh arena they lie back to back from the base.
std::vector<Object*> place(Allocator& allocator,
                           std::initializer_list<std::size_t> sizes);

// Objects of assorted sizes, some carved from buffers (which leaves fillers
// and free tails mid-arena), an eighth of them freed and half of the rest
// marked kLive. The same seed builds the same image in any arena of the same
// size. Returns the live objects.
std::vector<Object*> build_mixed_image(Allocator& allocator, unsigned seed);

std::size_t bytes_of(const std::vector<Object*>& objects);

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

// A block as an offset from its arena's base, so that the layouts of two
// arenas built alike compare.
struct PlacedBlock {
  std::size_t offset;
  BlockKind kind;
  std::size_t bytes;

  bool operator==(const PlacedBlock&) const = default;
};

void PrintTo(const PlacedBlock& block, std::ostream* out);

// Every block of the allocator's arena, which must be parseable.
std::vector<PlacedBlock> layout(Allocator& allocator);

// Free bytes, free blocks and the largest free block, as a walk of the
// arena finds them.
struct WalkedFreeSpace {
  std::size_t bytes = 0;
  std::size_t blocks = 0;
  std::size_t largest = 0;
};

WalkedFreeSpace walk_free_space(Allocator& allocator);

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

// Allocates 500 objects of mixed sizes through one buffer, some too large
// for it, retires the buffer, and expects a walk to find exactly those
// objects, in address order.
void expect_retire_keeps_the_arena_parseable(Allocator& allocator);

// Two threads allocate 10000 objects each; expects every
// allocation to succeed, no two objects to overlap, and a walk to find them
// all.
void expect_two_threads_get_disjoint_objects(Allocator& allocator);
// The same over the garbage of a first such run, which the threads sweep
// lazily as they allocate (for allocators with `lazy_sweep`).
void expect_two_threads_sweeping_lazily_get_disjoint_objects(
    Allocator& allocator);

}  // namespace gclab::allocator_testing

#endif  // GCLAB_ALLOCATORS_ALLOCATOR_TEST_UTIL_H_
