#include "allocators/size_class_allocator.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <limits>
#include <string>

#include "heap/errors.h"
#include "heap/fatal.h"

namespace gclab {
namespace {

constexpr std::size_t kBitsPerWord = Bitmap::kBitsPerWord;
constexpr std::size_t kBitsPerPage = kPageBytes / kGranuleBytes;
constexpr std::size_t kNotFound = std::numeric_limits<std::size_t>::max();
// Bytes of spans a refill may sweep before it gives up, so that the mutator
// polls a safepoint between steps (Heap::refill retries while a sweep is
// pending). Bitmap sweeping passes a megabyte of spans in microseconds.
constexpr std::size_t kRefillSweepBudget = std::size_t{1} << 20;
constexpr std::size_t kBackgroundSweepBudget = std::size_t{1} << 20;
// Spans per task of a parallel eager sweep.
constexpr std::size_t kSpansPerSweepTask = 64;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void SizeClassAllocator::SpanList::push(Span* span) {
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

SizeClassAllocator::Span* SizeClassAllocator::SpanList::pop() {
  Span* span = head_;
  if (span != nullptr) remove(span);
  return span;
}

void SizeClassAllocator::SpanList::remove(Span* span) {
  (span->prev != nullptr ? span->prev->next : head_) = span->next;
  (span->next != nullptr ? span->next->prev : tail_) = span->prev;
  span->prev = span->next = nullptr;
  span->listed = false;
  --size_;
}

void SizeClassAllocator::SpanList::splice(SpanList& other) {
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

std::unique_ptr<Allocator> SizeClassAllocator::create(
    std::size_t heap_bytes, const ParamValues& params) {
  std::int64_t threads = params.get_int("sweep-threads");
  if (threads < 1 || threads > 256) {
    throw ConfigError("bad parameter sweep-threads=" + std::to_string(threads) +
                      ": expected 1 to 256");
  }
  if (heap_bytes < kPageBytes) {
    throw ConfigError("heap of " + std::to_string(heap_bytes) +
                      " bytes is smaller than one size-class page (8K)");
  }
  return std::make_unique<SizeClassAllocator>(heap_bytes,
                                              static_cast<int>(threads));
}

SizeClassAllocator::SizeClassAllocator(std::size_t heap_bytes,
                                       int sweep_threads)
    : arena_(heap_bytes),
      page_count_(heap_bytes / kPageBytes),
      sweep_threads_(sweep_threads),
      sweep_arena_(sweep_threads),
      marks_(arena_.bytes()),
      allocation_bits_(marks_.bits().size()),
      pending_free_bits_(marks_.bits().size()),
      spans_(page_count_),
      span_start_(page_count_, 0),
      free_pages_(page_count_) {
  free_pages_.set_range(0, page_count_);
}

SizeClassAllocator::~SizeClassAllocator() = default;

// Spans and cells.

SizeClassAllocator::Span& SizeClassAllocator::span_of(const std::byte* at) {
  return spans_[span_start_[(at - arena_.begin()) / kPageBytes]];
}

bool SizeClassAllocator::allocation_bit(const Span& span,
                                        std::size_t cell) const {
  return allocation_bits_.test(span.first_bit + cell * span.cell_step());
}

void SizeClassAllocator::set_allocation_bit(const Span& span, std::size_t cell,
                                            bool value) {
  std::size_t bit = span.first_bit + cell * span.cell_step();
  if (value) {
    allocation_bits_.set(bit);
  } else {
    allocation_bits_.clear(bit);
  }
}

void SizeClassAllocator::spell_out_allocation_bits(Span& span) {
  for (std::size_t cell = 0; cell < span.free_index; ++cell) {
    set_allocation_bit(span, cell, true);
  }
  span.free_index = 0;
}

bool SizeClassAllocator::is_allocated(const Span& span,
                                      std::size_t cell) const {
  return cell < span.free_index || allocation_bit(span, cell);
}

std::size_t SizeClassAllocator::allocation_bits_from(const Span& span,
                                                     std::size_t cell) const {
  return allocation_bits_.count(span.first_bit + cell * span.cell_step(),
                                span.first_bit + span.pages * kBitsPerPage);
}

// The next run of free cells at or above free_index: up to the next cell
// whose allocation bit is set (a survivor of the last sweep).
bool SizeClassAllocator::take_run(Span& span, AllocationBuffer& run) {
  std::size_t first = span.free_index;
  while (first < span.cells && allocation_bit(span, first)) ++first;
  if (first == span.cells) {
    span.free_index = span.cells;
    return false;
  }
  std::size_t end_bit = span.first_bit + span.pages * kBitsPerPage;
  std::size_t next = allocation_bits_.find_next_set(
      span.first_bit + (first + 1) * span.cell_step(), end_bit);
  std::size_t end =
      next == end_bit ? span.cells : (next - span.first_bit) / span.cell_step();
  span.free_index = static_cast<std::uint32_t>(end);
  span.used_cells += static_cast<std::uint32_t>(end - first);
  in_use_.fetch_add((end - first) * span.cell_bytes, std::memory_order_relaxed);
  run.cursor = span.cell(first);
  run.limit = span.cell(end);
  return true;
}

// Allocation.

std::byte* SizeClassAllocator::allocate_slow(AllocationBuffer& run,
                                             std::size_t bytes) {
  if (bytes > kMaxSmallObjectBytes) return allocate_large(bytes);
  std::size_t size_class = size_class_of(bytes);
  if (run.limit != nullptr) {
    // The mutator bumps while a cell fits, so its run is used up.
    Span& span = span_of(run.limit - 1);
    if (!take_run(span, run)) {
      run = {};
      Central& central = centrals_[size_class];
      std::lock_guard lock(central.mutex);
      apply_pending_frees_locked(span);
      place_swept_locked(central, span);
    }
  }
  if (run.limit == nullptr) {
    std::size_t sweep_budget = kRefillSweepBudget;
    Span* span = take_span(size_class, sweep_budget);
    if (span == nullptr) return nullptr;
    if (!take_run(*span, run)) fatal("size-class: a refill's span is full");
  }
  std::byte* at = run.cursor;
  run.cursor += size_class_cell_bytes(size_class);
  return at;
}

// A swept span with a free cell, else one swept from this class's unswept
// list, else a new one from the page heap, else (pages being short) one
// made possible by sweeping other classes, whose empty spans free pages.
SizeClassAllocator::Span* SizeClassAllocator::take_span(
    std::size_t size_class, std::size_t& sweep_budget) {
  Central& central = centrals_[size_class];
  for (;;) {
    {
      std::lock_guard lock(central.mutex);
      if (Span* span = central.partial.pop()) return span;
    }
    if (sweep_budget == 0) break;
    std::size_t swept = sweep_one_lazily(size_class, /*on_allocation=*/true);
    if (swept == 0) break;
    sweep_budget -= std::min(sweep_budget, swept);
  }
  std::size_t pages = size_class_span_pages(size_class);
  if (Span* span = new_span(size_class, pages)) return span;
  while (sweep_budget > 0 && sweep_pending()) {
    sweep_any_lazily(sweep_budget, /*on_allocation=*/true);
    {
      std::lock_guard lock(central.mutex);
      if (Span* span = central.partial.pop()) return span;
    }
    if (Span* span = new_span(size_class, pages)) return span;
  }
  return nullptr;
}

SizeClassAllocator::Span* SizeClassAllocator::new_span(std::size_t size_class,
                                                       std::size_t pages) {
  std::size_t first;
  {
    std::lock_guard lock(page_mutex_);
    first = find_free_pages(pages);
    if (first == kNotFound) return nullptr;
    set_pages_free(first, pages, false);
    if (first == first_free_hint_) first_free_hint_ = first + pages;
    pages_in_use_ += pages;
    page_high_water_ = std::max(page_high_water_, first + pages);
    for (std::size_t page = first; page < first + pages; ++page) {
      span_start_[page] = static_cast<std::uint32_t>(first);
    }
  }
  Span& span = spans_[first];
  std::size_t span_bytes = pages * kPageBytes;
  std::size_t cell = size_class == kLargeSizeClass
                         ? span_bytes
                         : size_class_cell_bytes(size_class);
  span = Span{.base = arena_.begin() + first * kPageBytes,
              .pages = static_cast<std::uint32_t>(pages),
              .cells = static_cast<std::uint32_t>(span_bytes / cell),
              .cell_bytes = static_cast<std::uint32_t>(cell),
              .size_class = static_cast<std::uint32_t>(size_class),
              .swept_gen = sweep_gen_.load(std::memory_order_relaxed),
              .first_bit = first * kBitsPerPage};
  in_use_.fetch_add(span.tail_bytes(), std::memory_order_relaxed);
  return &span;
}

// Nothing in the span lives: its bits are clear, so its pages go back as
// they are.
void SizeClassAllocator::release_span(Span& span) {
  in_use_.fetch_sub(span.tail_bytes(), std::memory_order_relaxed);
  span.cells = 0;  // so that a free into it is refused
  std::size_t first = (span.base - arena_.begin()) / kPageBytes;
  std::lock_guard lock(page_mutex_);
  set_pages_free(first, span.pages, true);
  first_free_hint_ = std::min(first_free_hint_, first);
  pages_in_use_ -= span.pages;
}

std::byte* SizeClassAllocator::allocate_large(std::size_t bytes) {
  std::size_t pages = align_up(bytes, kPageBytes) / kPageBytes;
  std::size_t sweep_budget = kRefillSweepBudget;
  Span* span = new_span(kLargeSizeClass, pages);
  while (span == nullptr && sweep_budget > 0 && sweep_pending()) {
    sweep_any_lazily(sweep_budget, /*on_allocation=*/true);
    span = new_span(kLargeSizeClass, pages);
  }
  if (span == nullptr) return nullptr;
  span->free_index = 1;
  span->used_cells = 1;
  in_use_.fetch_add(span->bytes(), std::memory_order_relaxed);
  Central& central = centrals_[kLargeSizeClass];
  std::lock_guard lock(central.mutex);
  central.full.push(span);
  return span->base;
}

void SizeClassAllocator::retire(AllocationBuffer& run) {
  if (run.limit == nullptr) return;
  Span& span = span_of(run.limit - 1);
  std::size_t unused = (run.limit - run.cursor) / span.cell_bytes;
  span.free_index =
      static_cast<std::uint32_t>((run.cursor - span.base) / span.cell_bytes);
  span.used_cells -= static_cast<std::uint32_t>(unused);
  in_use_.fetch_sub(unused * span.cell_bytes, std::memory_order_relaxed);
  run = {};
  Central& central = centrals_[span.size_class];
  std::lock_guard lock(central.mutex);
  apply_pending_frees_locked(span);
  place_swept_locked(central, span);
}

void SizeClassAllocator::apply_pending_frees_locked(Span& span) {
  if (span.pending_frees == 0) return;
  spell_out_allocation_bits(span);
  std::size_t first_word = span.first_bit / kBitsPerWord;
  std::size_t end_word = first_word + span.pages * kBitsPerPage / kBitsPerWord;
  for (std::size_t word = first_word; word < end_word; ++word) {
    allocation_bits_.word(word) &= ~pending_free_bits_.word(word);
    pending_free_bits_.word(word) = 0;
  }
  span.used_cells -= span.pending_frees;
  span.pending_frees = 0;
}

void SizeClassAllocator::free_object(Object* object, bool poison) {
  std::byte* at = object->address();
  if (at < arena_.begin() || at >= arena_.begin() + arena_.size()) {
    fatal("size-class: free_object outside the heap");
  }
  // A span's class does not change while an object lives in it.
  Span& span = span_of(at);
  Central& central = centrals_[span.size_class];
  std::lock_guard lock(central.mutex);
  std::size_t offset = at - span.base;
  std::size_t cell = offset / span.cell_bytes;
  if (offset % span.cell_bytes != 0 || cell >= span.cells) {
    fatal("size-class: free_object on a cell that is not allocated");
  }
  std::size_t bit = span.first_bit + cell * span.cell_step();
  // A held span's free_index is its holder's; only a double free shows.
  if ((span.listed && !is_allocated(span, cell)) ||
      pending_free_bits_.test(bit)) {
    fatal("size-class: free_object on a cell that is not allocated");
  }
  bool was_marked = marks_.clear(at);
  if (poison) {
    std::memset(at, static_cast<int>(kPoisonByte), span.cell_bytes);
  }
  if (!span.listed) {
    // Held by a run: the holder applies it (apply_pending_frees_locked).
    pending_free_bits_.set(bit);
    ++span.pending_frees;
    in_use_.fetch_sub(span.cell_bytes, std::memory_order_relaxed);
    return;
  }
  spell_out_allocation_bits(span);
  set_allocation_bit(span, cell, false);
  if (unswept(span)) {
    // The sweep to come finds the cell neither allocated nor marked; what
    // the mark counted live in unswept spans shrinks if it counted this.
    if (was_marked) {
      std::lock_guard sweep_lock(sweep_mutex_);
      take_from_unswept_live_locked(span.cell_bytes);
    }
    return;
  }
  bool was_full = span.used_cells == span.cells;
  --span.used_cells;
  in_use_.fetch_sub(span.cell_bytes, std::memory_order_relaxed);
  if (span.used_cells == 0) {
    (was_full ? central.full : central.partial).remove(&span);
    release_span(span);
  } else if (was_full) {
    central.full.remove(&span);
    central.partial.push(&span);
  }
}

// Sweeping.

// Allocation bits := mark bits, mark bits := 0. Only poisoning (--verify)
// touches the cells themselves.
SizeClassAllocator::SpanSweep SizeClassAllocator::sweep_span(Span& span,
                                                             bool poison) {
  std::size_t allocated =
      span.free_index + allocation_bits_from(span, span.free_index);
  if (poison) {
    for (std::size_t cell = 0; cell < span.cells; ++cell) {
      if (is_allocated(span, cell) && !marks_.test(span.cell(cell))) {
        std::memset(span.cell(cell), static_cast<int>(kPoisonByte),
                    span.cell_bytes);
      }
    }
  }
  std::size_t first_word = span.first_bit / kBitsPerWord;
  std::size_t end_word = first_word + span.pages * kBitsPerPage / kBitsPerWord;
  std::size_t live = 0;
  for (std::size_t word = first_word; word < end_word; ++word) {
    std::uint64_t marked = marks_.word(word).load(std::memory_order_relaxed);
    allocation_bits_.word(word) = marked;
    if (marked != 0) {
      live += std::popcount(marked);
      marks_.word(word).store(0, std::memory_order_relaxed);
    }
  }
  if (span.pending_frees != 0) {
    fatal("size-class: a span is swept with frees not applied");
  }
  if (live > allocated) {
    fatal("size-class: a span has more marked cells (" + std::to_string(live) +
          ") than allocated ones (" + std::to_string(allocated) + ")");
  }
  span.free_index = 0;
  span.used_cells = static_cast<std::uint32_t>(live);
  span.swept_gen = sweep_gen_.load(std::memory_order_relaxed);
  return {live, allocated - live};
}

void SizeClassAllocator::place_swept(Span& span) {
  Central& central = centrals_[span.size_class];
  std::lock_guard lock(central.mutex);
  place_swept_locked(central, span);
}

void SizeClassAllocator::place_swept_locked(Central& central, Span& span) {
  if (span.used_cells == 0) {
    release_span(span);
    return;
  }
  (span.used_cells < span.cells ? central.partial : central.full).push(&span);
}

// An estimate: never below zero, though what the mark counted and what the
// sweeps and frees find may differ in rounding.
void SizeClassAllocator::take_from_unswept_live_locked(std::size_t bytes) {
  std::size_t live = unswept_live_.load(std::memory_order_relaxed);
  unswept_live_.store(live - std::min(live, bytes), std::memory_order_relaxed);
}

void SizeClassAllocator::add_to_sweep_totals(const Span& span,
                                             const SpanSweep& swept,
                                             std::int64_t lazy_ns) {
  std::size_t live_bytes = swept.live_cells * span.cell_bytes;
  in_use_.fetch_add(live_bytes + span.tail_bytes(), std::memory_order_relaxed);
  std::lock_guard lock(sweep_mutex_);
  take_from_unswept_live_locked(live_bytes);
  sweep_totals_.live_objects += swept.live_cells;
  sweep_totals_.live_bytes += live_bytes;
  sweep_totals_.freed_objects += swept.freed_cells;
  sweep_totals_.freed_bytes += swept.freed_cells * span.cell_bytes;
  sweep_totals_.lazy_sweep_ns += lazy_ns;
}

std::size_t SizeClassAllocator::sweep_one_lazily(std::size_t size_class,
                                                 bool on_allocation) {
  // The class's lock is held through the span's sweep, so that a free in
  // the span (free_object) waits for it rather than race its bitmap words.
  Central& central = centrals_[size_class];
  std::unique_lock lock(central.mutex);
  Span* span = central.unswept.pop();
  if (span == nullptr) return 0;
  std::int64_t start = on_allocation ? steady_ns() : 0;
  SpanSweep swept = sweep_span(*span, poison_);
  std::size_t bytes = span->bytes();
  add_to_sweep_totals(*span, swept, on_allocation ? steady_ns() - start : 0);
  unswept_span_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  place_swept_locked(central, *span);
  lock.unlock();
  // Last, so that sweep_pending() stays true until what this span freed
  // can be found (Heap::refill retries on it).
  unswept_spans_.fetch_sub(1, std::memory_order_release);
  return bytes;
}

bool SizeClassAllocator::sweep_any_lazily(std::size_t& budget,
                                          bool on_allocation) {
  for (std::size_t tried = 0; tried < kSizeClassCount && budget > 0;) {
    std::size_t size_class =
        sweep_cursor_class_.load(std::memory_order_relaxed) % kSizeClassCount;
    std::size_t swept = sweep_one_lazily(size_class, on_allocation);
    if (swept == 0) {
      sweep_cursor_class_.store(size_class + 1, std::memory_order_relaxed);
      ++tried;
      continue;
    }
    tried = 0;
    budget -= std::min(budget, swept);
  }
  return sweep_pending();
}

SweepResult SizeClassAllocator::sweep(std::uint8_t, bool poison) {
  std::vector<Span*> spans;
  for (Central& central : centrals_) {
    std::lock_guard lock(central.mutex);
    SpanList taken;
    taken.splice(central.partial);
    taken.splice(central.full);
    while (Span* span = taken.pop()) spans.push_back(span);
  }
  std::vector<SpanSweep> swept(spans.size());
  auto sweep_range = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      swept[i] = sweep_span(*spans[i], poison);
    }
  };
  if (sweep_threads_ > 1 && spans.size() > kSpansPerSweepTask) {
    sweep_arena_.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::size_t>(0, spans.size(), kSpansPerSweepTask),
          [&](const tbb::blocked_range<std::size_t>& range) {
            sweep_range(range.begin(), range.end());
          });
    });
  } else {
    sweep_range(0, spans.size());
  }
  in_use_.store(0, std::memory_order_relaxed);
  SweepResult total;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    Span& span = *spans[i];
    std::size_t live_bytes = swept[i].live_cells * span.cell_bytes;
    in_use_.fetch_add(live_bytes + span.tail_bytes(),
                      std::memory_order_relaxed);
    total.live_objects += swept[i].live_cells;
    total.live_bytes += live_bytes;
    total.freed_objects += swept[i].freed_cells;
    total.freed_bytes += swept[i].freed_cells * span.cell_bytes;
    place_swept(span);
  }
  return total;
}

void SizeClassAllocator::begin_lazy_sweep(std::uint8_t, std::size_t live_bytes,
                                          bool poison) {
  if (sweep_pending()) fatal("size-class: a lazy sweep is already in progress");
  sweep_gen_.fetch_add(1, std::memory_order_relaxed);
  std::size_t spans = 0;
  for (Central& central : centrals_) {
    std::lock_guard lock(central.mutex);
    central.unswept.splice(central.partial);
    central.unswept.splice(central.full);
    spans += central.unswept.size();
  }
  {
    std::lock_guard lock(page_mutex_);
    unswept_span_bytes_.store(pages_in_use_ * kPageBytes,
                              std::memory_order_relaxed);
  }
  std::lock_guard lock(sweep_mutex_);
  poison_ = poison;
  sweep_totals_ = {};
  in_use_.store(0, std::memory_order_relaxed);
  unswept_live_.store(live_bytes, std::memory_order_relaxed);
  unswept_spans_.store(spans, std::memory_order_release);
}

SweepResult SizeClassAllocator::finish_sweep() {
  std::size_t budget = std::numeric_limits<std::size_t>::max();
  sweep_any_lazily(budget, /*on_allocation=*/false);
  std::lock_guard lock(sweep_mutex_);
  SweepResult totals = sweep_totals_;
  sweep_totals_ = {};
  unswept_live_.store(0, std::memory_order_relaxed);
  return totals;
}

bool SizeClassAllocator::background_sweep_step() {
  std::size_t budget = kBackgroundSweepBudget;
  return sweep_any_lazily(budget, /*on_allocation=*/false);
}

// Walks and statistics.

void SizeClassAllocator::visit_objects(
    const std::function<void(Object*)>& visit) {
  for (std::size_t page = 0; page < page_count_;) {
    if (page_free(page)) {
      ++page;
      continue;
    }
    const Span& span = spans_[page];
    for (std::size_t cell = 0; cell < span.cells; ++cell) {
      if (is_allocated(span, cell)) {
        visit(reinterpret_cast<Object*>(span.cell(cell)));
      }
    }
    page += span.pages;
  }
}

AllocatorStats SizeClassAllocator::stats() const {
  AllocatorStats stats;
  stats.heap_bytes = arena_.size();
  stats.in_use_bytes = std::min(in_use_bytes(), stats.heap_bytes);
  stats.free_bytes = stats.heap_bytes - stats.in_use_bytes;
  if (sweep_pending()) {
    std::size_t unswept = unswept_span_bytes_.load(std::memory_order_relaxed);
    std::size_t live = unswept_live_.load(std::memory_order_relaxed);
    stats.unswept_bytes =
        std::min(unswept - std::min(unswept, live), stats.free_bytes);
  }
  std::lock_guard lock(page_mutex_);
  stats.committed_bytes = page_high_water_ * kPageBytes;
  for (std::size_t page = free_pages_.find_next_set(0, page_count_);
       page < page_count_;) {
    std::size_t end = free_pages_.find_next_clear(page, page_count_);
    stats.largest_free_block =
        std::max(stats.largest_free_block, (end - page) * kPageBytes);
    ++stats.free_blocks;
    page = free_pages_.find_next_set(end, page_count_);
  }
  return stats;
}

SizeClassAllocator::ClassCensus SizeClassAllocator::class_census(
    std::size_t size_class) {
  Central& central = centrals_[size_class];
  std::lock_guard lock(central.mutex);
  return {central.partial.size(), central.full.size(), central.unswept.size()};
}

std::size_t SizeClassAllocator::pages_in_use() const {
  std::lock_guard lock(page_mutex_);
  return pages_in_use_;
}

// The page heap.

bool SizeClassAllocator::page_free(std::size_t page) const {
  return free_pages_.test(page);
}

void SizeClassAllocator::set_pages_free(std::size_t first, std::size_t pages,
                                        bool free) {
  if (free) {
    free_pages_.set_range(first, first + pages);
  } else {
    free_pages_.clear_range(first, first + pages);
  }
}

// First fit by address, from the lowest page that may be free.
std::size_t SizeClassAllocator::find_free_pages(std::size_t pages) const {
  std::size_t page = first_free_hint_;
  while (page + pages <= page_count_) {
    page = free_pages_.find_next_set(page, page_count_);
    if (page + pages > page_count_) break;
    std::size_t used = free_pages_.find_next_clear(page, page + pages);
    if (used == page + pages) return page;
    page = used;
  }
  return kNotFound;
}

}  // namespace gclab
