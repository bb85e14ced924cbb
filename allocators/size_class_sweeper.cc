#include "allocators/size_class_sweeper.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "heap/fatal.h"

namespace gclab {
namespace {

// Bytes of spans a background step sweeps. Bitmap sweeping passes a
// megabyte of spans in microseconds.
constexpr std::size_t kBackgroundSweepBudget = std::size_t{1} << 20;
// Spans per task of a parallel eager sweep.
constexpr std::size_t kSpansPerSweepTask = 64;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SpanSweeper::SpanSweeper(SideMarkBitmap& marks, Bitmap& allocation_bits,
                         SpanTable& spans, std::atomic<std::size_t>& in_use,
                         int threads)
    : marks_(marks),
      allocation_bits_(allocation_bits),
      spans_(spans),
      in_use_(in_use),
      threads_(threads),
      arena_(threads) {}

// Allocation bits := mark bits, mark bits := 0. Only poisoning (--verify)
// touches the cells themselves.
SpanSweeper::SpanSweep SpanSweeper::sweep_span(Span& span, bool poison) {
  std::size_t allocated = span.allocated_cells(allocation_bits_);
  if (poison) {
    for (std::size_t cell = 0; cell < span.cells; ++cell) {
      if (span.is_allocated(allocation_bits_, cell) &&
          !marks_.test(span.cell(cell))) {
        std::memset(span.cell(cell), static_cast<int>(kPoisonByte),
                    span.cell_bytes);
      }
    }
  }
  std::size_t live = 0;
  for (std::size_t word = span.first_word(); word < span.end_word(); ++word) {
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
  span.swept_gen = generation();
  return {live, allocated - live};
}

void SpanSweeper::take_from_unswept_live(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  take_from_unswept_live_locked(bytes);
}

// An estimate: never below zero, though what the mark counted and what the
// sweeps and frees find may differ in rounding.
void SpanSweeper::take_from_unswept_live_locked(std::size_t bytes) {
  std::size_t live = unswept_live_.load(std::memory_order_relaxed);
  unswept_live_.store(live - std::min(live, bytes), std::memory_order_relaxed);
}

std::size_t SpanSweeper::unswept_dead_bytes() const {
  if (!pending()) return 0;
  std::size_t unswept = unswept_span_bytes_.load(std::memory_order_relaxed);
  return unswept - std::min(unswept, unswept_live());
}

void SpanSweeper::add_to_totals(const Span& span, const SpanSweep& swept,
                                std::int64_t lazy_ns) {
  std::size_t live_bytes = swept.live_cells * span.cell_bytes;
  in_use_.fetch_add(live_bytes + span.tail_bytes(), std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  take_from_unswept_live_locked(live_bytes);
  totals_.live_objects += swept.live_cells;
  totals_.live_bytes += live_bytes;
  totals_.freed_objects += swept.freed_cells;
  totals_.freed_bytes += swept.freed_cells * span.cell_bytes;
  totals_.lazy_sweep_ns += lazy_ns;
}

std::size_t SpanSweeper::sweep_one(std::size_t size_class, bool on_allocation) {
  // The class's lock is held through the span's sweep, so that a free in
  // the span (free_object) waits for it rather than race its bitmap words.
  CentralLists& central = spans_.central(size_class);
  std::unique_lock lock(central.mutex);
  Span* span = central.unswept.pop();
  if (span == nullptr) return 0;
  std::int64_t start = on_allocation ? steady_ns() : 0;
  SpanSweep swept = sweep_span(*span, poison_);
  std::size_t bytes = span->bytes();
  add_to_totals(*span, swept, on_allocation ? steady_ns() - start : 0);
  unswept_span_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  spans_.place_swept_locked(central, *span);
  lock.unlock();
  // Last, so that pending() stays true until what this span freed can be
  // found (Heap::refill retries on it).
  unswept_spans_.fetch_sub(1, std::memory_order_release);
  return bytes;
}

bool SpanSweeper::sweep_any(std::size_t& budget, bool on_allocation) {
  for (std::size_t tried = 0; tried < kSizeClassCount && budget > 0;) {
    std::size_t size_class =
        cursor_class_.load(std::memory_order_relaxed) % kSizeClassCount;
    std::size_t swept = sweep_one(size_class, on_allocation);
    if (swept == 0) {
      cursor_class_.store(size_class + 1, std::memory_order_relaxed);
      ++tried;
      continue;
    }
    tried = 0;
    budget -= std::min(budget, swept);
  }
  return pending();
}

SweepResult SpanSweeper::sweep(bool poison) {
  std::vector<Span*> spans;
  for (CentralLists& central : spans_.centrals()) {
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
  if (threads_ > 1 && spans.size() > kSpansPerSweepTask) {
    arena_.execute([&] {
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
    spans_.place_swept(span);
  }
  return total;
}

void SpanSweeper::begin_lazy(std::size_t live_bytes, std::size_t span_bytes,
                             bool poison) {
  if (pending()) fatal("size-class: a lazy sweep is already in progress");
  generation_.fetch_add(1, std::memory_order_relaxed);
  std::size_t spans = 0;
  for (CentralLists& central : spans_.centrals()) {
    std::lock_guard lock(central.mutex);
    central.unswept.splice(central.partial);
    central.unswept.splice(central.full);
    spans += central.unswept.size();
  }
  unswept_span_bytes_.store(span_bytes, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  poison_ = poison;
  totals_ = {};
  in_use_.store(0, std::memory_order_relaxed);
  unswept_live_.store(live_bytes, std::memory_order_relaxed);
  unswept_spans_.store(spans, std::memory_order_release);
}

SweepResult SpanSweeper::finish() {
  std::size_t budget = std::numeric_limits<std::size_t>::max();
  sweep_any(budget, /*on_allocation=*/false);
  std::lock_guard lock(mutex_);
  SweepResult totals = totals_;
  totals_ = {};
  unswept_live_.store(0, std::memory_order_relaxed);
  return totals;
}

bool SpanSweeper::background_step() {
  std::size_t budget = kBackgroundSweepBudget;
  return sweep_any(budget, /*on_allocation=*/false);
}

}  // namespace gclab
