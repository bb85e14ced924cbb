#include "allocators/arena_sweep.h"

#include "heap/errors.h"

namespace gclab {

std::size_t check_chunk_and_heap(std::string_view owner, std::size_t heap_bytes,
                                 std::size_t chunk_bytes,
                                 std::size_t min_heap_bytes) {
  const std::size_t usable_bytes = heap_bytes & ~(kGranuleBytes - 1);
  // A quarter of the smallest chunk must still hold the smallest object.
  constexpr std::size_t kMinChunkBytes = 4 * kHeaderBytes;
  if (chunk_bytes % kGranuleBytes != 0 || chunk_bytes < kMinChunkBytes) {
    throw ConfigError("bad parameter chunk=" + std::to_string(chunk_bytes) +
                      ": expected a multiple of " +
                      std::to_string(kGranuleBytes) + " bytes, at least " +
                      std::to_string(kMinChunkBytes));
  }
  if (usable_bytes < min_heap_bytes || usable_bytes > kMaxGranuleSpanBytes) {
    throw ConfigError(std::string(owner) + ": heap of " +
                      std::to_string(heap_bytes) + " bytes must be between " +
                      std::to_string(min_heap_bytes) + " and " +
                      std::to_string(kMaxGranuleSpanBytes) + " bytes");
  }
  return heap_bytes;
}

void ArenaSweep::start(std::uint8_t live_mark, std::size_t live_bytes,
                       bool poison) {
  if (cursor_ != nullptr) {
    fatal(std::string(owner_) +
          ": a sweep began while a lazy sweep was in progress");
  }
  cursor_ = begin_;
  live_mark_ = live_mark;
  poison_ = poison;
  unswept_live_bytes_ = live_bytes;
  totals_ = {};
}

void ArenaSweep::free_unswept(Object* object, bool poison) {
  const std::size_t size = object->size_bytes();
  if (object->mark() == live_mark_) {
    unswept_live_bytes_ -= std::min(size, unswept_live_bytes_);
  }
  if (poison) {
    poison_range(object->address() + kMinFreeBlockBytes,
                 size - kMinFreeBlockBytes);
  }
}

void ArenaSweep::fail_on_zero_sized_block() const {
  fatal(std::string(owner_) + ": zero-sized block in the sweep");
}

}  // namespace gclab
