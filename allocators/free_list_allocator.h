// `free-list`: a contiguous arena managed by one address-ordered free list
// with first, next or best fit (Knuth 1973; Wilson et al. 1995).
//
// Every free block (kind kFree, at least kMinFreeBlockBytes) is on a singly
// linked list through its link word, in address order. A refill carves a
// chunk out of a block chosen by the fit policy, and an object larger than a
// quarter of a chunk is placed directly (arena_sweep.h: the refill policy
// that tlsf shares). A retired buffer's tail goes back on the list; freeing an
// object (reference counting) and sweeping coalesce adjacent dead space, so the
// list never holds two touching blocks.
//
// Sweeping, eager or lazy, is an ArenaSweep (arena_sweep.h: the cursor, the
// bounded steps and their invariant); here each run of dead space it closes
// becomes one free block, appended at the list's tail, and a sweep begins by
// emptying the list. A refill that finds no fit on the list sweeps on, about
// a chunk's worth at a time. First and next fit behave as before over the
// swept part; best fit is best among the swept part (a lazy sweep cannot see
// what lies ahead); a refill takes a block smaller than a chunk only once a
// step has found no chunk-sized one.
//
// Invariants, under `mutex_`:
// - the list is sorted by address and no block ends where the next begins;
//   tail_ is its last block (a sweep appends there without a walk);
// - list_bytes_ is the sum of the list's block sizes, free_blocks_ its
//   length; free_bytes_ is list_bytes_ plus the dead bytes above the cursor;
// - while a sweep is in progress, every listed block lies below its cursor,
//   and every free block below the cursor is listed;
// - rover_prev_ is rover_'s predecessor on the list (null when rover_ is the
//   head or null); next fit resumes its search at rover_, null meaning the
//   head.
// The arena is parseable whenever no mutator holds a buffer: objects, free
// blocks and 8-byte fillers tile it from base to end.
//
// Design note: docs/design.md#free-list.
#ifndef GCLAB_ALLOCATORS_FREE_LIST_ALLOCATOR_H_
#define GCLAB_ALLOCATORS_FREE_LIST_ALLOCATOR_H_

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "allocators/arena_sweep.h"
#include "heap/allocator.h"
#include "heap/params.h"

namespace gclab {

enum class FitPolicy { kFirst, kNext, kBest };

// Parses "first", "next" or "best"; throws ConfigError otherwise.
FitPolicy parse_fit_policy(std::string_view name);

class FreeListAllocator final : public ArenaSweptAllocator<FreeListAllocator> {
 public:
  static constexpr ParamSpec kParams[] = {
      {"fit", ParamKind::kChoice, "first",
       "which free block serves a request: the lowest-addressed that fits, "
       "the next that fits after the previous one, or the smallest that fits",
       "first|next|best"},
      kChunkParam,
  };

  // Throws ConfigError when `chunk_bytes` is not a multiple of the granule or
  // too small, or the heap does not fit one block header's size field.
  FreeListAllocator(std::size_t heap_bytes, FitPolicy fit,
                    std::size_t chunk_bytes);
  static std::unique_ptr<Allocator> create(std::size_t heap_bytes,
                                           const ParamValues& params);

  FitPolicy fit() const { return fit_; }

 private:
  friend class ArenaSweptAllocator<FreeListAllocator>;

  struct Fit {
    Object* prev = nullptr;  // the block's predecessor, null for the head
    Object* block = nullptr;

    explicit operator bool() const { return block != nullptr; }
  };

  // The ArenaSweep policy: a run becomes a free block at the list's tail.
  struct SweepRuns;

  // The refill hooks of ArenaSweptAllocator (arena_sweep.h).
  Fit find_locked(std::size_t bytes) const;
  Fit find_smaller_locked(std::size_t bytes) const {
    return find_locked(bytes);
  }
  // The fit policies have looked at every listed block already.
  Fit find_last_resort_locked(std::size_t) const { return {}; }
  // Takes `bytes` (or all of a smaller block) from the front of
  // `fit.block`; with `round_up`, the whole block when the rest could not be
  // a free block. Returns what it took.
  std::span<std::byte> take_locked(Fit fit, std::size_t bytes, bool round_up);
  Fit find_first_locked(std::size_t bytes) const;
  Fit find_next_locked(std::size_t bytes) const;
  Fit find_best_locked(std::size_t bytes) const;
  void retire_locked(AllocationBuffer& buffer);
  // Puts [start, start + bytes) on the list, merging with touching blocks.
  void free_range_locked(std::byte* start, std::size_t bytes, bool poison);
  // A free block above the cursor, off the list.
  void format_unswept_dead_locked(Object* object) {
    Object::format_dead(object->address(), object->size_bytes(),
                        BlockKind::kFree);
  }
  // Replaces the list with dead space [start, end): one block, a filler or
  // nothing. Ends any sweep.
  void reset_locked(std::byte* start);

  // Starts a sweep at the arena's base with an empty list.
  void start_sweep_locked(std::uint8_t live_mark, std::size_t live_bytes,
                          bool poison);
  void set_rover_locked(Object* prev, Object* block);
  // Walks the list, which is what a stats() call may cost.
  std::size_t largest_free_block_locked() const;
  Object*& link_to_locked(Object* prev) {
    return prev != nullptr ? prev->free_link() : head_;
  }

  const FitPolicy fit_;

  Object* head_ = nullptr;
  Object* tail_ = nullptr;  // the list's last block: a sweep appends there
  Object* rover_ = nullptr;
  Object* rover_prev_ = nullptr;
};

extern template class ArenaSweptAllocator<FreeListAllocator>;

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_FREE_LIST_ALLOCATOR_H_
