#include "allocators/bump_allocator.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "heap/errors.h"
#include "heap/fatal.h"

namespace gclab {
namespace {

// A quarter of the smallest TLAB must still hold the smallest object.
constexpr std::size_t kMinTlabBytes = 4 * kHeaderBytes;

// Mark-compact keeps a forwarding address in the header's 32-bit collector
// word, in granules from the base, so no heap may span more granules.

std::byte* granule_floor(std::byte* at, std::size_t bytes) {
  return at + (bytes & ~(kGranuleBytes - 1));
}

// `heap_bytes`, once its whole granules are known to hold one object and
// fit a forwarding address: checked before the arena is reserved, so that
// a heap too large is refused by its size, not by a failed reservation.
std::size_t checked_heap_bytes(std::size_t heap_bytes) {
  const std::size_t usable = heap_bytes & ~(kGranuleBytes - 1);
  if (usable < kHeaderBytes || usable > kMaxGranuleSpanBytes) {
    throw ConfigError("bump allocator: heap of " + std::to_string(heap_bytes) +
                      " bytes must be between " + std::to_string(kHeaderBytes) +
                      " and " + std::to_string(kMaxGranuleSpanBytes) +
                      " bytes");
  }
  return heap_bytes;
}

}  // namespace

BumpAllocator::BumpAllocator(std::size_t heap_bytes, std::size_t tlab_bytes)
    : arena_(checked_heap_bytes(heap_bytes)),
      end_(granule_floor(arena_.begin(), arena_.size())),
      tlab_bytes_(tlab_bytes),
      top_(arena_.begin()),
      high_water_(arena_.begin()) {
  if (tlab_bytes % kGranuleBytes != 0 || tlab_bytes < kMinTlabBytes) {
    throw ConfigError("bad parameter tlab=" + std::to_string(tlab_bytes) +
                      ": expected a multiple of " +
                      std::to_string(kGranuleBytes) + " bytes, at least " +
                      std::to_string(kMinTlabBytes));
  }
}

std::unique_ptr<Allocator> BumpAllocator::create(std::size_t heap_bytes,
                                                 const ParamValues& params) {
  return std::make_unique<BumpAllocator>(heap_bytes, params.get_size("tlab"));
}

std::span<std::byte> BumpAllocator::claim(std::size_t min_bytes,
                                          std::size_t want_bytes) {
  std::byte* top = top_.load(std::memory_order_relaxed);
  std::size_t bytes;
  do {
    std::size_t available = end_ - top;
    if (available < min_bytes) return {};
    bytes = std::min(available, want_bytes);
  } while (
      !top_.compare_exchange_weak(top, top + bytes, std::memory_order_relaxed));
  return {top, bytes};
}

std::byte* BumpAllocator::allocate_slow(AllocationBuffer& buffer,
                                        std::size_t bytes) {
  if (bytes % kGranuleBytes != 0 || bytes < kHeaderBytes) {
    fatal("bump allocator: request of " + std::to_string(bytes) +
          " bytes is not a whole object");
  }
  // A large object goes straight to the top and leaves the TLAB in use: its
  // tail is still good for the small objects that follow.
  if (bytes > tlab_bytes_ / 4) return claim(bytes, bytes).data();
  retire(buffer);
  std::span<std::byte> tlab = claim(bytes, tlab_bytes_);
  if (tlab.empty()) return nullptr;
  buffer.cursor = tlab.data() + bytes;
  buffer.limit = tlab.data() + tlab.size();
  return tlab.data();
}

void BumpAllocator::retire(AllocationBuffer& buffer) {
  std::size_t tail = buffer.remaining();
  if (tail >= kMinFreeBlockBytes) {
    Object::format_dead(buffer.cursor, tail, BlockKind::kFree);
    reinterpret_cast<Object*>(buffer.cursor)->free_link() = nullptr;
  } else if (tail > 0) {
    Object::format_filler(buffer.cursor, tail);
  }
  buffer = AllocationBuffer{};
}

std::span<std::byte> BumpAllocator::parseable() const {
  return {arena_.begin(), top_.load(std::memory_order_acquire)};
}

void BumpAllocator::reset_top(std::byte* new_top) {
  if (new_top < arena_.begin() || new_top > end_ ||
      (new_top - arena_.begin()) % kGranuleBytes != 0) {
    fatal("bump allocator: reset_top outside the arena or off a granule");
  }
  std::byte* old_top = top_.exchange(new_top, std::memory_order_acq_rel);
  std::byte* high = high_water_.load(std::memory_order_relaxed);
  while (old_top > high && !high_water_.compare_exchange_weak(
                               high, old_top, std::memory_order_relaxed)) {
  }
}

std::span<std::byte> BumpAllocator::arena() const {
  return {arena_.begin(), end_};
}

AllocatorStats BumpAllocator::stats() const {
  std::byte* base = arena_.begin();
  std::byte* top = top_.load(std::memory_order_relaxed);
  std::byte* high = std::max(high_water_.load(std::memory_order_relaxed), top);
  std::size_t free = end_ - top;
  return AllocatorStats{
      .heap_bytes = static_cast<std::size_t>(end_ - base),
      .committed_bytes = static_cast<std::size_t>(high - base),
      .in_use_bytes = static_cast<std::size_t>(top - base),
      .free_bytes = free,
      .largest_free_block = free,
      .free_blocks = free > 0 ? 1u : 0u,
  };
}

std::size_t BumpAllocator::in_use_bytes() const {
  return top_.load(std::memory_order_relaxed) - arena_.begin();
}

}  // namespace gclab
