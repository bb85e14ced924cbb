// The Allocator interface: how memory for objects is found and given back.
//
// Every allocator manages one Arena reserved up front (the heap size is fixed
// per run) and keeps it parseable (see object.h): at any point where no mutator
// holds an allocation buffer, walking the arena block by block visits every
// object, free block and filler.
//
// The allocation fast path is not here: it is the inline bump in a mutator's
// AllocationBuffer (Mutator::allocate). An allocator is reached only on the
// slow path, to refill that buffer or to place an object too large for it, so
// virtual calls stay off the hot path.
#ifndef GCLAB_HEAP_ALLOCATOR_H_
#define GCLAB_HEAP_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "heap/arena.h"
#include "heap/object.h"
#include "heap/side_mark_bitmap.h"

namespace gclab {

// A mutator-private range [cursor, limit) that the fast path bumps through.
// Whatever lies between cursor and limit is unformatted until the allocator
// retires the buffer.
struct AllocationBuffer {
  std::byte* cursor = nullptr;
  std::byte* limit = nullptr;

  std::size_t remaining() const { return limit - cursor; }
};

// Static facts about an allocator, checked against a collector's needs.
struct AllocatorCapabilities {
  bool sweepable = false;   // reclaims dead objects in place (sweep)
  bool contiguous = false;  // objects lie in address order from the arena
                            // base and the allocator can restart at a new top
                            // (what sliding compaction needs)
  bool frees_objects = false;  // can free one object at a time (for RC)
  bool lazy_sweep = false;     // can leave a sweep to allocation (see
                               // begin_lazy_sweep)
  bool size_classes = false;   // segregated fits (heap/size_classes.h): a
                               // mutator keeps one buffer per size class, a
                               // run of free cells that it bumps through one
                               // cell at a time, and allocate_slow is given
                               // the buffer of the request's class
};

// heap_bytes = in_use_bytes + free_bytes, also while a lazy sweep is in
// progress: dead memory the sweep has not reached yet counts as free (the
// allocator hands it out, sweeping as it goes), not as in use, so that a
// trigger sees what the last mark left live plus what was allocated since.
struct AllocatorStats {
  std::size_t heap_bytes = 0;          // the arena: the configured heap size
  std::size_t committed_bytes = 0;     // high-water mark of memory handed out
  std::size_t in_use_bytes = 0;        // objects, fillers and mutator buffers
  std::size_t free_bytes = 0;          // available for allocation
  std::size_t largest_free_block = 0;  // of the blocks already swept
  std::size_t free_blocks = 0;         // blocks already swept
  std::size_t unswept_bytes = 0;  // of free_bytes, the part a lazy sweep has
                                  // yet to reach (0 with none in progress)
};

struct SweepResult {
  std::size_t live_objects = 0;
  std::size_t live_bytes = 0;
  std::size_t freed_objects = 0;
  std::size_t freed_bytes = 0;
  // Time spent in sweep steps taken on allocation, i.e. on mutator threads
  // (steady clock around each step): GC work outside any pause. Sweeping done
  // inside sweep() or finish_sweep() is the caller's to time.
  std::int64_t lazy_sweep_ns = 0;
};

class Allocator {
 public:
  virtual ~Allocator() = default;

  virtual AllocatorCapabilities capabilities() const = 0;

  // Slow path. Returns `bytes` (a multiple of kGranuleBytes, at least
  // kHeaderBytes) of memory for one object, refilling `buffer` when the object
  // is small enough to come from it. Returns nullptr when the arena cannot
  // satisfy the request; the heap then collects or reports exhaustion.
  virtual std::byte* allocate_slow(AllocationBuffer& buffer,
                                   std::size_t bytes) = 0;

  // Gives back the unused part of a mutator's buffer and empties it. Called
  // when a mutator exits and, with the world stopped, before a collection.
  virtual void retire(AllocationBuffer& buffer) = 0;

  // Frees one object (for reference counting), merging it with free
  // neighbours. Only for allocators with `frees_objects`.
  virtual void free_object(Object* object, bool poison);

  // Frees every object whose mark is not `live_mark` and ages the survivors.
  // Only for sweepable allocators; the world is stopped and buffers retired.
  // With `poison`, freed memory is overwritten with kPoisonByte.
  virtual SweepResult sweep(std::uint8_t live_mark, bool poison);

  // Lazy sweeping (Hughes 1982; Boehm's collector and Go sweep this way):
  // begins a sweep like `sweep` but frees nothing yet. From then on dead
  // objects are freed on allocation, a bounded step at a time, as requests
  // need memory; the world runs meanwhile. `live_bytes` is what the mark found
  // live, so that stats() can count the unswept rest as free. World stopped,
  // buffers retired, no sweep in progress. Only with `lazy_sweep`.
  virtual void begin_lazy_sweep(std::uint8_t live_mark, std::size_t live_bytes,
                                bool poison);
  // Sweeps whatever the lazy sweep has not reached and returns the totals of
  // the whole sweep since begin_lazy_sweep; an empty result when none is in
  // progress. World stopped, buffers retired. Only with `lazy_sweep`.
  virtual SweepResult finish_sweep();
  // One step of the lazy sweep in progress, taken by a collector's thread
  // while the mutators run (a background sweeper): sweeps on from where the
  // sweep stands by about one refill's worth of free memory. Returns false
  // once nothing is left unswept (the sweep stays open until finish_sweep
  // collects its totals). Only with `lazy_sweep`.
  virtual bool background_sweep_step();
  // Whether a lazy sweep has memory left to sweep, so that a request that
  // failed may succeed once it has swept on: allocate_slow may give up
  // after a bounded amount of sweeping, so that a mutator polls a safepoint
  // between steps. False for an allocator that does not sweep lazily.
  virtual bool sweep_pending() const { return false; }

  // The part of the arena that blocks tile, from its base (objects, free
  // blocks and fillers; for a bump allocator, up to its top). Empty for an
  // allocator whose objects do not tile one range (size classes); its
  // objects are walked with visit_objects.
  virtual std::span<std::byte> parseable() const = 0;

  // Visits every allocated object. Buffers must be retired. During a lazy
  // sweep that includes the dead objects it has not reached: they stay
  // objects until swept (a walk from the roots never meets them). This
  // default walks parseable(); the verifier uses it.
  virtual void visit_objects(const std::function<void(Object*)>& visit);

  // For_each_object is visit_objects over parseable(), in address order,
  // inline with no call per object: a compactor walks the heap three times.
  // Only for allocators that tile one range.
  template <typename Visit>
  void for_each_object(Visit&& visit) {
    std::span<std::byte> blocks = parseable();
    for_each_object_in(blocks.data(), blocks.data() + blocks.size(), visit);
  }

  // Contiguous allocators: after sliding compaction, everything below
  // `new_top` is live objects and everything above it is free. Ends any lazy
  // sweep in progress.
  virtual void reset_top(std::byte* new_top);

  // A bitmap that marking mirrors into (heap/side_mark_bitmap.h), or null
  // when the allocator sweeps by reading headers.
  virtual SideMarkBitmap* side_marks() { return nullptr; }

  virtual std::span<std::byte> arena() const = 0;
  // Commits every page the allocator may touch during a run (its arena; an
  // allocator with side tables adds those), so that a run faults nothing in
  // on first touch: gclab run --pretouch, before the clock starts.
  virtual void pretouch() const { gclab::pretouch(arena()); }
  virtual AllocatorStats stats() const = 0;
  // stats().in_use_bytes, cheaply: the trigger asks on every slow path.
  virtual std::size_t in_use_bytes() const = 0;

  // Why a request of `bytes` failed, for the heap-exhausted message.
  virtual std::string describe_failure(std::size_t bytes) const;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_ALLOCATOR_H_
