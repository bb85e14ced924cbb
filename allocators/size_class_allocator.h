// `size-class`: Go-style segregated fits (Go's runtime malloc.go, after
// TCMalloc), over one arena cut into 8 KiB pages.
//
// Three levels, as Go has them:
// - per mutator, one run of free cells per size class (heap/size_classes.h),
//   bumped through a cell at a time by the inline fast path with no lock;
// - per class, central span lists under one lock each: `partial` (swept, a
//   free cell left), `full` (swept, none), `unswept` (not swept since the
//   last mark);
// - the page heap: a bitmap of free pages, first fit by address, that hands
//   out spans (runs of pages) and takes back empty ones. An object over 32
//   KiB gets a span of its own (class 0).
//
// Allocation and mark bits live beside the heap, one bit per 8-byte granule
// (a span's bits are whole words, since spans are page-aligned). A span's
// cells below its `free_index` are allocated; at or above it, a cell is
// allocated iff its allocation bit is set (Go's freeindex and allocBits). A
// refill takes the next run of cells whose bits are clear, from free_index
// up, and moves free_index past it; retiring the run moves free_index back
// to the cursor. Marking mirrors every mark into the side mark bitmap
// (SideMarkBitmap), and sweeping a span is bitmap work that never touches
// the objects: allocation bits := mark bits, mark bits := 0, free_index :=
// 0. A span with nothing live goes back to the page heap.
//
// A lazy sweep moves every span onto its class's unswept list in the pause
// (a splice per list) and sweeps nothing. A refill that finds no partial
// span of its class sweeps that class's unswept spans first, then takes a
// new span, and only then sweeps other classes (whose empty spans free
// pages); a background sweeper sweeps whatever is left. An eager sweep
// sweeps every span in the pause, over `sweep-threads` TBB threads.
//
// Freeing one object (free_object, for reference counting) takes its
// class's lock. In a span on a list, the cells below free_index first get
// their allocation bits (free_index := 0), then the freed cell's bit is
// cleared; a full span becomes partial, an empty one goes back to the page
// heap. A span held by a mutator's run is that mutator's to change without
// a lock, so the free is only noted in a side bitmap of freed cells and
// applied when the run is retired or used up. Its mark bit is cleared too,
// so that a sweep still to come does not bring it back.
//
// Invariants:
// - every span in use is in exactly one place: a class list (`listed`), or
//   held by one mutator's run (only between a refill and the retire of that
//   run), or being swept (with its class's lock held, or world stopped);
// - a listed span's used_cells counts its allocated cells, so a swept one
//   is on `partial` iff used_cells < cells; a held span's used_cells still
//   counts its `pending_frees`;
// - in_use_ sums used_cells times cell size, less the pending frees, plus
//   the tail, over the swept spans, runs included;
// - a span whose swept_gen is not sweep_gen_ is on its class's unswept list;
// - the side mark bits of every span are clear outside marking and the
//   sweep that follows it (each sweep clears the bits it consumes).
#ifndef GCLAB_ALLOCATORS_SIZE_CLASS_ALLOCATOR_H_
#define GCLAB_ALLOCATORS_SIZE_CLASS_ALLOCATOR_H_

#include <tbb/task_arena.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "heap/allocator.h"
#include "heap/arena.h"
#include "heap/bitmap.h"
#include "heap/params.h"
#include "heap/side_mark_bitmap.h"
#include "heap/size_classes.h"

namespace gclab {

class SizeClassAllocator final : public Allocator {
 public:
  static constexpr AllocatorCapabilities kCapabilities{.sweepable = true,
                                                       .frees_objects = true,
                                                       .lazy_sweep = true,
                                                       .size_classes = true};
  static constexpr ParamSpec kParams[] = {
      {"sweep-threads", ParamKind::kInt, "1",
       "threads (TBB) sweeping spans in parallel in an eager sweep"},
  };
  static std::unique_ptr<Allocator> create(std::size_t heap_bytes,
                                           const ParamValues& params);

  SizeClassAllocator(std::size_t heap_bytes, int sweep_threads);
  ~SizeClassAllocator() override;

  AllocatorCapabilities capabilities() const override { return kCapabilities; }
  std::byte* allocate_slow(AllocationBuffer& run, std::size_t bytes) override;
  void retire(AllocationBuffer& run) override;
  void free_object(Object* object, bool poison) override;
  SweepResult sweep(std::uint8_t live_mark, bool poison) override;
  void begin_lazy_sweep(std::uint8_t live_mark, std::size_t live_bytes,
                        bool poison) override;
  SweepResult finish_sweep() override;
  bool background_sweep_step() override;
  bool sweep_pending() const override {
    return unswept_spans_.load(std::memory_order_acquire) > 0;
  }
  std::span<std::byte> parseable() const override { return {}; }
  void visit_objects(const std::function<void(Object*)>& visit) override;
  SideMarkBitmap* side_marks() override { return &marks_; }
  std::span<std::byte> arena() const override { return arena_.bytes(); }
  AllocatorStats stats() const override;
  std::size_t in_use_bytes() const override {
    return in_use_.load(std::memory_order_relaxed) +
           unswept_live_.load(std::memory_order_relaxed);
  }

  // For tests: spans on each list of `size_class`, and pages in use.
  struct ClassCensus {
    std::size_t partial = 0;
    std::size_t full = 0;
    std::size_t unswept = 0;
  };
  ClassCensus class_census(std::size_t size_class);
  std::size_t pages_in_use() const;

 private:
  struct Span {
    std::byte* base = nullptr;
    std::uint32_t pages = 0;
    std::uint32_t cells = 0;
    std::uint32_t cell_bytes = 0;
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
    std::byte* cell(std::size_t index) const {
      return base + index * cell_bytes;
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
    template <typename Visit>
    void for_each(Visit&& visit) const {
      for (Span* span = head_; span != nullptr; span = span->next) {
        visit(*span);
      }
    }

   private:
    Span* head_ = nullptr;
    Span* tail_ = nullptr;
    std::size_t size_ = 0;
  };

  struct Central {
    std::mutex mutex;
    SpanList partial;
    SpanList full;
    SpanList unswept;
  };

  struct SpanSweep {
    std::size_t live_cells = 0;
    std::size_t freed_cells = 0;
  };

  // Spans and their cells.
  Span& span_of(const std::byte* at);
  bool allocation_bit(const Span& span, std::size_t cell) const;
  bool is_allocated(const Span& span, std::size_t cell) const;
  std::size_t allocation_bits_from(const Span& span, std::size_t cell) const;
  bool take_run(Span& span, AllocationBuffer& run);
  void set_allocation_bit(const Span& span, std::size_t cell, bool value);
  // Gives the cells below free_index their allocation bits; free_index := 0.
  void spell_out_allocation_bits(Span& span);
  // Under the class's lock, once the span's run is retired or used up.
  void apply_pending_frees_locked(Span& span);
  bool unswept(const Span& span) const {
    return span.swept_gen != sweep_gen_.load(std::memory_order_relaxed);
  }

  // Where a refill's span comes from.
  Span* take_span(std::size_t size_class, std::size_t& sweep_budget);
  Span* new_span(std::size_t size_class, std::size_t pages);
  void release_span(Span& span);
  std::byte* allocate_large(std::size_t bytes);

  // Sweeping.
  SpanSweep sweep_span(Span& span, bool poison);
  // A swept span back on the list its cells say, or, empty, to the page
  // heap; _locked under its class's lock.
  void place_swept(Span& span);
  void place_swept_locked(Central& central, Span& span);
  // Sweeps one unswept span of `size_class` (lazily); the bytes it passed
  // over, or 0 when that class has none. Timed as lazy_sweep_ns when
  // `on_allocation` (a mutator's refill).
  std::size_t sweep_one_lazily(std::size_t size_class, bool on_allocation);
  // Sweeps unswept spans of any class until `budget` bytes were passed over
  // (taken off it) or none are left; whether any are left.
  bool sweep_any_lazily(std::size_t& budget, bool on_allocation);
  void add_to_sweep_totals(const Span& span, const SpanSweep& swept,
                           std::int64_t lazy_ns);
  // Under sweep_mutex_: `bytes` fewer live in the spans not swept yet.
  void take_from_unswept_live_locked(std::size_t bytes);

  // The page heap (under page_mutex_).
  std::size_t find_free_pages(std::size_t pages) const;
  void set_pages_free(std::size_t first, std::size_t pages, bool free);
  bool page_free(std::size_t page) const;

  Arena arena_;
  const std::size_t page_count_;
  const int sweep_threads_;
  tbb::task_arena sweep_arena_;
  SideMarkBitmap marks_;
  Bitmap allocation_bits_;  // indexed like marks_
  // Objects freed in spans held by runs, not yet applied (class lock).
  Bitmap pending_free_bits_;
  std::vector<Span> spans_;  // indexed by a span's first page
  // The first page of the span each page belongs to (pages in use only).
  std::vector<std::uint32_t> span_start_;
  std::array<Central, kSizeClassCount> centrals_;

  mutable std::mutex page_mutex_;
  Bitmap free_pages_;                // bit set: page free
  std::size_t first_free_hint_ = 0;  // no free page below it
  std::size_t pages_in_use_ = 0;
  std::size_t page_high_water_ = 0;

  // Cells handed out or live in swept spans, plus those spans' tails.
  std::atomic<std::size_t> in_use_{0};
  // During a lazy sweep: what the mark found live in the spans not swept
  // yet, as far as the swept spans' live cells have not used it up.
  std::atomic<std::size_t> unswept_live_{0};
  std::atomic<std::size_t> unswept_spans_{0};
  std::atomic<std::size_t> unswept_span_bytes_{0};
  std::atomic<std::size_t> sweep_cursor_class_{0};
  // Advanced by each lazy sweep's start, when every span becomes unswept.
  std::atomic<std::uint32_t> sweep_gen_{0};

  std::mutex sweep_mutex_;  // guards the members below
  bool poison_ = false;
  SweepResult sweep_totals_;
};

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_SIZE_CLASS_ALLOCATOR_H_
