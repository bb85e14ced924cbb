// SideMarkBitmap: mark bits kept beside the heap, one per 8-byte granule of
// an arena, for allocators that sweep with bitmaps (the size-class
// allocator; Go's gcmarkBits).
//
// Collectors keep marking headers (Object::try_mark) and every reader of
// marks reads headers; an allocator that offers a side bitmap
// (Allocator::side_marks) also gets the bit of every object marked or
// allocated black, set by whoever marks it (the drain that wins the header
// race, or the allocating mutator). Its sweep then reads only bitmaps, never
// the dead objects' memory. The allocator clears the bits of a span as it
// sweeps it, so that all bits are clear again before the next mark begins.
#ifndef GCLAB_HEAP_SIDE_MARK_BITMAP_H_
#define GCLAB_HEAP_SIDE_MARK_BITMAP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "heap/object.h"

namespace gclab {

class SideMarkBitmap {
 public:
  static constexpr std::size_t kBitsPerWord = 64;

  explicit SideMarkBitmap(std::span<std::byte> arena)
      : base_(arena.data()),
        word_count_(arena.size() / kGranuleBytes / kBitsPerWord + 1),
        words_(std::make_unique<std::atomic<std::uint64_t>[]>(word_count_)) {}

  // Marking threads and allocating mutators set bits of the same words.
  void set(const void* at) {
    std::size_t bit = bit_index(at);
    words_[bit / kBitsPerWord].fetch_or(
        std::uint64_t{1} << (bit % kBitsPerWord), std::memory_order_relaxed);
  }
  // Clears the bit (an object freed while its mark may still be read);
  // whether it was set.
  bool clear(const void* at) {
    std::size_t bit = bit_index(at);
    std::uint64_t mask = std::uint64_t{1} << (bit % kBitsPerWord);
    return words_[bit / kBitsPerWord].fetch_and(~mask,
                                                std::memory_order_relaxed) &
           mask;
  }
  bool test(const void* at) const {
    std::size_t bit = bit_index(at);
    return (words_[bit / kBitsPerWord].load(std::memory_order_relaxed) >>
            (bit % kBitsPerWord)) &
           1;
  }

  std::size_t bit_index(const void* at) const {
    return static_cast<std::size_t>(static_cast<const std::byte*>(at) - base_) /
           kGranuleBytes;
  }
  std::atomic<std::uint64_t>& word(std::size_t index) { return words_[index]; }
  std::size_t word_count() const { return word_count_; }

 private:
  const std::byte* base_;
  std::size_t word_count_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> words_;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_SIDE_MARK_BITMAP_H_
