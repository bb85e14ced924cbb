// `free-list`: a contiguous arena managed by one address-ordered free list
// with first, next or best fit (Knuth 1973; Wilson et al. 1995).
//
// Every free block (kind kFree, at least kMinFreeBlockBytes) is on a singly
// linked list through its link word, in address order. Mutators do not take
// the list's lock per object: a refill carves a chunk (`chunk` bytes, or the
// whole block when the rest would be too small to be a free block) out of a
// block chosen by the fit policy, and the mutator bumps through it in its
// AllocationBuffer. Objects larger than a quarter of a chunk are placed
// directly, at their exact size. A retired buffer's tail goes back on the
// list; freeing an object (reference counting) and sweeping coalesce
// adjacent dead space, so the list never holds two touching blocks.
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
  static constexpr AllocatorCapabilities kCapabilities{.sweepable = true,
                                                       .contiguous = true,
                                                       .frees_objects = true,
                                                       .lazy_sweep = true};
  static constexpr ParamSpec kParams[] = {
      {"fit", ParamKind::kChoice, "first",
       "which free block serves a request: the lowest-addressed that fits, "
       "the next that fits after the previous one, or the smallest that fits",
       "first|next|best"},
      {"chunk", ParamKind::kSize, "32K",
       "bytes carved for a mutator's buffer per refill; objects above a "
       "quarter of this are placed directly"},
  };

  // Throws ConfigError when `chunk_bytes` is not a multiple of the granule or
  // too small, or the heap does not fit one block header's size field.
  FreeListAllocator(std::size_t heap_bytes, FitPolicy fit,
                    std::size_t chunk_bytes);
  static std::unique_ptr<Allocator> create(std::size_t heap_bytes,
                                           const ParamValues& params);

  AllocatorCapabilities capabilities() const override { return kCapabilities; }
  std::byte* allocate_slow(AllocationBuffer& buffer,
                           std::size_t bytes) override;
  void retire(AllocationBuffer& buffer) override;
  void free_object(Object* object, bool poison) override;
  AllocatorStats stats() const override;

  FitPolicy fit() const { return fit_; }
  std::size_t chunk_bytes() const { return chunk_bytes_; }

 private:
  friend class ArenaSweptAllocator<FreeListAllocator>;

  struct Fit {
    Object* prev = nullptr;  // the block's predecessor, null for the head
    Object* block = nullptr;
  };

  // The ArenaSweep policy: a run becomes a free block at the list's tail.
  struct SweepRuns;

  Fit find_locked(std::size_t bytes) const;
  // A block for `preferred` bytes or, failing that, for `needed` bytes,
  // sweeping lazily while the swept part has neither.
  Fit find_or_sweep_locked(std::size_t preferred, std::size_t needed);
  Fit find_first_locked(std::size_t bytes) const;
  Fit find_next_locked(std::size_t bytes) const;
  Fit find_best_locked(std::size_t bytes) const;
  // Takes `bytes` from the front of `fit.block`; with `round_up`, the whole
  // block when the rest could not be a free block. Returns the bytes taken.
  std::size_t carve_locked(Fit fit, std::size_t bytes, bool round_up);
  void retire_locked(AllocationBuffer& buffer);
  // Puts [start, start + bytes) on the list, merging with touching blocks.
  void insert_locked(std::byte* start, std::size_t bytes, bool poison);
  // Frees an object the sweep has not reached: it becomes dead space for the
  // sweep to coalesce, off the list.
  void free_unswept_locked(Object* object, bool poison);
  // Replaces the list with dead space [start, end): one block, a filler or
  // nothing. Ends any sweep.
  void reset_locked(std::byte* start);

  // Starts a sweep at the arena's base with an empty list.
  void start_sweep_locked(std::uint8_t live_mark, std::size_t live_bytes,
                          bool poison);
  void set_rover_locked(Object* prev, Object* block);
  Object*& link_to_locked(Object* prev) {
    return prev != nullptr ? prev->free_link() : head_;
  }

  const FitPolicy fit_;
  const std::size_t chunk_bytes_;

  Object* head_ = nullptr;
  Object* tail_ = nullptr;  // the list's last block: a sweep appends there
  Object* rover_ = nullptr;
  Object* rover_prev_ = nullptr;
  std::size_t free_blocks_ = 0;
  std::byte* high_water_;  // end of the highest memory ever handed out
};

extern template class ArenaSweptAllocator<FreeListAllocator>;

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_FREE_LIST_ALLOCATOR_H_
