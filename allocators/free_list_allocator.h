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
// Invariants, under `mutex_`:
// - the list is sorted by address and no block ends where the next begins;
// - free_bytes_ is the sum of the list's block sizes, free_blocks_ its length;
// - rover_prev_ is rover_'s predecessor on the list (null when rover_ is the
//   head or null); next fit resumes its search at rover_, null meaning the
//   head.
// The arena is parseable whenever no mutator holds a buffer: objects, free
// blocks and 8-byte fillers tile it from base to end.
#ifndef GCLAB_ALLOCATORS_FREE_LIST_ALLOCATOR_H_
#define GCLAB_ALLOCATORS_FREE_LIST_ALLOCATOR_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "heap/allocator.h"
#include "heap/arena.h"
#include "heap/params.h"

namespace gclab {

enum class FitPolicy { kFirst, kNext, kBest };

// Parses "first", "next" or "best"; throws ConfigError otherwise.
FitPolicy parse_fit_policy(std::string_view name);

class FreeListAllocator final : public Allocator {
 public:
  static constexpr AllocatorCapabilities kCapabilities{
      .sweepable = true, .contiguous = true, .frees_objects = true};
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
  SweepResult sweep(std::uint8_t live_mark, bool poison) override;
  void for_each_object(const std::function<void(Object*)>& visit) override;
  void reset_top(std::byte* new_top) override;
  std::span<std::byte> arena() const override;
  AllocatorStats stats() const override;
  std::size_t in_use_bytes() const override;

  FitPolicy fit() const { return fit_; }
  std::size_t chunk_bytes() const { return chunk_bytes_; }

 private:
  struct Fit {
    Object* prev = nullptr;  // the block's predecessor, null for the head
    Object* block = nullptr;
  };

  Fit find_locked(std::size_t bytes) const;
  Fit find_first_locked(std::size_t bytes) const;
  Fit find_next_locked(std::size_t bytes) const;
  Fit find_best_locked(std::size_t bytes) const;
  // Takes `bytes` from the front of `fit.block`; with `round_up`, the whole
  // block when the rest could not be a free block. Returns the bytes taken.
  std::size_t carve_locked(Fit fit, std::size_t bytes, bool round_up);
  void retire_locked(AllocationBuffer& buffer);
  // Puts [start, start + bytes) on the list, merging with touching blocks.
  void insert_locked(std::byte* start, std::size_t bytes, bool poison);
  // Replaces the list with dead space [start, end): one block, a filler or
  // nothing.
  void reset_list_locked(std::byte* start);
  void set_rover_locked(Object* prev, Object* block);
  Object*& link_to_locked(Object* prev) {
    return prev != nullptr ? prev->free_link() : head_;
  }

  Arena arena_;
  std::byte* const end_;  // the arena's end, rounded down to a granule
  const FitPolicy fit_;
  const std::size_t chunk_bytes_;

  mutable std::mutex mutex_;
  Object* head_ = nullptr;
  Object* rover_ = nullptr;
  Object* rover_prev_ = nullptr;
  std::size_t free_blocks_ = 0;
  std::byte* high_water_;  // end of the highest memory ever handed out
  // Written under mutex_, read without it by in_use_bytes.
  std::atomic<std::size_t> free_bytes_{0};
};

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_FREE_LIST_ALLOCATOR_H_
