// PageHeap: the size-class allocator's pages (kPageBytes each) and which
// are free, in a bitmap, one bit per page (set: free).
//
// A span takes the lowest run of free pages long enough for it (first fit
// by address, from a hint below which no page is free: low addresses fill
// first, so the high ones stay one free run), and each of its pages records
// the span's first page (span_start), which is how an address finds its
// span. Empty spans' pages come back as they are.
//
// Invariants, under the page heap's lock:
// - a page's bit is clear iff it belongs to a span in use;
// - no page below first_free_hint_ is free;
// - span_start(p) is the first page of p's span for every page p in use;
// - pages_in_use_ counts the clear bits, and no page at or above
//   high_water_ has ever been in use.
//
// Design note: docs/design.md#size-class.
#ifndef GCLAB_ALLOCATORS_SIZE_CLASS_PAGE_HEAP_H_
#define GCLAB_ALLOCATORS_SIZE_CLASS_PAGE_HEAP_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "heap/bitmap.h"

namespace gclab {

class PageHeap {
 public:
  // Every page free.
  explicit PageHeap(std::size_t page_count);

  std::size_t page_count() const { return page_count_; }

  // The first page of the lowest run of `pages` free pages, now in use, or
  // nothing when no run is that long.
  std::optional<std::size_t> take(std::size_t pages);
  // Pages [first, first + pages), taken together, are free again.
  void give_back(std::size_t first, std::size_t pages);

  // Without the lock: a page's span start is written (by take) before its
  // span's memory is handed out, and read only by whoever was handed some.
  std::size_t span_start(std::size_t page) const { return span_start_[page]; }
  // Without the lock: for walks with the world stopped.
  bool page_free(std::size_t page) const { return free_pages_.test(page); }

  std::size_t pages_in_use() const;
  struct Stats {
    std::size_t high_water_pages = 0;  // pages ever in use, from the base
    std::size_t largest_free_run = 0;  // pages
    std::size_t free_runs = 0;
  };
  Stats stats() const;

 private:
  const std::size_t page_count_;
  mutable std::mutex mutex_;  // guards the members below
  Bitmap free_pages_;
  std::vector<std::uint32_t> span_start_;  // of pages in use only
  std::size_t first_free_hint_ = 0;
  std::size_t pages_in_use_ = 0;
  std::size_t high_water_ = 0;
};

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_SIZE_CLASS_PAGE_HEAP_H_
