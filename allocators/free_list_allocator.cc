#include "allocators/free_list_allocator.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "heap/errors.h"
#include "heap/fatal.h"

namespace gclab {

// Appends each run's block at the tail: every listed block lies below the
// cursor, so below the run.
struct FreeListAllocator::SweepRuns {
  FreeListAllocator& allocator;

  // A block freed or retired just below the cursor is the list's tail.
  std::byte* take_dead_below(std::byte* cursor) const {
    Object* tail = allocator.tail_;
    if (tail == nullptr || tail->address() + tail->size_bytes() != cursor) {
      return nullptr;
    }
    return tail->address();
  }
  void pass_dead(std::byte*, std::size_t, bool) const {}
  std::size_t close_run(std::byte* start, std::size_t bytes) const {
    Object* tail = allocator.tail_;
    if (tail != nullptr && start == tail->address()) {
      const std::size_t grown = bytes - tail->size_bytes();
      allocator.list_bytes_ += grown;
      Object::format_dead(start, bytes, BlockKind::kFree);
      return grown;
    }
    if (bytes < kMinFreeBlockBytes) {
      Object::format_filler(start, bytes);
      return 0;
    }
    Object::format_dead(start, bytes, BlockKind::kFree);
    auto* block = reinterpret_cast<Object*>(start);
    block->free_link() = nullptr;
    allocator.link_to_locked(tail) = block;
    allocator.tail_ = block;
    ++allocator.free_blocks_;
    allocator.list_bytes_ += bytes;
    return bytes;
  }
  void publish_free_bytes() const { allocator.publish_free_bytes_locked(); }
};

template class ArenaSweptAllocator<FreeListAllocator>;

FitPolicy parse_fit_policy(std::string_view name) {
  if (name == "first") return FitPolicy::kFirst;
  if (name == "next") return FitPolicy::kNext;
  if (name == "best") return FitPolicy::kBest;
  throw ConfigError("bad parameter fit='" + std::string(name) +
                    "': expected one of first|next|best");
}

FreeListAllocator::FreeListAllocator(std::size_t heap_bytes, FitPolicy fit,
                                     std::size_t chunk_bytes)
    : ArenaSweptAllocator("free-list allocator", heap_bytes, chunk_bytes,
                          kMinFreeBlockBytes),
      fit_(fit) {
  std::lock_guard lock(mutex_);
  reset_locked(arena_.begin());
}

std::unique_ptr<Allocator> FreeListAllocator::create(
    std::size_t heap_bytes, const ParamValues& params) {
  return std::make_unique<FreeListAllocator>(
      heap_bytes, parse_fit_policy(params.get_choice("fit")),
      params.get_size("chunk"));
}

FreeListAllocator::Fit FreeListAllocator::find_locked(std::size_t bytes) const {
  switch (fit_) {
    case FitPolicy::kFirst:
      return find_first_locked(bytes);
    case FitPolicy::kNext:
      return find_next_locked(bytes);
    case FitPolicy::kBest:
      return find_best_locked(bytes);
  }
  fatal("free-list allocator: unknown fit policy");
}

FreeListAllocator::Fit FreeListAllocator::find_first_locked(
    std::size_t bytes) const {
  Object* prev = nullptr;
  for (Object* block = head_; block != nullptr;
       prev = block, block = block->free_link()) {
    if (block->size_bytes() >= bytes) return {prev, block};
  }
  return {};
}

// Resumes at the rover, runs to the end of the list, then wraps around to the
// head and stops where it started.
FreeListAllocator::Fit FreeListAllocator::find_next_locked(
    std::size_t bytes) const {
  Object* prev = rover_prev_;
  for (Object* block = rover_; block != nullptr;
       prev = block, block = block->free_link()) {
    if (block->size_bytes() >= bytes) return {prev, block};
  }
  prev = nullptr;
  for (Object* block = head_; block != rover_;
       prev = block, block = block->free_link()) {
    if (block->size_bytes() >= bytes) return {prev, block};
  }
  return {};
}

// The smallest block that fits; among equals, the lowest-addressed.
FreeListAllocator::Fit FreeListAllocator::find_best_locked(
    std::size_t bytes) const {
  Fit best;
  Object* prev = nullptr;
  for (Object* block = head_; block != nullptr;
       prev = block, block = block->free_link()) {
    std::size_t size = block->size_bytes();
    if (size < bytes) continue;
    if (best.block == nullptr || size < best.block->size_bytes()) {
      best = {prev, block};
      if (size == bytes) break;
    }
  }
  return best;
}

std::span<std::byte> FreeListAllocator::take_locked(Fit fit, std::size_t bytes,
                                                    bool round_up) {
  std::byte* start = fit.block->address();
  std::size_t size = fit.block->size_bytes();
  bytes = std::min(bytes, size);
  std::size_t rest = size - bytes;
  Object* replacement = fit.block->free_link();
  std::size_t taken = bytes;
  if (rest >= kMinFreeBlockBytes) {
    Object::format_dead(start + bytes, rest, BlockKind::kFree);
    auto* remainder = reinterpret_cast<Object*>(start + bytes);
    remainder->free_link() = replacement;
    replacement = remainder;
    list_bytes_ -= bytes;
  } else {
    // Too little is left for a free block: the buffer takes it all, or an
    // exactly placed object leaves a filler behind it.
    if (round_up) {
      taken = size;
    } else if (rest > 0) {
      Object::format_filler(start + bytes, rest);
    }
    --free_blocks_;
    list_bytes_ -= size;
  }
  publish_free_bytes_locked();
  link_to_locked(fit.prev) = replacement;
  if (tail_ == fit.block)
    tail_ = replacement != nullptr ? replacement : fit.prev;
  set_rover_locked(fit.prev, replacement);
  std::byte* handed_out_end =
      start + (rest >= kMinFreeBlockBytes ? bytes : size);
  high_water_ = std::max(high_water_, handed_out_end);
  return {start, taken};
}

void FreeListAllocator::retire_locked(AllocationBuffer& buffer) {
  std::size_t tail = buffer.remaining();
  if (tail >= kMinFreeBlockBytes) {
    free_range_locked(buffer.cursor, tail, /*poison=*/false);
  } else if (tail > 0) {
    Object::format_filler(buffer.cursor, tail);
  }
  buffer = AllocationBuffer{};
}

void FreeListAllocator::free_range_locked(std::byte* start, std::size_t bytes,
                                          bool poison) {
  Object* prev = nullptr;
  Object* next = head_;
  while (next != nullptr && next->address() < start) {
    prev = next;
    next = next->free_link();
  }
  std::byte* prev_end =
      prev != nullptr ? prev->address() + prev->size_bytes() : nullptr;
  if ((prev != nullptr && prev_end > start) ||
      (next != nullptr && start + bytes > next->address())) {
    fatal("free-list allocator: freeing memory that is already free");
  }
  bool merge_prev = prev != nullptr && prev_end == start;
  bool merge_next = next != nullptr && start + bytes == next->address();

  // The header and link word of a block that stays a block are rewritten
  // below; everything else freed here is poisoned, including the headers of
  // blocks that disappear into a neighbour.
  if (poison) {
    std::size_t kept = merge_prev ? 0 : kMinFreeBlockBytes;
    poison_range(start + kept, bytes - kept);
  }
  Object* after = next;
  std::size_t next_bytes = 0;
  if (merge_next) {
    after = next->free_link();
    next_bytes = next->size_bytes();
    if (poison) poison_range(next->address(), kMinFreeBlockBytes);
  }
  list_bytes_ += bytes;
  publish_free_bytes_locked();

  if (merge_prev) {
    Object::format_dead(prev->address(),
                        prev_end - prev->address() + bytes + next_bytes,
                        BlockKind::kFree);
    prev->free_link() = after;
    if (after == nullptr) tail_ = prev;
    if (merge_next) {
      --free_blocks_;
      // `next` is gone; next fit resumes after the block that swallowed it.
      if (rover_ == next || rover_prev_ == next) set_rover_locked(prev, after);
    }
    return;
  }
  Object::format_dead(start, bytes + next_bytes, BlockKind::kFree);
  auto* block = reinterpret_cast<Object*>(start);
  block->free_link() = after;
  link_to_locked(prev) = block;
  if (after == nullptr) tail_ = block;
  if (merge_next) {
    // `block` takes `next`'s place on the list.
    if (rover_ == next) rover_ = block;
    if (rover_prev_ == next) rover_prev_ = block;
  } else {
    ++free_blocks_;
    if (rover_ != nullptr && rover_ == next) rover_prev_ = block;
  }
}

void FreeListAllocator::start_sweep_locked(std::uint8_t live_mark,
                                           std::size_t live_bytes,
                                           bool poison) {
  head_ = nullptr;
  tail_ = nullptr;
  free_blocks_ = 0;
  list_bytes_ = 0;
  set_rover_locked(nullptr, nullptr);
  sweep_.start(live_mark, live_bytes, poison);
}

void FreeListAllocator::reset_locked(std::byte* start) {
  sweep_.abandon();
  head_ = nullptr;
  tail_ = nullptr;
  free_blocks_ = 0;
  std::size_t bytes = end_ - start;
  if (bytes >= kMinFreeBlockBytes) {
    Object::format_dead(start, bytes, BlockKind::kFree);
    head_ = reinterpret_cast<Object*>(start);
    head_->free_link() = nullptr;
    tail_ = head_;
    free_blocks_ = 1;
  } else if (bytes > 0) {
    Object::format_filler(start, bytes);
  }
  list_bytes_ = head_ != nullptr ? bytes : 0;
  publish_free_bytes_locked();
  set_rover_locked(nullptr, nullptr);
}

void FreeListAllocator::set_rover_locked(Object* prev, Object* block) {
  rover_ = block;
  rover_prev_ = block != nullptr ? prev : nullptr;
}

std::size_t FreeListAllocator::largest_free_block_locked() const {
  std::size_t largest = 0;
  Object* last = nullptr;
  for (Object* block = head_; block != nullptr; block = block->free_link()) {
    largest = std::max(largest, block->size_bytes());
    last = block;
  }
  // The walk is here anyway: check the tail the sweep appends at.
  if (last != tail_) fatal("free-list allocator: the list's tail is stale");
  return largest;
}

}  // namespace gclab
