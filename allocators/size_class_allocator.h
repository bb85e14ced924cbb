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
// The parts, each in a file pair of its own: the page heap
// (size_class_page_heap.h), the spans, their records and their lists
// (size_class_spans.h), and the sweep, eager, lazy and background
// (size_class_sweeper.h). This class composes them and does what reaches
// an Allocator: refills, retires, frees, walks and statistics.
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
// - a span whose swept_gen is not the sweeper's generation is on its
//   class's unswept list;
// - the side mark bits of every span are clear outside marking and the
//   sweep that follows it (each sweep clears the bits it consumes).
//
// Design note: docs/design.md#size-class.
#ifndef GCLAB_ALLOCATORS_SIZE_CLASS_ALLOCATOR_H_
#define GCLAB_ALLOCATORS_SIZE_CLASS_ALLOCATOR_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "allocators/size_class_page_heap.h"
#include "allocators/size_class_spans.h"
#include "allocators/size_class_sweeper.h"
#include "heap/allocator.h"
#include "heap/arena.h"
#include "heap/bitmap.h"
#include "heap/params.h"
#include "heap/side_mark_bitmap.h"

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
  bool sweep_pending() const override { return sweeper_.pending(); }
  std::span<std::byte> parseable() const override { return {}; }
  void visit_objects(const std::function<void(Object*)>& visit) override;
  SideMarkBitmap* side_marks() override { return &marks_; }
  std::span<std::byte> arena() const override { return arena_.bytes(); }
  // The arena and the three bitmaps over it.
  void pretouch() const override;
  AllocatorStats stats() const override;
  std::size_t in_use_bytes() const override {
    return in_use_.load(std::memory_order_relaxed) + sweeper_.unswept_live();
  }

 private:
  // Reads the lists and the page heap (size_class_allocator_test.cc).
  friend class SizeClassAllocatorTestPeer;

  // A span's cells and their allocation bits.
  bool take_run(Span& span, AllocationBuffer& run);
  void set_allocation_bit(const Span& span, std::size_t cell, bool value);
  // Gives the cells below free_index their allocation bits; free_index := 0.
  void spell_out_allocation_bits(Span& span);
  // Under the class's lock, once the span's run is retired or used up.
  void apply_pending_frees_locked(Span& span);

  // Where a refill's span comes from.
  Span* take_span(std::size_t size_class, std::size_t& sweep_budget);
  std::byte* allocate_large(std::size_t bytes);

  Arena arena_;
  SideMarkBitmap marks_;
  Bitmap allocation_bits_;  // indexed like marks_
  // Objects freed in spans held by runs, not yet applied (class lock).
  Bitmap pending_free_bits_;
  // Cells handed out or live in swept spans, plus those spans' tails.
  std::atomic<std::size_t> in_use_{0};
  PageHeap pages_;
  SpanTable spans_;
  SpanSweeper sweeper_;
};

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_SIZE_CLASS_ALLOCATOR_H_
