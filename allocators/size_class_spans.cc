#include "allocators/size_class_spans.h"

namespace gclab {

void SpanList::push(Span* span) {
  span->listed = true;
  span->prev = tail_;
  span->next = nullptr;
  if (tail_ != nullptr) {
    tail_->next = span;
  } else {
    head_ = span;
  }
  tail_ = span;
  ++size_;
}

Span* SpanList::pop() {
  Span* span = head_;
  if (span != nullptr) remove(span);
  return span;
}

void SpanList::remove(Span* span) {
  (span->prev != nullptr ? span->prev->next : head_) = span->next;
  (span->next != nullptr ? span->next->prev : tail_) = span->prev;
  span->prev = span->next = nullptr;
  span->listed = false;
  --size_;
}

void SpanList::splice(SpanList& other) {
  if (other.empty()) return;
  other.head_->prev = tail_;
  if (tail_ != nullptr) {
    tail_->next = other.head_;
  } else {
    head_ = other.head_;
  }
  tail_ = other.tail_;
  size_ += other.size_;
  other = SpanList();
}

SpanTable::SpanTable(std::byte* base, PageHeap& pages,
                     std::atomic<std::size_t>& in_use)
    : base_(base), pages_(pages), in_use_(in_use), spans_(pages.page_count()) {}

Span* SpanTable::create(std::size_t size_class, std::size_t pages,
                        std::uint32_t swept_gen) {
  std::optional<std::size_t> first = pages_.take(pages);
  if (!first) return nullptr;
  Span& span = spans_[*first];
  std::size_t span_bytes = pages * kPageBytes;
  std::size_t cell = size_class == kLargeSizeClass
                         ? span_bytes
                         : size_class_cell_bytes(size_class);
  span = Span{.base = base_ + *first * kPageBytes,
              .cell_bytes = cell,
              .pages = static_cast<std::uint32_t>(pages),
              .cells = static_cast<std::uint32_t>(span_bytes / cell),
              .size_class = static_cast<std::uint32_t>(size_class),
              .swept_gen = swept_gen,
              .first_bit = *first * kBitsPerPage};
  in_use_.fetch_add(span.tail_bytes(), std::memory_order_relaxed);
  return &span;
}

void SpanTable::release(Span& span) {
  in_use_.fetch_sub(span.tail_bytes(), std::memory_order_relaxed);
  span.cells = 0;  // so that a free into it is refused
  pages_.give_back((span.base - base_) / kPageBytes, span.pages);
}

void SpanTable::place_swept(Span& span) {
  CentralLists& central = centrals_[span.size_class];
  std::lock_guard lock(central.mutex);
  place_swept_locked(central, span);
}

void SpanTable::place_swept_locked(CentralLists& central, Span& span) {
  if (span.used_cells == 0) {
    release(span);
    return;
  }
  (span.used_cells < span.cells ? central.partial : central.full).push(&span);
}

}  // namespace gclab
