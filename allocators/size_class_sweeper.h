// SpanSweeper: how the size-class allocator sweeps its spans, eagerly or
// lazily, and what its sweeps add up to.
//
// Sweeping a span is bitmap work that never touches the objects: its
// allocation bits := its mark bits, its mark bits := 0, free_index := 0;
// then it goes back on the list its cells say, or, empty, to the page heap.
// An eager sweep sweeps every span in the pause, over `threads` TBB
// threads. A lazy sweep advances the sweep generation and moves every span
// onto its class's unswept list in the pause (a splice per list), and
// sweeps nothing; a span is swept later, one at a time under its class's
// lock, by a refill (sweep_one for its own class, sweep_any for others) or
// by the background sweeper, until finish sweeps the rest.
//
// Invariants:
// - a span whose swept_gen is not the current generation is on its class's
//   unswept list, or being swept under that class's lock;
// - while a lazy sweep is pending, unswept_spans_ counts the unswept spans
//   and unswept_span_bytes_ their bytes, and unswept_live_ is what the mark
//   found live in them, less what sweeps and frees have found since (an
//   estimate, never below zero);
// - totals_ sums every span swept since the lazy sweep began.
//
// Design note: docs/design.md#size-class.
#ifndef GCLAB_ALLOCATORS_SIZE_CLASS_SWEEPER_H_
#define GCLAB_ALLOCATORS_SIZE_CLASS_SWEEPER_H_

#include <tbb/task_arena.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "allocators/size_class_spans.h"
#include "heap/allocator.h"
#include "heap/bitmap.h"
#include "heap/side_mark_bitmap.h"

namespace gclab {

class SpanSweeper {
 public:
  // Sweeps the spans of `spans` by their bits in `marks` and
  // `allocation_bits`; swept live cells and tails count in `in_use`.
  SpanSweeper(SideMarkBitmap& marks, Bitmap& allocation_bits, SpanTable& spans,
              std::atomic<std::size_t>& in_use, int threads);

  // Allocator::sweep: every span, now. World stopped, runs retired.
  SweepResult sweep(bool poison);
  // Allocator::begin_lazy_sweep, with `span_bytes` the bytes of all spans
  // in use. World stopped, runs retired, no sweep pending.
  void begin_lazy(std::size_t live_bytes, std::size_t span_bytes, bool poison);
  // Allocator::finish_sweep: the rest, and the lazy sweep's totals.
  SweepResult finish();
  // Allocator::background_sweep_step: whether spans are left unswept.
  bool background_step();
  bool pending() const {
    return unswept_spans_.load(std::memory_order_acquire) > 0;
  }

  // Sweeps one unswept span of `size_class`; the bytes it passed over, or
  // 0 when that class has none. Timed as lazy_sweep_ns when
  // `on_allocation` (a mutator's refill).
  std::size_t sweep_one(std::size_t size_class, bool on_allocation);
  // Sweeps unswept spans of any class until `budget` bytes were passed over
  // (taken off it) or none are left; whether any are left.
  bool sweep_any(std::size_t& budget, bool on_allocation);

  // What new spans are: swept in the current generation.
  std::uint32_t generation() const {
    return generation_.load(std::memory_order_relaxed);
  }
  bool unswept(const Span& span) const {
    return span.swept_gen != generation();
  }

  // An object the mark counted live, in an unswept span, was freed.
  void take_from_unswept_live(std::size_t bytes);
  std::size_t unswept_live() const {
    return unswept_live_.load(std::memory_order_relaxed);
  }
  // Of the unswept spans' bytes, what the mark did not find live: free once
  // swept. 0 when no sweep is pending.
  std::size_t unswept_dead_bytes() const;

 private:
  struct SpanSweep {
    std::size_t live_cells = 0;
    std::size_t freed_cells = 0;
  };

  SpanSweep sweep_span(Span& span, bool poison);
  void add_to_totals(const Span& span, const SpanSweep& swept,
                     std::int64_t lazy_ns);
  // Under mutex_.
  void take_from_unswept_live_locked(std::size_t bytes);

  SideMarkBitmap& marks_;
  Bitmap& allocation_bits_;
  SpanTable& spans_;
  std::atomic<std::size_t>& in_use_;
  const int threads_;
  tbb::task_arena arena_;

  // Advanced by each lazy sweep's start, when every span becomes unswept.
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<std::size_t> unswept_spans_{0};
  std::atomic<std::size_t> unswept_span_bytes_{0};
  std::atomic<std::size_t> unswept_live_{0};
  std::atomic<std::size_t> cursor_class_{0};  // where sweep_any goes on

  std::mutex mutex_;  // guards the members below
  bool poison_ = false;
  SweepResult totals_;
};

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_SIZE_CLASS_SWEEPER_H_
