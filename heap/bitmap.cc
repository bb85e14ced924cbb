#include "heap/bitmap.h"

#include <algorithm>
#include <bit>

namespace gclab {

template <bool kAtomic>
BasicBitmap<kAtomic>::BasicBitmap(std::size_t bits)
    : storage_(
          std::max<std::size_t>(1, (bits + kBitsPerWord - 1) / kBitsPerWord) *
          sizeof(std::uint64_t)),
      bits_(bits) {}

template <bool kAtomic>
std::uint64_t BasicBitmap<kAtomic>::range_mask(std::size_t word,
                                               std::size_t from,
                                               std::size_t end) {
  const std::size_t first = word * kBitsPerWord;
  std::uint64_t bits = ~std::uint64_t{0};
  if (from > first) bits &= ~std::uint64_t{0} << (from - first);
  if (end < first + kBitsPerWord) {
    bits &= ~std::uint64_t{0} >> (first + kBitsPerWord - end);
  }
  return bits;
}

template <bool kAtomic>
void BasicBitmap<kAtomic>::set_range(std::size_t from, std::size_t end) {
  if (from >= end) return;
  const std::size_t first = from / kBitsPerWord;
  const std::size_t last = (end - 1) / kBitsPerWord;
  fetch_or(first, range_mask(first, from, end));
  for (std::size_t index = first + 1; index < last; ++index) {
    store(index, ~std::uint64_t{0});
  }
  if (last != first) fetch_or(last, range_mask(last, from, end));
}

template <bool kAtomic>
void BasicBitmap<kAtomic>::clear_range(std::size_t from, std::size_t end) {
  if (from >= end) return;
  const std::size_t first = from / kBitsPerWord;
  const std::size_t last = (end - 1) / kBitsPerWord;
  fetch_and(first, ~range_mask(first, from, end));
  for (std::size_t index = first + 1; index < last; ++index) store(index, 0);
  if (last != first) fetch_and(last, ~range_mask(last, from, end));
}

template <bool kAtomic>
template <bool kValue>
std::size_t BasicBitmap<kAtomic>::find_next(std::size_t from,
                                            std::size_t end) const {
  while (from < end) {
    std::uint64_t word = load(from / kBitsPerWord);
    if constexpr (!kValue) word = ~word;
    word >>= from % kBitsPerWord;
    if (word != 0) {
      return std::min<std::size_t>(end, from + std::countr_zero(word));
    }
    from = (from / kBitsPerWord + 1) * kBitsPerWord;
  }
  return end;
}

template <bool kAtomic>
std::size_t BasicBitmap<kAtomic>::find_next_set(std::size_t from,
                                                std::size_t end) const {
  return find_next<true>(from, end);
}

template <bool kAtomic>
std::size_t BasicBitmap<kAtomic>::find_next_clear(std::size_t from,
                                                  std::size_t end) const {
  return find_next<false>(from, end);
}

template <bool kAtomic>
std::size_t BasicBitmap<kAtomic>::count(std::size_t from,
                                        std::size_t end) const {
  if (from >= end) return 0;
  const std::size_t first = from / kBitsPerWord;
  const std::size_t last = (end - 1) / kBitsPerWord;
  std::size_t count = std::popcount(load(first) & range_mask(first, from, end));
  for (std::size_t index = first + 1; index < last; ++index) {
    count += std::popcount(load(index));
  }
  if (last != first) {
    count += std::popcount(load(last) & range_mask(last, from, end));
  }
  return count;
}

template <bool kAtomic>
void BasicBitmap<kAtomic>::clear_all() {
  for (std::size_t index = 0; index < word_count(); ++index) store(index, 0);
}

template class BasicBitmap<false>;
template class BasicBitmap<true>;

}  // namespace gclab
