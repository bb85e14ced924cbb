#include "allocators/size_class_page_heap.h"

#include <algorithm>

namespace gclab {

PageHeap::PageHeap(std::size_t page_count)
    : page_count_(page_count),
      free_pages_(page_count),
      span_start_(page_count, 0) {
  free_pages_.set_range(0, page_count_);
}

std::optional<std::size_t> PageHeap::take(std::size_t pages) {
  std::lock_guard lock(mutex_);
  std::size_t first = first_free_hint_;
  for (;;) {
    first = free_pages_.find_next_set(first, page_count_);
    if (pages > page_count_ - first) return std::nullopt;
    std::size_t used = free_pages_.find_next_clear(first, first + pages);
    if (used == first + pages) break;
    first = used;
  }
  free_pages_.clear_range(first, first + pages);
  if (first == first_free_hint_) first_free_hint_ = first + pages;
  pages_in_use_ += pages;
  high_water_ = std::max(high_water_, first + pages);
  std::fill_n(span_start_.begin() + first, pages,
              static_cast<std::uint32_t>(first));
  return first;
}

void PageHeap::give_back(std::size_t first, std::size_t pages) {
  std::lock_guard lock(mutex_);
  free_pages_.set_range(first, first + pages);
  first_free_hint_ = std::min(first_free_hint_, first);
  pages_in_use_ -= pages;
}

std::size_t PageHeap::pages_in_use() const {
  std::lock_guard lock(mutex_);
  return pages_in_use_;
}

PageHeap::Stats PageHeap::stats() const {
  std::lock_guard lock(mutex_);
  Stats stats{.high_water_pages = high_water_};
  for (std::size_t page = free_pages_.find_next_set(0, page_count_);
       page < page_count_;) {
    std::size_t end = free_pages_.find_next_clear(page, page_count_);
    stats.largest_free_run = std::max(stats.largest_free_run, end - page);
    ++stats.free_runs;
    page = free_pages_.find_next_set(end, page_count_);
  }
  return stats;
}

}  // namespace gclab
