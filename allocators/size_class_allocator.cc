#include "allocators/size_class_allocator.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>

#include "heap/errors.h"
#include "heap/fatal.h"

namespace gclab {
namespace {

// Bytes of spans a refill may sweep before it gives up, so that the mutator
// polls a safepoint between steps (Heap::refill retries while a sweep is
// pending). Bitmap sweeping passes a megabyte of spans in microseconds.
constexpr std::size_t kRefillSweepBudget = std::size_t{1} << 20;

}  // namespace

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
      marks_(arena_.bytes()),
      allocation_bits_(marks_.bits().size()),
      pending_free_bits_(marks_.bits().size()),
      pages_(heap_bytes / kPageBytes),
      spans_(arena_.begin(), pages_, in_use_),
      sweeper_(marks_, allocation_bits_, spans_, in_use_, sweep_threads) {}

SizeClassAllocator::~SizeClassAllocator() = default;

// Spans and cells.

void SizeClassAllocator::set_allocation_bit(const Span& span, std::size_t cell,
                                            bool value) {
  if (value) {
    allocation_bits_.set(span.bit(cell));
  } else {
    allocation_bits_.clear(span.bit(cell));
  }
}

void SizeClassAllocator::spell_out_allocation_bits(Span& span) {
  for (std::size_t cell = 0; cell < span.free_index; ++cell) {
    set_allocation_bit(span, cell, true);
  }
  span.free_index = 0;
}

// The next run of free cells at or above free_index: up to the next cell
// whose allocation bit is set (a survivor of the last sweep).
bool SizeClassAllocator::take_run(Span& span, AllocationBuffer& run) {
  std::size_t first = span.free_index;
  while (first < span.cells && allocation_bits_.test(span.bit(first))) ++first;
  if (first == span.cells) {
    span.free_index = span.cells;
    return false;
  }
  std::size_t next =
      allocation_bits_.find_next_set(span.bit(first + 1), span.end_bit());
  std::size_t end = next == span.end_bit()
                        ? span.cells
                        : (next - span.first_bit) / span.cell_step();
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
    Span& span = spans_.span_of(run.limit - 1);
    if (!take_run(span, run)) {
      run = {};
      CentralLists& central = spans_.central(size_class);
      std::lock_guard lock(central.mutex);
      apply_pending_frees_locked(span);
      spans_.place_swept_locked(central, span);
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
Span* SizeClassAllocator::take_span(std::size_t size_class,
                                    std::size_t& sweep_budget) {
  CentralLists& central = spans_.central(size_class);
  for (;;) {
    {
      std::lock_guard lock(central.mutex);
      if (Span* span = central.partial.pop()) return span;
    }
    if (sweep_budget == 0) break;
    std::size_t swept = sweeper_.sweep_one(size_class, /*on_allocation=*/true);
    if (swept == 0) break;
    sweep_budget -= std::min(sweep_budget, swept);
  }
  std::size_t pages = size_class_span_pages(size_class);
  if (Span* span = spans_.create(size_class, pages, sweeper_.generation())) {
    return span;
  }
  while (sweep_budget > 0 && sweep_pending()) {
    sweeper_.sweep_any(sweep_budget, /*on_allocation=*/true);
    {
      std::lock_guard lock(central.mutex);
      if (Span* span = central.partial.pop()) return span;
    }
    if (Span* span = spans_.create(size_class, pages, sweeper_.generation())) {
      return span;
    }
  }
  return nullptr;
}

std::byte* SizeClassAllocator::allocate_large(std::size_t bytes) {
  std::size_t pages = align_up(bytes, kPageBytes) / kPageBytes;
  std::size_t sweep_budget = kRefillSweepBudget;
  Span* span = spans_.create(kLargeSizeClass, pages, sweeper_.generation());
  while (span == nullptr && sweep_budget > 0 && sweep_pending()) {
    sweeper_.sweep_any(sweep_budget, /*on_allocation=*/true);
    span = spans_.create(kLargeSizeClass, pages, sweeper_.generation());
  }
  if (span == nullptr) return nullptr;
  span->free_index = 1;
  span->used_cells = 1;
  in_use_.fetch_add(span->bytes(), std::memory_order_relaxed);
  CentralLists& central = spans_.central(kLargeSizeClass);
  std::lock_guard lock(central.mutex);
  central.full.push(span);
  return span->base;
}

void SizeClassAllocator::retire(AllocationBuffer& run) {
  if (run.limit == nullptr) return;
  Span& span = spans_.span_of(run.limit - 1);
  std::size_t unused = (run.limit - run.cursor) / span.cell_bytes;
  span.free_index =
      static_cast<std::uint32_t>((run.cursor - span.base) / span.cell_bytes);
  span.used_cells -= static_cast<std::uint32_t>(unused);
  in_use_.fetch_sub(unused * span.cell_bytes, std::memory_order_relaxed);
  run = {};
  CentralLists& central = spans_.central(span.size_class);
  std::lock_guard lock(central.mutex);
  apply_pending_frees_locked(span);
  spans_.place_swept_locked(central, span);
}

void SizeClassAllocator::apply_pending_frees_locked(Span& span) {
  if (span.pending_frees == 0) return;
  spell_out_allocation_bits(span);
  for (std::size_t word = span.first_word(); word < span.end_word(); ++word) {
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
  Span& span = spans_.span_of(at);
  CentralLists& central = spans_.central(span.size_class);
  std::lock_guard lock(central.mutex);
  std::size_t offset = at - span.base;
  std::size_t cell = offset / span.cell_bytes;
  if (offset % span.cell_bytes != 0 || cell >= span.cells) {
    fatal("size-class: free_object on a cell that is not allocated");
  }
  // A held span's free_index is its holder's; only a double free shows.
  if ((span.listed && !span.is_allocated(allocation_bits_, cell)) ||
      pending_free_bits_.test(span.bit(cell))) {
    fatal("size-class: free_object on a cell that is not allocated");
  }
  bool was_marked = marks_.clear(at);
  if (poison) {
    std::memset(at, static_cast<int>(kPoisonByte), span.cell_bytes);
  }
  if (!span.listed) {
    // Held by a run: the holder applies it (apply_pending_frees_locked).
    pending_free_bits_.set(span.bit(cell));
    ++span.pending_frees;
    in_use_.fetch_sub(span.cell_bytes, std::memory_order_relaxed);
    return;
  }
  spell_out_allocation_bits(span);
  set_allocation_bit(span, cell, false);
  if (sweeper_.unswept(span)) {
    // The sweep to come finds the cell neither allocated nor marked; what
    // the mark counted live in unswept spans shrinks if it counted this.
    if (was_marked) sweeper_.take_from_unswept_live(span.cell_bytes);
    return;
  }
  bool was_full = span.used_cells == span.cells;
  --span.used_cells;
  in_use_.fetch_sub(span.cell_bytes, std::memory_order_relaxed);
  if (span.used_cells == 0) {
    (was_full ? central.full : central.partial).remove(&span);
    spans_.release(span);
  } else if (was_full) {
    central.full.remove(&span);
    central.partial.push(&span);
  }
}

// Sweeping: the sweeper's.

SweepResult SizeClassAllocator::sweep(std::uint8_t, bool poison) {
  return sweeper_.sweep(poison);
}

void SizeClassAllocator::begin_lazy_sweep(std::uint8_t, std::size_t live_bytes,
                                          bool poison) {
  sweeper_.begin_lazy(live_bytes, pages_.pages_in_use() * kPageBytes, poison);
}

SweepResult SizeClassAllocator::finish_sweep() { return sweeper_.finish(); }

bool SizeClassAllocator::background_sweep_step() {
  return sweeper_.background_step();
}

// Walks and statistics.

void SizeClassAllocator::visit_objects(
    const std::function<void(Object*)>& visit) {
  for (std::size_t page = 0; page < pages_.page_count();) {
    if (pages_.page_free(page)) {
      ++page;
      continue;
    }
    const Span& span = spans_.span_at(page);
    for (std::size_t cell = 0; cell < span.cells; ++cell) {
      if (span.is_allocated(allocation_bits_, cell)) {
        visit(reinterpret_cast<Object*>(span.cell(cell)));
      }
    }
    page += span.pages;
  }
}

void SizeClassAllocator::pretouch() const {
  arena_.pretouch();
  marks_.bits().pretouch();
  allocation_bits_.pretouch();
  pending_free_bits_.pretouch();
}

AllocatorStats SizeClassAllocator::stats() const {
  AllocatorStats stats;
  stats.heap_bytes = arena_.size();
  stats.in_use_bytes = std::min(in_use_bytes(), stats.heap_bytes);
  stats.free_bytes = stats.heap_bytes - stats.in_use_bytes;
  stats.unswept_bytes =
      std::min(sweeper_.unswept_dead_bytes(), stats.free_bytes);
  PageHeap::Stats pages = pages_.stats();
  stats.committed_bytes = pages.high_water_pages * kPageBytes;
  stats.largest_free_block = pages.largest_free_run * kPageBytes;
  stats.free_blocks = pages.free_runs;
  return stats;
}

}  // namespace gclab
