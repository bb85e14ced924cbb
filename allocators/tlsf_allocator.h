// `tlsf`: two-level segregated fit (Masmano, Ripoll, Crespo and Real 2004)
// over one contiguous arena: allocating and freeing a block take a constant
// number of list operations, whatever the heap holds, so a real-time
// experiment can bound the allocator's part of a pause or a refill.
//
// Free blocks sit on segregated lists indexed by size in two levels. The
// first level is floor(log2(granules)); the second splits each power-of-two
// range into 32 lists of equal width, so a list's blocks differ in size by at
// most 1/32 of the range and one 32-bit word holds a first level's list
// bitmap. 32 rather than the other usual choice, 16: good fit rounds a
// request up to its list's upper bound, and 32 halves that waste (at most 3%
// of a request against 6%) for the same one-word bitmaps. Blocks under 32
// granules (256 bytes, where most objects lie) get one exact list per size
// instead. A first-level bitmap says which first levels have a non-empty list;
// std::countr_zero on the two bitmaps finds the first non-empty list at or
// above an index in O(1). Lists are doubly linked through 32-bit granule
// offsets in the block's second word, so a block can be unlinked from the
// middle of its list in O(1).
//
// Allocation is good fit (Masmano's mapping_search): the request is rounded
// up to the next list boundary, so any block on the list found fits, and the
// block's rest goes back on a list. Should that find nothing, the head of the
// request's own list is tried too (O(1)), and, before the request fails, the
// rest of that list: near exhaustion a block just big enough would otherwise
// go unused and the heap be reported exhausted. That walk is the one place
// allocation costs more than O(1), and only on the way to a failure (which
// costs a collection).
//
// Mutators do not come here per object: a refill carves a chunk, and an
// object larger than a quarter of a chunk is placed directly (arena_sweep.h:
// the refill policy that the free list shares); with no block of a chunk, a
// refill takes the head of the highest non-empty list, the largest block
// that is O(1) to find. Retiring a buffer frees its unused tail like an
// object.
//
// Immediate coalescing finds both physical neighbours in O(1) without
// touching memory that belongs to a mutator. A side bitmap (one bit per
// granule, like the header's 8-byte unit) holds "boundary bits": the first
// and the last granule of every dead block (free block or filler) are set,
// nothing else is. A freed range is merged with the block before it when the
// bit of the granule just before it is set, and with the block after it when
// the bit of the granule just after it is set; no other granule's bit can be
// set there, since blocks tile the arena. A dead block's last word holds its
// size in granules in its low 32 bits (its footer; for an 8-byte filler, its
// header is its footer), so the block before is found from its end. The bits
// are needed because the word before a freed range may be a live object's
// payload and the word after it may be the stale, unformatted start of
// another mutator's buffer: neither can be read to decide anything.
//
// Sweeping, eager or lazy, is an ArenaSweep (arena_sweep.h: the cursor, the
// bounded steps and their invariant); here each run of dead space it closes
// becomes one dead block, listed in O(1) (or a filler, under 24 bytes), with
// its footer and boundary bits, and a sweep begins by emptying the lists. A
// refill that finds no fit sweeps on, about a chunk's worth at a time.
// Sweeping is the one part that is not O(1): it is proportional to the arena
// it passes, as in any sweep.
//
// Invariants, under `mutex_` and whenever no sweep step is running:
// - a block is listed iff it is kFree and lies below the sweep cursor (the
//   whole arena when no sweep is in progress); it is at least
//   kMinListedBytes (header, links, footer), on the list its size maps to;
//   dead space under that size is a filler, and so is an object freed
//   above the cursor (the sweep will merge it into a run);
// - a boundary bit is set iff its granule is the first or last of a dead
//   block, and every dead block of more than one granule ends in its footer;
// - outside the unswept part, no two dead blocks touch: freeing, retiring and
//   sweeping all merge with dead neighbours. Above the cursor the sweep will;
// - first_level_map_ bit f is set iff second_level_map_[f] is non-zero, and
//   bit s of that iff list (f, s) is non-empty;
// - list_bytes_ is the sum of listed blocks' sizes, free_blocks_ their
//   number; free_bytes_ is list_bytes_ plus the dead bytes above the cursor.
// The arena is parseable whenever no mutator holds a buffer.
//
// Design note: docs/design.md#tlsf.
#ifndef GCLAB_ALLOCATORS_TLSF_ALLOCATOR_H_
#define GCLAB_ALLOCATORS_TLSF_ALLOCATOR_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "allocators/arena_sweep.h"
#include "heap/allocator.h"
#include "heap/granule_bitmap.h"
#include "heap/params.h"

namespace gclab {

class TlsfAllocator final : public ArenaSweptAllocator<TlsfAllocator> {
 public:
  static constexpr ParamSpec kParams[] = {kChunkParam};

  // Second-level lists per first level: 2^5 = 32, one 32-bit bitmap each.
  static constexpr int kSecondLevelLog2 = 5;
  static constexpr int kSecondLevelCount = 1 << kSecondLevelLog2;
  // Block sizes are 32-bit granule counts: first level 0 holds the exact
  // small sizes, levels 1 to 27 the power-of-two ranges 2^5 to 2^31 granules.
  static constexpr int kFirstLevelCount = 32 - kSecondLevelLog2 + 1;
  // A listed block holds its header, its two list links and its footer.
  static constexpr std::size_t kMinListedBytes = 3 * kGranuleBytes;

  // Which list a block of some size is on: (first level, second level).
  struct ListIndex {
    int first = 0;
    int second = 0;

    bool operator==(const ListIndex&) const = default;
  };

  // The list a free block of `bytes` belongs on (Masmano's mapping_insert).
  static ListIndex list_of_block(std::size_t bytes);
  // The first list whose every block holds `bytes` (Masmano's
  // mapping_search: `bytes` rounded up to the next list boundary); none when
  // that lies beyond the largest list.
  static std::optional<ListIndex> list_of_request(std::size_t bytes);

  // Throws ConfigError when `chunk_bytes` is not a multiple of the granule or
  // too small, or the heap does not fit one block header's size field.
  TlsfAllocator(std::size_t heap_bytes, std::size_t chunk_bytes);
  static std::unique_ptr<Allocator> create(std::size_t heap_bytes,
                                           const ParamValues& params);

 private:
  friend class ArenaSweptAllocator<TlsfAllocator>;
  // Counts list operations (tlsf_allocator_test.cc).
  friend class TlsfAllocatorTestPeer;

  // The ArenaSweep policy: a run becomes a listed block or a filler, with
  // its footer and boundary bits.
  struct SweepRuns;

  // The list links of a listed block, in its second word: granule offsets
  // from the arena's base, kNoBlock at either end of a list.
  struct Links {
    std::uint32_t next;
    std::uint32_t prev;
  };
  static constexpr std::uint32_t kNoBlock = UINT32_MAX;

  // O(1) list primitives; each counts as one list operation.
  void insert_locked(Object* block);
  void remove_locked(Object* block);
  // The head of the first non-empty list at or above `from`, or null.
  Object* search_locked(ListIndex from);

  // The refill hooks of ArenaSweptAllocator (arena_sweep.h).
  // Good fit for `bytes`, then the head of its own list if that holds it.
  Object* find_locked(std::size_t bytes);
  // For a refill that found no chunk: the head of the highest non-empty list
  // if it holds `bytes`, else a good fit.
  Object* find_smaller_locked(std::size_t bytes);
  // The first block on `bytes`' own list that holds them: the last resort
  // before a request fails, O(length of that list).
  Object* find_last_resort_locked(std::size_t bytes);
  // Takes `bytes` (or all of a smaller block) from the front of listed
  // `block`; with `round_up`, the whole block when the rest could not be
  // listed. Returns what it took.
  std::span<std::byte> take_locked(Object* block, std::size_t bytes,
                                   bool round_up);
  void retire_locked(AllocationBuffer& buffer);

  // Formats [start, start + bytes) as one dead block (listed, or a filler)
  // with its footer and boundary bits.
  void make_dead_locked(std::byte* start, std::size_t bytes);
  // Frees [start, start + bytes) and merges it with the dead blocks around
  // it in the swept part.
  void free_range_locked(std::byte* start, std::size_t bytes, bool poison);
  // A filler above the cursor, with its footer and boundary bits.
  void format_unswept_dead_locked(Object* object);
  // Replaces every list with the dead space [start, end). Ends any sweep.
  void reset_locked(std::byte* start);
  void clear_lists_locked();

  // The boundary bitmap.
  std::size_t granule_index(const std::byte* at) const {
    return static_cast<std::size_t>(at - arena_.begin()) / kGranuleBytes;
  }
  void set_boundary_bits(const std::byte* start, std::size_t bytes);
  void clear_boundary_bits(const std::byte* start, std::size_t bytes);
  // The dead block that ends just before `at`, or null if the block there is
  // not dead (or `at` is the base).
  Object* dead_block_before(const std::byte* at) const;
  // The dead block that starts at `at`, or null if none does (or `at` is the
  // end).
  Object* dead_block_at(std::byte* at) const;

  // The largest listed block: a walk of the highest non-empty list.
  std::size_t largest_free_block_locked() const;

  // Starts a sweep at the arena's base with empty lists.
  void start_sweep_locked(std::uint8_t live_mark, std::size_t live_bytes,
                          bool poison);

  Object* block_at(std::uint32_t offset) const {
    return reinterpret_cast<Object*>(arena_.begin() +
                                     std::size_t{offset} * kGranuleBytes);
  }
  std::uint32_t offset_of(const Object* block) const {
    return static_cast<std::uint32_t>(granule_index(block->address()));
  }
  static Links& links(Object* block) {
    return *reinterpret_cast<Links*>(block->address() + kGranuleBytes);
  }

  // One bit per granule of the arena, committed on first touch like the
  // arena itself (heap/bitmap.h).
  GranuleBitmap boundary_bits_;

  std::uint32_t first_level_map_ = 0;
  std::array<std::uint32_t, kFirstLevelCount> second_level_map_{};
  std::array<std::array<std::uint32_t, kSecondLevelCount>, kFirstLevelCount>
      heads_{};
  // List operations so far: each insertion, each removal, each bitmap
  // search and each block looked at on a list. What the O(1) bound is
  // about: allocating and freeing take a constant number, however many
  // blocks are listed (sweeping takes one per run it closes; a request on
  // its way to failing, one per block of its own list).
  std::uint64_t list_operations_ = 0;
};

extern template class ArenaSweptAllocator<TlsfAllocator>;

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_TLSF_ALLOCATOR_H_
