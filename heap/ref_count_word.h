// The reference count, kept in an object's collector word (Object::gc_word)
// under `ref-count`:
//
//   bits 0-1   colour, for trial deletion (Bacon & Rajan 2001): black (in
//              use or free), grey, white, purple (a possible cycle root)
//   bit 2      candidate: the object is in the cycle collector's buffer
//   bit 3      zero-count: the object is in its mutator's zero count table
//              (it was born there, or its count fell to zero since)
//   bits 4-31  the count: references from heap slots and from roots
//
// The count is sticky (Shahriyar et al. 2012; LXR, Zhao et al. 2022): once
// it reaches the sticky limit (2^count-bits - 1) it never changes again, so
// it cannot wrap however many references an object gets; only a backup
// trace, which recounts from the graph, un-sticks it. The field is four
// bits wider than the widest limit allowed, so that increments racing past
// the limit from several mutators (which read the count, then add) land
// above it, never around it.
//
// Design note: docs/design.md#reference-counting.
#ifndef GCLAB_HEAP_REF_COUNT_WORD_H_
#define GCLAB_HEAP_REF_COUNT_WORD_H_

#include <atomic>
#include <cstdint>

#include "heap/object.h"

namespace gclab::ref_count {

// The word read and written where no mutator counts concurrently (one
// mutator's own processing, or the world stopped).
inline std::uint32_t load(Object* object) {
  return object->gc_word().load(std::memory_order_relaxed);
}
inline void store(Object* object, std::uint32_t word) {
  object->gc_word().store(word, std::memory_order_relaxed);
}

enum class Colour : std::uint32_t {
  kBlack = 0,
  kGrey = 1,
  kWhite = 2,
  kPurple = 3,
};

inline constexpr std::uint32_t kColourMask = 0b11;
inline constexpr std::uint32_t kCandidate = 1u << 2;
inline constexpr std::uint32_t kZeroCount = 1u << 3;
inline constexpr int kCountShift = 4;
inline constexpr std::uint32_t kOne = 1u << kCountShift;
inline constexpr std::uint32_t kFlagsMask = kOne - 1;
inline constexpr int kMinCountBits = 2;
inline constexpr int kMaxCountBits = 32 - kCountShift - 4;

constexpr std::uint32_t count(std::uint32_t word) {
  return word >> kCountShift;
}
constexpr Colour colour(std::uint32_t word) {
  return static_cast<Colour>(word & kColourMask);
}
constexpr std::uint32_t with_colour(std::uint32_t word, Colour colour) {
  return (word & ~kColourMask) | static_cast<std::uint32_t>(colour);
}
constexpr std::uint32_t with_count(std::uint32_t word, std::uint32_t count) {
  return (word & kFlagsMask) | count << kCountShift;
}
// The smallest word whose count is stuck, for a limit of `count_bits`: a
// word at or above it is stuck whatever its flags.
constexpr std::uint32_t stuck_word(int count_bits) {
  return ((1u << count_bits) - 1) << kCountShift;
}

}  // namespace gclab::ref_count

#endif  // GCLAB_HEAP_REF_COUNT_WORD_H_
