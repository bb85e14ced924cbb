// `bump`: a contiguous arena with a bump pointer and per-mutator TLABs.
//
// A global top pointer, advanced by compare-and-swap, hands out thread-local
// allocation buffers (TLABs) of `tlab` bytes; a mutator's fast path then bumps
// through its TLAB without synchronisation (Mutator::allocate). Objects larger
// than a quarter of a TLAB are placed at the top directly, so that one large
// object never wastes most of a TLAB. Nothing is ever freed in place: memory
// comes back only when a sliding compactor has moved every live object below a
// new top (reset_top).
//
// Invariant: [base, top) is parseable whenever no mutator holds a buffer. A
// TLAB's unused tail is formatted as a free block or a filler when the buffer
// is retired, so a walk from the base meets only objects and dead space.
// [top, end) has never been handed out since the last reset.
//
// Design note: docs/design.md#bump.
#ifndef GCLAB_ALLOCATORS_BUMP_ALLOCATOR_H_
#define GCLAB_ALLOCATORS_BUMP_ALLOCATOR_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <span>

#include "heap/allocator.h"
#include "heap/arena.h"
#include "heap/params.h"

namespace gclab {

class BumpAllocator final : public Allocator {
 public:
  static constexpr AllocatorCapabilities kCapabilities{
      .sweepable = false, .contiguous = true, .frees_objects = false};
  static constexpr ParamSpec kParams[] = {
      {"tlab", ParamKind::kSize, "32K",
       "bytes handed to a mutator per refill; objects above a quarter of "
       "this go straight to the top"},
  };

  // Throws ConfigError when the heap cannot hold one object or spans more
  // granules than a 32-bit forwarding address counts (32 GiB; mark-compact),
  // or when `tlab_bytes` is not a multiple of the granule or below the
  // smallest useful TLAB.
  BumpAllocator(std::size_t heap_bytes, std::size_t tlab_bytes);
  static std::unique_ptr<Allocator> create(std::size_t heap_bytes,
                                           const ParamValues& params);

  AllocatorCapabilities capabilities() const override { return kCapabilities; }
  std::byte* allocate_slow(AllocationBuffer& buffer,
                           std::size_t bytes) override;
  void retire(AllocationBuffer& buffer) override;
  std::span<std::byte> parseable() const override;
  void reset_top(std::byte* new_top) override;
  std::span<std::byte> arena() const override;
  AllocatorStats stats() const override;
  std::size_t in_use_bytes() const override;

  std::size_t tlab_bytes() const { return tlab_bytes_; }

 private:
  // Claims between `min_bytes` and `want_bytes` at the top (as much as is
  // left, up to `want_bytes`); null when fewer than `min_bytes` remain.
  std::span<std::byte> claim(std::size_t min_bytes, std::size_t want_bytes);

  Arena arena_;
  std::byte* const end_;  // the arena's end, rounded down to a granule
  std::size_t tlab_bytes_;
  std::atomic<std::byte*> top_;
  // Highest top before the last reset_top; committed is the larger of this
  // and the current top.
  std::atomic<std::byte*> high_water_;
};

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_BUMP_ALLOCATOR_H_
