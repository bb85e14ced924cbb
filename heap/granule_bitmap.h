// GranuleBitmap and AtomicGranuleBitmap: a bitmap (heap/bitmap.h) with one
// bit per 8-byte granule of an arena, addressed by pointer: the bit of
// address `at` is (at - base) / kGranuleBytes.
//
// Every side table that gclab keeps beside a heap has this form: the side
// mark bits (SideMarkBitmap), the checkmark's and the verifier's sets of
// objects seen, tlsf's boundary bits. The granule is the unit of every
// block's size and start, so each block has a bit of its own, and a bitmap
// is 1/64 of its arena (committed only where touched; see bitmap.h).
//
// Invariant: bit_index(at) < bits().size() for every `at` that contains()
// accepts; the other operations take such addresses only.
#ifndef GCLAB_HEAP_GRANULE_BITMAP_H_
#define GCLAB_HEAP_GRANULE_BITMAP_H_

#include <cstddef>
#include <span>

#include "heap/bitmap.h"
#include "heap/object.h"

namespace gclab {

template <class Bits>
class BasicGranuleBitmap {
 public:
  explicit BasicGranuleBitmap(std::span<std::byte> arena)
      : base_(arena.data()), bits_(arena.size() / kGranuleBytes) {}

  // Whether `at` lies in a granule the bitmap has a bit for.
  bool contains(const void* at) const {
    auto* byte = static_cast<const std::byte*>(at);
    return byte >= base_ && byte < base_ + bits_.size() * kGranuleBytes;
  }
  std::size_t bit_index(const void* at) const {
    return static_cast<std::size_t>(static_cast<const std::byte*>(at) - base_) /
           kGranuleBytes;
  }

  bool test(const void* at) const { return bits_.test(bit_index(at)); }
  void set(const void* at) { bits_.set(bit_index(at)); }
  // Whether the bit was set.
  bool clear(const void* at) { return bits_.clear(bit_index(at)); }
  void clear_all() { bits_.clear_all(); }

  typename Bits::WordRef word(std::size_t index) { return bits_.word(index); }
  std::size_t word_count() const { return bits_.word_count(); }

  // For ranges, searches and counts, by bit_index.
  Bits& bits() { return bits_; }
  const Bits& bits() const { return bits_; }

 private:
  const std::byte* base_;
  Bits bits_;
};

using GranuleBitmap = BasicGranuleBitmap<Bitmap>;
using AtomicGranuleBitmap = BasicGranuleBitmap<AtomicBitmap>;

}  // namespace gclab

#endif  // GCLAB_HEAP_GRANULE_BITMAP_H_
