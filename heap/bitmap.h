// Bitmap and AtomicBitmap: a fixed number of bits in 64-bit words, with
// the operations every bitmap of gclab needs: test, set and clear one bit
// (clear says whether it was set), set and clear a range, find the next set
// or clear bit in [from, end), count the set bits of a range, clear all, and
// each word itself for loops that copy or combine whole words (the
// size-class sweep: allocation bits := mark bits).
//
// Storage: the words are an Arena (an anonymous mapping), not a heap array.
// Its pages read as zero and are committed only when first written, so a
// bitmap over a multi-GiB heap costs address space, not memory, for the
// parts no one touches, and a new bitmap needs no clearing (the verifier
// builds two per check; the size-class allocator keeps four over its
// arena). The price, at least a page of address space and a mapping per
// bitmap, is paid once per bitmap, never per operation.
//
// The two variants share the layout and differ only in how a word is read
// and written. Bitmap uses plain loads and stores: its owner serialises
// access (a lock, or a stopped world). AtomicBitmap uses relaxed atomic
// operations through std::atomic_ref on the same words, so that threads may
// change bits of one word at once: set is a fetch_or, clear a fetch_and.
// Relaxed, because a bit publishes nothing: whoever reads the bits later
// synchronises with their writers some other way (the sweep runs after the
// mark has ended). Range operations, searches and counts go a word at a
// time, so in AtomicBitmap they are atomic per word, not as a whole.
//
// Invariant: no operation sets a bit at or above size(), so the last word's
// spare bits stay clear.
//
// Design note: docs/design.md#mark-epochs-and-side-mark-bits.
#ifndef GCLAB_HEAP_BITMAP_H_
#define GCLAB_HEAP_BITMAP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "heap/arena.h"

namespace gclab {

template <bool kAtomic>
class BasicBitmap {
 public:
  static constexpr std::size_t kBitsPerWord = 64;
  // What word() returns: the word itself, or an atomic view of it.
  using WordRef = std::conditional_t<kAtomic, std::atomic_ref<std::uint64_t>,
                                     std::uint64_t&>;

  // `bits` bits, all clear.
  explicit BasicBitmap(std::size_t bits);

  std::size_t size() const { return bits_; }
  std::size_t word_count() const {
    return (bits_ + kBitsPerWord - 1) / kBitsPerWord;
  }

  bool test(std::size_t bit) const {
    return (load(bit / kBitsPerWord) >> (bit % kBitsPerWord)) & 1;
  }
  void set(std::size_t bit) { fetch_or(bit / kBitsPerWord, mask(bit)); }
  // Whether the bit was set.
  bool clear(std::size_t bit) {
    return fetch_and(bit / kBitsPerWord, ~mask(bit)) & mask(bit);
  }

  // Every bit of [from, end).
  void set_range(std::size_t from, std::size_t end);
  void clear_range(std::size_t from, std::size_t end);
  // The first set (clear) bit in [from, end), or `end` when there is none.
  std::size_t find_next_set(std::size_t from, std::size_t end) const;
  std::size_t find_next_clear(std::size_t from, std::size_t end) const;
  // Set bits in [from, end).
  std::size_t count(std::size_t from, std::size_t end) const;
  void clear_all();
  // Commits the storage's pages now (gclab run --pretouch).
  void pretouch() const { storage_.pretouch(); }

  // Word `index` holds bits [64 * index, 64 * index + 64), bit i of the word
  // being bit 64 * index + i.
  WordRef word(std::size_t index) { return WordRef(words()[index]); }

 private:
  static std::uint64_t mask(std::size_t bit) {
    return std::uint64_t{1} << (bit % kBitsPerWord);
  }
  // The bits of one word that lie in [from, end), for a word that holds
  // some of them.
  static std::uint64_t range_mask(std::size_t word, std::size_t from,
                                  std::size_t end);

  std::uint64_t* words() const {
    return reinterpret_cast<std::uint64_t*>(storage_.begin());
  }
  std::uint64_t load(std::size_t index) const {
    if constexpr (kAtomic) {
      return std::atomic_ref<std::uint64_t>(words()[index])
          .load(std::memory_order_relaxed);
    } else {
      return words()[index];
    }
  }
  void store(std::size_t index, std::uint64_t value) {
    if constexpr (kAtomic) {
      std::atomic_ref<std::uint64_t>(words()[index])
          .store(value, std::memory_order_relaxed);
    } else {
      words()[index] = value;
    }
  }
  // Each returns the word as it was.
  std::uint64_t fetch_or(std::size_t index, std::uint64_t bits) {
    if constexpr (kAtomic) {
      return std::atomic_ref<std::uint64_t>(words()[index])
          .fetch_or(bits, std::memory_order_relaxed);
    } else {
      return std::exchange(words()[index], words()[index] | bits);
    }
  }
  std::uint64_t fetch_and(std::size_t index, std::uint64_t bits) {
    if constexpr (kAtomic) {
      return std::atomic_ref<std::uint64_t>(words()[index])
          .fetch_and(bits, std::memory_order_relaxed);
    } else {
      return std::exchange(words()[index], words()[index] & bits);
    }
  }
  template <bool kValue>
  std::size_t find_next(std::size_t from, std::size_t end) const;

  Arena storage_;
  std::size_t bits_;
};

using Bitmap = BasicBitmap<false>;
using AtomicBitmap = BasicBitmap<true>;

// Both are instantiated once, in bitmap.cc.
extern template class BasicBitmap<false>;
extern template class BasicBitmap<true>;

}  // namespace gclab

#endif  // GCLAB_HEAP_BITMAP_H_
