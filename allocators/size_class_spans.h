// The size-class allocator's spans and where they are: a Span is a run of
// pages cut into cells of one class (or, for class 0, one large object);
// SpanList is an intrusive list of spans; CentralLists are one class's lists
// under its lock; SpanTable holds every span's record, by its first page,
// and every class's lists, and makes spans from the page heap and gives
// them back.
//
// A span's cells have allocation bits (a Bitmap indexed like the side mark
// bits, one bit per granule of the arena): the bit of a cell is the bit of
// its first granule. Cells below free_index are allocated whatever their
// bits say; at or above it, a cell is allocated iff its bit is set (Go's
// freeindex and allocBits; see size_class_allocator.h).
//
// Invariants: a span is listed iff it is on one of its class's lists; a
// swept, listed span is on `partial` iff used_cells < cells, else on `full`;
// a span's tail (the end too small for a cell) counts in the allocator's
// in-use bytes from its creation to its release.
//
// Design note: docs/design.md#size-class.
#ifndef GCLAB_ALLOCATORS_SIZE_CLASS_SPANS_H_
#define GCLAB_ALLOCATORS_SIZE_CLASS_SPANS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "allocators/size_class_page_heap.h"
#include "heap/bitmap.h"
#include "heap/object.h"
#include "heap/size_classes.h"

namespace gclab {

inline constexpr std::size_t kBitsPerPage = kPageBytes / kGranuleBytes;

struct Span {
  std::byte* base = nullptr;
  // Bytes, not 32 bits: a large span's one cell is the whole span, and an
  // object may take 4 GiB + 512 KiB (65,535 slots and a 32-bit payload).
  std::size_t cell_bytes = 0;
  std::uint32_t pages = 0;
  std::uint32_t cells = 0;
  std::uint32_t size_class = 0;
  std::uint32_t free_index = 0;
  std::uint32_t used_cells = 0;
  std::uint32_t pending_frees = 0;  // while held by a run
  std::uint32_t swept_gen = 0;
  bool listed = false;
  std::size_t first_bit = 0;  // of the span's base, in all bitmaps
  Span* prev = nullptr;
  Span* next = nullptr;

  std::size_t bytes() const { return std::size_t{pages} * kPageBytes; }
  // The end of the span too small for one more cell.
  std::size_t tail_bytes() const {
    return bytes() - std::size_t{cells} * cell_bytes;
  }
  std::size_t cell_step() const { return cell_bytes / kGranuleBytes; }
  std::byte* cell(std::size_t index) const { return base + index * cell_bytes; }

  // The bitmaps' bit of a cell, and the end of the span's bits.
  std::size_t bit(std::size_t cell) const {
    return first_bit + cell * cell_step();
  }
  std::size_t end_bit() const { return first_bit + pages * kBitsPerPage; }
  // The span's words in the bitmaps, [first_word, end_word): spans are
  // page-aligned, so they own whole words.
  std::size_t first_word() const { return first_bit / Bitmap::kBitsPerWord; }
  std::size_t end_word() const { return end_bit() / Bitmap::kBitsPerWord; }

  bool is_allocated(const Bitmap& allocation_bits, std::size_t cell) const {
    return cell < free_index || allocation_bits.test(bit(cell));
  }
  std::size_t allocated_cells(const Bitmap& allocation_bits) const {
    return free_index + allocation_bits.count(bit(free_index), end_bit());
  }
};

// A doubly linked list with a tail, so that lists splice in O(1) and a
// freed object's span leaves the middle of one in O(1).
class SpanList {
 public:
  void push(Span* span);
  Span* pop();
  void remove(Span* span);
  void splice(SpanList& other);
  std::size_t size() const { return size_; }
  bool empty() const { return head_ == nullptr; }

 private:
  Span* head_ = nullptr;
  Span* tail_ = nullptr;
  std::size_t size_ = 0;
};

// One class's spans on lists: `partial` (swept, a free cell left), `full`
// (swept, none), `unswept` (not swept since the last mark).
struct CentralLists {
  std::mutex mutex;
  SpanList partial;
  SpanList full;
  SpanList unswept;
};

class SpanTable {
 public:
  // Over the page heap of the arena at `base`; span tails count in
  // `in_use`.
  SpanTable(std::byte* base, PageHeap& pages, std::atomic<std::size_t>& in_use);

  Span& span_of(const std::byte* at) {
    return spans_[pages_.span_start((at - base_) / kPageBytes)];
  }
  // The record of the span whose first page is `page`.
  const Span& span_at(std::size_t page) const { return spans_[page]; }

  CentralLists& central(std::size_t size_class) {
    return centrals_[size_class];
  }
  std::array<CentralLists, kSizeClassCount>& centrals() { return centrals_; }

  // A new span of `pages` for `size_class`, swept in generation
  // `swept_gen`, held by the caller (on no list); null when the page heap
  // has no run that long. A large span (kLargeSizeClass) is one cell.
  Span* create(std::size_t size_class, std::size_t pages,
               std::uint32_t swept_gen);
  // Nothing in the span lives and it is on no list: its bits are clear, so
  // its pages go back as they are.
  void release(Span& span);
  // A swept span, on no list, back on the list its cells say, or, empty, to
  // the page heap; _locked under its class's lock.
  void place_swept(Span& span);
  void place_swept_locked(CentralLists& central, Span& span);

 private:
  std::byte* const base_;
  PageHeap& pages_;
  std::atomic<std::size_t>& in_use_;
  std::vector<Span> spans_;  // indexed by a span's first page
  std::array<CentralLists, kSizeClassCount> centrals_;
};

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_SIZE_CLASS_SPANS_H_
