// The sweep of a parseable arena, eager or lazy, shared by the allocators
// whose objects, free blocks and fillers tile one range [begin, end)
// (free-list, tlsf).
//
// A sweep walks the range from a cursor, block by block, and decides each
// block by the mark: an object holding the live mark survives (its age
// grows); every other object is dead, and so are free blocks and fillers.
// Each maximal run of dead space becomes one dead block. What a dead block
// is, and how it is listed, is the allocator's: it passes a policy (below)
// whose hooks run once per run, not once per block, except where a block
// that is already dead has state of the allocator's to drop.
//
// An eager sweep (`start`, then `finish`) walks the whole range at once. A
// lazy sweep (`start` alone; Hughes 1982, as Boehm's collector and Go do)
// frees nothing yet: each allocation that finds no fit sweeps on from the
// cursor with `step_lazily`, until a closed run holds the request, the runs
// hold about a refill's worth of free memory (the larger of the request and
// `step_bytes`), or kStepScanBytes of arena were passed; a refill takes at
// most kStepsPerRefill steps before it lets the world in, so its latency
// stays bounded and mutators pay for sweeping in proportion to what they
// allocate. `finish` sweeps the rest.
//
// Invariants, under the allocator's lock:
// - while a sweep is in progress the cursor stands on a block boundary:
//   below it the range is swept (every dead block is the allocator's,
//   listed or a filler), above it lie live and dead objects, free blocks and
//   fillers of the last mark, none listed. Mutator buffers are carved from
//   the swept part, so objects allocated since the mark never meet the
//   sweep. Steps end between runs, so the cursor never splits one;
// - unswept_live_bytes is what the mark found live above the cursor, so the
//   rest of the unswept part counts as free (the fillers a sweep will leave
//   between live objects count as dead until swept);
// - with `poison`, the memory of every dead object, and every header (or
//   footer) that vanishes inside a run, is overwritten with kPoisonByte; the
//   bodies of old free blocks are not, since they may never have been
//   touched and writing them would fault in the whole heap.
//
// The policy `Runs`, passed by value to the stepping functions (a
// reference to the allocator and what one step remembers), provides:
//   std::byte* take_dead_below(std::byte* cursor);
//     the start of a dead block ending at `cursor` (freed or retired just
//     below it since the last step) that the first run should extend, taken
//     off the allocator's lists; null when there is none;
//   void pass_dead(std::byte* at, std::size_t bytes, bool poison);
//     a free block or filler above the cursor that is about to vanish
//     inside a run;
//   std::size_t close_run(std::byte* start, std::size_t bytes);
//     makes the run one dead block of the allocator's and returns the bytes
//     it adds to what allocation can use;
//   void publish_free_bytes();
//     called at the end of every step, when the cursor has moved.
//
// ArenaSweptAllocator, below, is the Allocator side of the same sweep: the
// arena, the lock, the sweeping entry points and the refill policy, once for
// the allocators that sweep this way. Mutators do not take the lock per
// object: a refill carves a chunk (`chunk` bytes, or the whole block when
// the rest could not be a free block) and the mutator bumps through it in
// its AllocationBuffer; objects larger than a quarter of a chunk are placed
// directly, at their exact size. Which block serves a request is Derived's.
//
// Design note: docs/design.md#the-arena-sweep.
#ifndef GCLAB_ALLOCATORS_ARENA_SWEEP_H_
#define GCLAB_ALLOCATORS_ARENA_SWEEP_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "heap/allocator.h"
#include "heap/arena.h"
#include "heap/fatal.h"
#include "heap/object.h"
#include "heap/params.h"

namespace gclab {

inline void poison_range(std::byte* start, std::size_t bytes) {
  std::memset(start, std::to_integer<int>(kPoisonByte), bytes);
}

class ArenaSweep {
 public:
  // A lazy step passes at most this much arena (live objects cost as much
  // to pass as dead ones: ~30 us of objects of a few words), and a refill
  // takes at most kStepsPerRefill steps before it lets the world in.
  static constexpr std::size_t kStepScanBytes = std::size_t{128} << 10;
  static constexpr int kStepsPerRefill = 4;

  // `owner` names the allocator in fatal messages; `step_bytes` is about
  // what one refill takes.
  ArenaSweep(std::string_view owner, std::byte* begin, std::byte* end,
             std::size_t step_bytes)
      : owner_(owner), begin_(begin), end_(end), step_bytes_(step_bytes) {}

  std::string_view owner() const { return owner_; }
  bool in_progress() const { return cursor_ != nullptr; }
  bool pending() const { return cursor_ != nullptr && cursor_ < end_; }
  // Whether `at` lies in the part the sweep in progress has not reached.
  bool unswept(const std::byte* at) const {
    return cursor_ != nullptr && at >= cursor_;
  }
  // The first unswept block; the range's end when no sweep is in progress.
  std::byte* swept_end() const { return cursor_ != nullptr ? cursor_ : end_; }
  std::size_t unswept_dead_bytes() const {
    if (cursor_ == nullptr) return 0;
    const std::size_t unswept = end_ - cursor_;
    return unswept - std::min(unswept, unswept_live_bytes_);
  }

  // Sets the cursor at the range's base. The allocator has emptied its
  // lists: their blocks lie above the cursor now, and the sweep finds them
  // again, coalesced with the dead objects around them.
  void start(std::uint8_t live_mark, std::size_t live_bytes, bool poison);
  // Ends any sweep in progress, its totals dropped.
  void abandon() { *this = ArenaSweep(owner_, begin_, end_, step_bytes_); }
  // An object above the cursor freed before the sweep reaches it (reference
  // counting): no longer counted live, and its body past a free block's
  // header poisoned. The allocator formats it as dead space for the sweep
  // to coalesce.
  void free_unswept(Object* object, bool poison);

  // One step from the cursor (see above): until a closed run holds `wanted`
  // bytes, the runs hold max(wanted, step_bytes), `scan_limit` bytes were
  // passed, or the range ends. The one sweeping loop: eager, lazy and
  // finishing sweeps all run it.
  template <class Runs>
  void step(Runs runs, std::size_t wanted, std::size_t scan_limit);
  // A step taken on allocation: timed, since it is GC work on a mutator.
  template <class Runs>
  void step_lazily(Runs runs, std::size_t wanted) {
    const auto start = std::chrono::steady_clock::now();
    step(runs, wanted, kStepScanBytes);
    totals_.lazy_sweep_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now() - start)
            .count();
  }
  // A background sweeper's step; false once nothing is left unswept.
  template <class Runs>
  bool step_in_background(Runs runs) {
    if (!pending()) return false;
    step(runs, step_bytes_, kStepScanBytes);
    return pending();
  }
  // Sweeps to the end and ends the sweep, returning its totals; empty when
  // none is in progress.
  template <class Runs>
  SweepResult finish(Runs runs) {
    if (cursor_ == nullptr) return {};
    step(runs, SIZE_MAX, SIZE_MAX);
    const SweepResult totals = totals_;
    abandon();
    return totals;
  }

 private:
  // Out of line, so that the sweep's loop builds no message.
  [[noreturn]] void fail_on_zero_sized_block() const;

  std::string_view owner_;
  std::byte* begin_;
  std::byte* end_;
  std::size_t step_bytes_;
  std::byte* cursor_ = nullptr;  // the first unswept block; null: no sweep
  std::uint8_t live_mark_ = kUnmarked;
  bool poison_ = false;
  std::size_t unswept_live_bytes_ = 0;
  SweepResult totals_;  // since the sweep began
};

template <class Runs>
void ArenaSweep::step(Runs runs, std::size_t wanted, std::size_t scan_limit) {
  const std::size_t budget = std::max(wanted, step_bytes_);
  std::size_t found = 0;
  bool fits = false;
  // Counted in locals and added once at the end: the compiler cannot keep
  // members in registers across the header writes below (they might alias),
  // and a read-modify-write of memory per block was a quarter of the sweep.
  SweepResult step;
  std::size_t unswept_live = unswept_live_bytes_;
  const std::uint8_t live_mark = live_mark_;
  const bool poison = poison_;
  std::byte* at = cursor_;
  std::byte* run_start = at < end_ ? runs.take_dead_below(at) : nullptr;

  auto close_run = [&](std::byte* run_end) {
    if (run_start == nullptr) return;
    const std::size_t bytes = run_end - run_start;
    found += runs.close_run(run_start, bytes);
    fits = fits || bytes >= wanted;
    run_start = nullptr;
  };

  const std::byte* scan_end =
      scan_limit < static_cast<std::size_t>(end_ - at) ? at + scan_limit : end_;
  while (at < end_ &&
         (run_start != nullptr || (!fits && found < budget && at < scan_end))) {
    auto* block = reinterpret_cast<Object*>(at);
    const std::size_t size = block->size_bytes();
    if (size == 0) fail_on_zero_sized_block();
    const bool is_object = block->is_object();
    if (is_object && block->mark() == live_mark) {
      close_run(at);
      block->survive_collection();
      ++step.live_objects;
      step.live_bytes += size;
      unswept_live -= std::min(size, unswept_live);
    } else {
      if (is_object) {
        ++step.freed_objects;
        step.freed_bytes += size;
      }
      // A run keeps its first block's header and link word, which
      // close_run rewrites.
      if (poison) {
        const std::size_t kept = run_start == nullptr ? kMinFreeBlockBytes : 0;
        const std::size_t head_end =
            is_object ? size : std::min(size, kMinFreeBlockBytes);
        if (head_end > kept) poison_range(at + kept, head_end - kept);
      }
      if (!is_object) runs.pass_dead(at, size, poison);
      if (run_start == nullptr) run_start = at;
    }
    at += size;
  }
  close_run(at);
  cursor_ = at;
  unswept_live_bytes_ = unswept_live;
  totals_.live_objects += step.live_objects;
  totals_.live_bytes += step.live_bytes;
  totals_.freed_objects += step.freed_objects;
  totals_.freed_bytes += step.freed_bytes;
  runs.publish_free_bytes();
}

// Returns `heap_bytes`, or throws ConfigError, naming `owner`, unless
// `chunk_bytes` is a granule multiple whose quarter holds the smallest object
// and the heap, rounded down to a granule, lies between `min_heap_bytes` and
// what a block header's 32-bit granule count spans (the initial block covers
// the whole arena). Called before the arena is reserved.
std::size_t check_chunk_and_heap(std::string_view owner, std::size_t heap_bytes,
                                 std::size_t chunk_bytes,
                                 std::size_t min_heap_bytes);

// An Allocator over one arena, rounded down to a granule, that an ArenaSweep
// sweeps, with the free-byte accounting that the sweep shares: free_bytes_
// is list_bytes_ (the bytes on Derived's lists) plus the dead bytes above
// the cursor, republished whenever either changes. `Derived` provides,
// called with mutex_ held:
//   void start_sweep_locked(std::uint8_t live_mark, std::size_t live_bytes,
//                           bool poison);  empties its lists, starts sweep_;
//   void reset_locked(std::byte* start);  replaces its lists with the dead
//     space [start, end), ending any sweep;
//   struct SweepRuns;  the ArenaSweep policy, built from a Derived&;
//   Block find_locked(std::size_t bytes);  a listed block that holds
//     `bytes`, or a Block that converts to false;
//   Block find_smaller_locked(std::size_t bytes);  the same for a refill
//     that a lazy step left without a chunk, which takes what it finds;
//   Block find_last_resort_locked(std::size_t bytes);  the last search
//     before a request fails, with nothing left to sweep;
//   std::span<std::byte> take_locked(Block block, std::size_t bytes,
//                                    bool round_up);
//     takes `bytes`, or all of a smaller block, from the front of `block`;
//     with `round_up`, the whole block when the rest could not be a free
//     block. Returns what it took;
//   void retire_locked(AllocationBuffer& buffer);  gives back its tail;
//   void free_range_locked(std::byte* start, std::size_t bytes, bool poison);
//     frees swept memory, merging it with the dead blocks around it;
//   void format_unswept_dead_locked(Object* object);  formats an object
//     freed above the cursor as dead space, off the lists, for the sweep to
//     coalesce;
//   std::size_t largest_free_block_locked() const;  for stats().
//
// The entry points below are defined out of line and instantiated once, in
// Derived's .cc, where SweepRuns is complete and inlines into the sweep's
// loop; Derived's header declares `extern template class
// ArenaSweptAllocator<Derived>;` so that no other file instantiates them.
template <class Derived>
class ArenaSweptAllocator : public Allocator {
 public:
  static constexpr AllocatorCapabilities kCapabilities{.sweepable = true,
                                                       .contiguous = true,
                                                       .frees_objects = true,
                                                       .lazy_sweep = true};
  static constexpr ParamSpec kChunkParam{
      "chunk", ParamKind::kSize, "32K",
      "bytes carved for a mutator's buffer per refill; objects above a "
      "quarter of this are placed directly"};

  AllocatorCapabilities capabilities() const final { return kCapabilities; }
  std::byte* allocate_slow(AllocationBuffer& buffer, std::size_t bytes) final;
  void retire(AllocationBuffer& buffer) final {
    std::lock_guard lock(mutex_);
    derived().retire_locked(buffer);
  }
  void free_object(Object* object, bool poison) final;
  AllocatorStats stats() const final;
  SweepResult sweep(std::uint8_t live_mark, bool poison) final;
  void begin_lazy_sweep(std::uint8_t live_mark, std::size_t live_bytes,
                        bool poison) final;
  SweepResult finish_sweep() final;
  bool background_sweep_step() final;
  bool sweep_pending() const final;
  std::span<std::byte> parseable() const final;
  std::span<std::byte> arena() const final;
  void reset_top(std::byte* new_top) final;
  std::size_t in_use_bytes() const final {
    return (end_ - arena_.begin()) -
           free_bytes_.load(std::memory_order_relaxed);
  }
  std::size_t chunk_bytes() const { return chunk_bytes_; }

 protected:
  // `owner` names the allocator in messages. Throws ConfigError when
  // `chunk_bytes` is not a multiple of the granule or too small, or the
  // arena holds less than `min_heap_bytes` or more than one block header's
  // size field can span.
  ArenaSweptAllocator(std::string_view owner, std::size_t heap_bytes,
                      std::size_t chunk_bytes, std::size_t min_heap_bytes);

  // A lazy step taken by an allocation that found no fit.
  void sweep_lazily_locked(std::size_t wanted);
  void publish_free_bytes_locked() {
    free_bytes_.store(list_bytes_ + sweep_.unswept_dead_bytes(),
                      std::memory_order_relaxed);
  }

  Arena arena_;
  std::byte* const end_;  // the arena's end, rounded down to a granule
  // Guards the sweep and everything of Derived's that it touches.
  mutable std::mutex mutex_;
  ArenaSweep sweep_;
  std::size_t list_bytes_ = 0;   // the bytes of Derived's listed blocks
  std::size_t free_blocks_ = 0;  // how many blocks Derived lists
  const std::size_t chunk_bytes_;
  std::byte* high_water_;  // end of the highest memory ever handed out

 private:
  // Written under mutex_, read without it by in_use_bytes.
  std::atomic<std::size_t> free_bytes_{0};

  Derived& derived() { return static_cast<Derived&>(*this); }
  const Derived& derived() const { return static_cast<const Derived&>(*this); }
  // A block for `preferred` bytes or, failing that, for `needed` bytes,
  // sweeping lazily while the swept part has neither; one that converts to
  // false when the request fails or gives up for now (the sweep is still
  // pending then).
  auto find_or_sweep_locked(std::size_t preferred, std::size_t needed);
  // Derived's policy; Derived is complete only where this is instantiated.
  auto runs();
};

template <class Derived>
auto ArenaSweptAllocator<Derived>::runs() {
  return typename Derived::SweepRuns{derived()};
}

template <class Derived>
ArenaSweptAllocator<Derived>::ArenaSweptAllocator(std::string_view owner,
                                                  std::size_t heap_bytes,
                                                  std::size_t chunk_bytes,
                                                  std::size_t min_heap_bytes)
    : arena_(
          check_chunk_and_heap(owner, heap_bytes, chunk_bytes, min_heap_bytes)),
      end_(arena_.begin() + (arena_.size() & ~(kGranuleBytes - 1))),
      sweep_(owner, arena_.begin(), end_, chunk_bytes),
      chunk_bytes_(chunk_bytes),
      high_water_(arena_.begin()) {}

template <class Derived>
auto ArenaSweptAllocator<Derived>::find_or_sweep_locked(std::size_t preferred,
                                                        std::size_t needed) {
  auto block = derived().find_locked(preferred);
  for (int step = 0; !block && sweep_.pending(); ++step) {
    // Give up for now (the heap lets a pending stop or handshake in, then
    // asks again): a refill that met a long stretch of live objects must
    // not keep the world waiting.
    if (step == ArenaSweep::kStepsPerRefill) return decltype(block){};
    sweep_lazily_locked(preferred);
    block = derived().find_locked(preferred);
    // The step found about a chunk's worth of free memory but no block of
    // `preferred` bytes: take a smaller one rather than sweep on.
    if (!block && needed < preferred) {
      block = derived().find_smaller_locked(needed);
    }
  }
  if (!block && needed < preferred) {
    block = derived().find_smaller_locked(needed);
  }
  // The loop ends with a block or with nothing left to sweep.
  if (!block) block = derived().find_last_resort_locked(needed);
  return block;
}

template <class Derived>
std::byte* ArenaSweptAllocator<Derived>::allocate_slow(AllocationBuffer& buffer,
                                                       std::size_t bytes) {
  if (bytes % kGranuleBytes != 0 || bytes < kHeaderBytes) {
    fatal(std::string(sweep_.owner()) + ": request of " +
          std::to_string(bytes) + " bytes is not a whole object");
  }
  std::lock_guard lock(mutex_);
  if (bytes > chunk_bytes_ / 4) {
    auto block = find_or_sweep_locked(bytes, bytes);
    if (!block) return nullptr;
    return derived().take_locked(block, bytes, /*round_up=*/false).data();
  }
  derived().retire_locked(buffer);
  auto block = find_or_sweep_locked(chunk_bytes_, bytes);
  if (!block) return nullptr;
  const std::span<std::byte> taken =
      derived().take_locked(block, chunk_bytes_, /*round_up=*/true);
  buffer.cursor = taken.data() + bytes;
  buffer.limit = taken.data() + taken.size();
  return taken.data();
}

template <class Derived>
void ArenaSweptAllocator<Derived>::free_object(Object* object, bool poison) {
  if (!object->is_object()) {
    fatal(std::string(sweep_.owner()) +
          ": free_object on a block that is not an object");
  }
  std::lock_guard lock(mutex_);
  if (sweep_.unswept(object->address())) {
    sweep_.free_unswept(object, poison);
    derived().format_unswept_dead_locked(object);
    publish_free_bytes_locked();
    return;
  }
  derived().free_range_locked(object->address(), object->size_bytes(), poison);
}

template <class Derived>
AllocatorStats ArenaSweptAllocator<Derived>::stats() const {
  std::lock_guard lock(mutex_);
  const std::size_t heap = end_ - arena_.begin();
  const std::size_t unswept = sweep_.unswept_dead_bytes();
  const std::size_t free = list_bytes_ + unswept;
  return AllocatorStats{
      .heap_bytes = heap,
      .committed_bytes = static_cast<std::size_t>(high_water_ - arena_.begin()),
      .in_use_bytes = heap - free,
      .free_bytes = free,
      .largest_free_block = derived().largest_free_block_locked(),
      .free_blocks = free_blocks_,
      .unswept_bytes = unswept,
  };
}

template <class Derived>
SweepResult ArenaSweptAllocator<Derived>::sweep(std::uint8_t live_mark,
                                                bool poison) {
  std::lock_guard lock(mutex_);
  // One step to the end under one lock: the stats are published only once
  // nothing is left unswept, so no estimate of the live bytes is needed.
  derived().start_sweep_locked(live_mark, /*live_bytes=*/0, poison);
  return sweep_.finish(runs());
}

template <class Derived>
void ArenaSweptAllocator<Derived>::begin_lazy_sweep(std::uint8_t live_mark,
                                                    std::size_t live_bytes,
                                                    bool poison) {
  std::lock_guard lock(mutex_);
  derived().start_sweep_locked(live_mark, live_bytes, poison);
  publish_free_bytes_locked();
}

template <class Derived>
SweepResult ArenaSweptAllocator<Derived>::finish_sweep() {
  std::lock_guard lock(mutex_);
  return sweep_.finish(runs());
}

template <class Derived>
bool ArenaSweptAllocator<Derived>::background_sweep_step() {
  std::lock_guard lock(mutex_);
  return sweep_.step_in_background(runs());
}

template <class Derived>
bool ArenaSweptAllocator<Derived>::sweep_pending() const {
  std::lock_guard lock(mutex_);
  return sweep_.pending();
}

template <class Derived>
std::span<std::byte> ArenaSweptAllocator<Derived>::parseable() const {
  return {arena_.begin(), end_};
}

template <class Derived>
std::span<std::byte> ArenaSweptAllocator<Derived>::arena() const {
  return {arena_.begin(), end_};
}

template <class Derived>
void ArenaSweptAllocator<Derived>::reset_top(std::byte* new_top) {
  if (new_top < arena_.begin() || new_top > end_ ||
      (new_top - arena_.begin()) % kGranuleBytes != 0) {
    fatal(std::string(sweep_.owner()) +
          ": reset_top outside the arena or off a granule");
  }
  std::lock_guard lock(mutex_);
  derived().reset_locked(new_top);
}

template <class Derived>
void ArenaSweptAllocator<Derived>::sweep_lazily_locked(std::size_t wanted) {
  sweep_.step_lazily(runs(), wanted);
}

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_ARENA_SWEEP_H_
