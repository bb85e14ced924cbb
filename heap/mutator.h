// Mutator: the one API a workload uses. One per mutator thread.
//
// A mutator owns its root stack, its allocation buffer (a TLAB, or a chunk
// carved from a free list), and its counters. Workloads allocate, read and
// write reference slots, and poll safepoints only through it, so that every
// reference store passes the write barrier and every allocation can be
// counted, stressed and made to wait for a collection.
//
// Roots are precise: an Object* a workload keeps across an allocation must be
// held in a Root (an RAII handle on the mutator's root stack, like V8's
// handles or SpiderMonkey's Rooted). A moving collector updates Roots in
// place, so after any allocation read objects again through their Roots.
//
// Construction registers the mutator with the heap's safepoint coordinator;
// destruction retires its allocation buffer and deregisters it, so a mutator
// that finishes (or unwinds on an exception) never stalls a collection.
//
// Design note: docs/design.md#the-mutator-and-roots.
#ifndef GCLAB_HEAP_MUTATOR_H_
#define GCLAB_HEAP_MUTATOR_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "heap/allocator.h"
#include "heap/barrier.h"
#include "heap/object.h"
#include "heap/ref_count_word.h"
#include "heap/ref_counting.h"
#include "heap/safepoint.h"
#include "heap/side_mark_bitmap.h"
#include "heap/size_classes.h"
#include "heap/trace_recorder.h"

namespace gclab {

class Heap;
class Root;

struct MutatorCounters {
  std::uint64_t objects_allocated = 0;
  std::uint64_t bytes_allocated = 0;
  // Under a size-class allocator: the bytes by which objects were rounded
  // up to their cell (or to whole pages, when large).
  std::uint64_t rounding_waste_bytes = 0;
  std::uint64_t reference_writes = 0;        // write barrier fast path entries
  std::uint64_t barrier_slow_paths = 0;      // of which took the slow path
  std::uint64_t barrier_shaded = 0;          // objects the slow paths shaded
  std::uint64_t barrier_buffer_flushes = 0;  // buffers handed to the sink
  std::uint64_t reference_reads = 0;
  // Under ref-count: counts raised and dropped (by stores and roots), and
  // counts that reached the sticky limit.
  std::uint64_t rc_increments = 0;
  std::uint64_t rc_decrements = 0;
  std::uint64_t rc_stuck = 0;

  void add(const MutatorCounters& other) {
    objects_allocated += other.objects_allocated;
    bytes_allocated += other.bytes_allocated;
    rounding_waste_bytes += other.rounding_waste_bytes;
    reference_writes += other.reference_writes;
    barrier_slow_paths += other.barrier_slow_paths;
    barrier_shaded += other.barrier_shaded;
    barrier_buffer_flushes += other.barrier_buffer_flushes;
    reference_reads += other.reference_reads;
    rc_increments += other.rc_increments;
    rc_decrements += other.rc_decrements;
    rc_stuck += other.rc_stuck;
  }
};

class Mutator {
 public:
  // Objects of at least this many bytes zero their payload in steps of
  // kZeroingStep with a safepoint poll between (the object held in a Root),
  // so that zeroing megabytes never holds up a stop or a handshake.
  static constexpr std::size_t kStepwiseZeroingBytes = std::size_t{256} << 10;
  static constexpr std::size_t kZeroingStep = std::size_t{64} << 10;

  // `index` numbers a run's mutators from 0 (run_mutator_threads gives each
  // its own; a lone mutator is 0): the pauses that stop this mutator alone
  // record it.
  explicit Mutator(Heap& heap, int index = 0);
  ~Mutator();
  Mutator(const Mutator&) = delete;
  Mutator& operator=(const Mutator&) = delete;

  // Hot path: a bump in the mutator's buffer, no lock, no virtual call. The
  // countdown runs to whichever is due first of --stress (a collection
  // every N allocations) and an interval census (--census, heap/census.h),
  // so that both cost the fast path one branch; with neither it starts at
  // 2^64-1 and never reaches zero. Nothing is counted here: every
  // allocation decrements the countdown exactly once, and the cursor's
  // progress through each buffer is the bytes allocated, so both counts
  // are derived off the fast path (see counters()).
  [[gnu::always_inline]] Object* allocate(ObjectShape shape) {
    std::size_t bytes = shape.size_bytes();
    if (path_ != AllocationPath::kBump) return allocate_other(shape, bytes);
    return allocate_bump(shape, bytes);
  }

  [[gnu::always_inline]] Object* allocate_bump(ObjectShape shape,
                                               std::size_t bytes) {
    std::byte* at = buffer_.cursor;
    if (bytes <= static_cast<std::size_t>(buffer_.limit - at) &&
        --countdown_ != 0) [[likely]] {
      buffer_.cursor = at + bytes;
    } else {
      return allocate_slow(shape);
    }
    return Object::format(at, bytes, shape,
                          allocation_mark_->load(std::memory_order_relaxed));
  }

  // The size-class fast path: a bump by one cell through the run of free
  // cells this mutator holds for the object's class. Cells are bigger than
  // most objects, so bytes are counted here rather than derived from
  // cursors. An object allocated black also gets its side mark bit, so that
  // a bitmap sweep keeps it (Go's gcmarknewobject).
  [[gnu::always_inline]] Object* allocate_in_class(ObjectShape shape,
                                                   std::size_t bytes) {
    if (bytes <= kMaxSmallObjectBytes) [[likely]] {
      std::size_t size_class = size_class_of(bytes);
      std::size_t cell = size_class_cell_bytes(size_class);
      AllocationBuffer& run = class_runs_[size_class];
      std::byte* at = run.cursor;
      if (cell <= static_cast<std::size_t>(run.limit - at) && --countdown_ != 0)
          [[likely]] {
        run.cursor = at + cell;
        class_bytes_ += bytes;
        rounding_waste_ += cell - bytes;
        std::uint8_t mark = allocation_mark_->load(std::memory_order_relaxed);
        if (mark != kUnmarked) [[unlikely]]
          side_marks_->set(at);
        return Object::format(at, bytes, shape, mark);
      }
    }
    return allocate_slow(shape);
  }

  // Under ref-count every new object is born in the mutator's zero count
  // table (heap/ref_counting.h), which is processed here, at an allocation,
  // where the mutator holds no raw pointer that the rooting contract lets it
  // keep.
  [[gnu::always_inline]] Object* allocate_other(ObjectShape shape,
                                                std::size_t bytes) {
    if (path_ == AllocationPath::kSizeClass) [[likely]]
      return allocate_in_class(shape, bytes);
    if (zero_counts_.size() + decrement_log_.size() >= counting_.log_limit)
        [[unlikely]] {
      counting_.hooks->process(*this);
    }
    Object* object = size_classed_ ? allocate_in_class(shape, bytes)
                                   : allocate_bump(shape, bytes);
    std::atomic<std::uint32_t>& word = object->gc_word();
    // A large object, zeroed with a Root held across polls, has been
    // counted already, and may be in the table already.
    std::uint32_t value = word.load(std::memory_order_relaxed);
    if ((value & ref_count::kZeroCount) == 0) {
      word.store(value | ref_count::kZeroCount, std::memory_order_relaxed);
      zero_counts_.push_back(object);
    }
    return object;
  }

  // Reads go through here so that a read barrier can be added without
  // touching workloads.
  Object* read(Object* object, std::size_t slot) {
    ++counters_.reference_reads;
    Object* value = object->load_slot(slot);
    if (recorder_ != nullptr) [[unlikely]]
      recorder_->read(object, slot, value);
    return value;
  }

  // Hot path: with no barrier active this is a load and a branch; the slow
  // path shades what the barrier kind says (heap/barrier.h), then stores.
  // Under ref-count the barrier is on for the whole run and counts inline
  // (store_counted), so the other collectors' fast path is unchanged. So is
  // a trace recording's: it points barrier_active_ at a flag that is always
  // on, and the recorded store looks at the heap's own.
  void write(Object* object, std::size_t slot, Object* value) {
    ++counters_.reference_writes;
    if (barrier_active_->load(std::memory_order_relaxed)) [[unlikely]] {
      if (recorder_ != nullptr) [[unlikely]] {
        write_recorded(object, slot, value);
        return;
      }
      if (counts_references()) {
        store_counted(object->slot(slot), value);
        return;
      }
      write_slow(object, slot, value);
      return;
    }
    object->store_slot(slot, value);
  }

  // Stores into a global root (GlobalRoot::set) pass the barrier too.
  void write_global(Object** slot, Object* value) {
    if (barrier_active_->load(std::memory_order_relaxed)) [[unlikely]] {
      if (recorder_ != nullptr) [[unlikely]] {
        write_global_recorded(slot, value);
        return;
      }
      if (counts_references()) {
        store_counted(std::atomic_ref<Object*>(*slot), value);
        return;
      }
      write_global_slow(slot, value);
      return;
    }
    std::atomic_ref<Object*>(*slot).store(value, std::memory_order_release);
  }

  // Reference counting (heap/ref_counting.h): whether this run counts, and
  // the inline count updates that stores and Roots make.
  bool counts_references() const { return counting_.hooks != nullptr; }
  // Whether Roots call the hooks below: under ref-count, or recording.
  bool observes_roots() const { return observes_roots_; }
  [[gnu::always_inline]] void root_pushed(const Root* root, Object* object) {
    if (counts_references()) count_increment(object);
    if (recorder_ != nullptr && !internal_root_)
      recorder_->root_pushed(root, object);
  }
  [[gnu::always_inline]] void root_popped(const Root* root, Object* object) {
    if (counts_references()) count_decrement(object);
    if (recorder_ != nullptr && !internal_root_) recorder_->root_popped(root);
  }
  [[gnu::always_inline]] void root_replaced(const Root* root, Object* old,
                                            Object* object) {
    if (counts_references()) {
      count_increment(object);
      count_decrement(old);
    }
    if (recorder_ != nullptr) recorder_->root_set(root, object);
  }
  [[gnu::always_inline]] void count_increment(Object* object);
  [[gnu::always_inline]] void count_decrement(Object* object);
  // The stores into one slot, for the collector to process: objects whose
  // count fell to zero (and new objects), and with several mutators the
  // decrements not yet applied.
  std::vector<Object*>& zero_counts() { return zero_counts_; }
  std::vector<Object*>& decrement_log() { return decrement_log_; }

  // An explicit safepoint poll, for loops that do not allocate. It also
  // answers handshakes (SafepointCoordinator::handshake).
  void safepoint() {
    if (poll_requested_->load(std::memory_order_acquire) ||
        aborted_->load(std::memory_order_relaxed)) [[unlikely]] {
      enter_safepoint();
    }
  }

  Heap& heap() { return heap_; }
  int index() const { return index_; }
  MutatorCounters counters() const;

  // For collectors, with this mutator stopped (or from its own thread):
  // visits the slot of every live Root, innermost first.
  template <typename Visit>
  void for_each_root(Visit&& visit);
  AllocationBuffer& buffer() { return buffer_; }
  // Gives the buffer's unused part back to `allocator`, keeping the byte
  // count right. Everything but the allocator's own slow path retires a
  // mutator's buffer through here.
  void retire_buffer(Allocator& allocator);
  // The heap's allocation slow path gets memory for one object through here:
  // from the buffer if it still has room (after a collection that stopped
  // nothing), else from the allocator, which may retire and refill the
  // buffer. Returns null when the allocator cannot satisfy the request.
  std::byte* bump_or_refill(Allocator& allocator, std::size_t bytes);
  MutatorState state() const { return state_; }

  // For concurrent collectors, from this mutator's thread or with it
  // stopped, parked or in a handshake.
  BarrierBuffer& barrier_buffer() { return barrier_buffer_; }
  // Hands a non-empty barrier buffer to the heap's sink.
  void flush_barrier_buffer();
  // The hybrid barrier also shades new values while this is set.
  void set_roots_unscanned(bool unscanned) { roots_unscanned_ = unscanned; }

  // For the heap census, with this mutator stopped: the next interval
  // census is a whole interval of this mutator's allocations away.
  void restart_census_count();

 private:
  friend class Root;
  friend class SafepointCoordinator;
  friend class ParkedScope;

  // Finds memory (through the heap) and formats the object.
  Object* allocate_slow(ObjectShape shape);
  // The buffer an object of `bytes` comes from: the one buffer, or its
  // class's run (class 0, always empty, for large objects).
  AllocationBuffer& buffer_for(std::size_t bytes) {
    if (!size_classed_) return buffer_;
    return class_runs_[bytes <= kMaxSmallObjectBytes ? size_class_of(bytes)
                                                     : kLargeSizeClass];
  }
  Object* zero_payload_stepwise(Object* object);
  void write_slow(Object* object, std::size_t slot, Object* value);
  void write_recorded(Object* object, std::size_t slot, Object* value);
  void write_global_recorded(Object** slot, Object* value);
  // The counting store: increments the new value before it decrements the
  // old one, which may be the same object. With several mutators the old
  // value is exchanged out, so that two racing stores into one slot each
  // decrement what they overwrote, never the same object twice.
  [[gnu::always_inline]] void store_counted(std::atomic_ref<Object*> slot,
                                            Object* value) {
    count_increment(value);
    Object* old;
    if (counting_.deferred) {
      old = slot.exchange(value, std::memory_order_acq_rel);
    } else {
      old = slot.load(std::memory_order_relaxed);
      slot.store(value, std::memory_order_release);
    }
    count_decrement(old);
  }
  void write_global_slow(Object** slot, Object* value);
  void shade(Object* object);
  void enter_safepoint();

  // Reloads the countdown with the allocations left until the next stress
  // collection or census, whichever is sooner.
  void reload_countdown();

  Heap& heap_;
  AllocationBuffer buffer_;
  // Allocations left, as of the last reload, until each is due, and each
  // one's period; 2^64-1 when it is off, which no run reaches.
  const std::uint64_t stress_period_;
  const std::uint64_t census_period_;
  std::uint64_t stress_left_;
  std::uint64_t census_left_;
  std::uint64_t countdown_;
  // Allocation counting (see allocate): objects from countdown reloads plus
  // the current countdown's progress; bytes counted up to buffer_counted_,
  // plus the cursor's progress beyond it.
  std::uint64_t countdown_reload_;
  std::uint64_t objects_before_reload_ = 0;
  std::uint64_t bytes_before_cursor_ = 0;
  std::byte* buffer_counted_ = nullptr;
  // Under a size-class allocator (AllocatorCapabilities::size_classes), the
  // runs replace buffer_, and bytes are counted directly.
  const bool size_classed_;
  // Which allocate() path: a bump in one buffer, a size class's run, or
  // either through the zero count table (ref-count).
  enum class AllocationPath : std::uint8_t { kBump, kSizeClass, kCounted };
  const AllocationPath path_;
  const RefCounting counting_;
  std::vector<Object*> zero_counts_;
  std::vector<Object*> decrement_log_;
  std::array<AllocationBuffer, kSizeClassCount> class_runs_{};
  std::uint64_t class_bytes_ = 0;
  std::uint64_t rounding_waste_ = 0;
  SideMarkBitmap* const side_marks_;
  // The heap's barrier flag, or (recording) one that is always on.
  const std::atomic<bool>* barrier_active_;
  const std::atomic<bool>* heap_barrier_active_;
  TraceRecorder* const recorder_;  // null unless --record-trace
  const bool observes_roots_;
  // Set while the mutator holds a Root of its own, which no trace records.
  bool internal_root_ = false;
  const std::atomic<bool>* poll_requested_;
  const std::atomic<bool>* aborted_;
  const std::atomic<std::uint8_t>* allocation_mark_;
  const std::atomic<std::uint8_t>* mark_epoch_;
  Root* innermost_root_ = nullptr;  // the root stack, linked through Roots
  MutatorCounters counters_;
  const BarrierKind barrier_kind_;
  const int index_;
  bool roots_unscanned_ = false;
  BarrierBuffer barrier_buffer_;
  // Guarded by the coordinator.
  MutatorState state_ = MutatorState::kRunning;
  bool handshake_pending_ = false;
};

// A precise root on the mutator's root stack. Roots nest strictly (LIFO), as
// C++ scopes do, so the stack is a list linked through the Roots themselves
// (as SpiderMonkey's Rooted): pushing is two stores, with no capacity check
// on the hot path of every workload. They cannot be copied or moved because
// the list holds their address.
class Root {
 public:
  // Under ref-count a Root holds a counted reference (see count_increment).
  explicit Root(Mutator& mutator, Object* object = nullptr)
      : mutator_(mutator), object_(object), outer_(mutator.innermost_root_) {
    mutator_.innermost_root_ = this;
    if (mutator_.observes_roots()) [[unlikely]]
      mutator_.root_pushed(this, object);
  }
  ~Root() {
    mutator_.innermost_root_ = outer_;
    if (mutator_.observes_roots()) [[unlikely]]
      mutator_.root_popped(this, object_);
  }
  Root(const Root&) = delete;
  Root& operator=(const Root&) = delete;

  Object* get() const { return object_; }
  void set(Object* object) {
    if (mutator_.observes_roots()) [[unlikely]]
      mutator_.root_replaced(this, object_, object);
    object_ = object;
  }
  Root& operator=(Object* object) {
    set(object);
    return *this;
  }

 private:
  friend class Mutator;

  Mutator& mutator_;
  Object* object_;
  Root* outer_;
};

// With one mutator counts are plain loads and stores, and a count that falls
// to zero puts its object in the zero count table, to be freed at the next
// allocation if nothing has raised it again: a workload may hold the object
// in a raw pointer until then (it read it from the slot it overwrites, say).
// A count that falls to a non-zero value makes its object a possible cycle
// root (purple), buffered once. With several mutators increments are atomic
// and decrements are logged, applied with the world stopped (see
// heap/ref_counting.h).
inline void Mutator::count_increment(Object* object) {
  if (object == nullptr) return;
  ++counters_.rc_increments;
  std::atomic<std::uint32_t>& word = object->gc_word();
  std::uint32_t old = word.load(std::memory_order_relaxed);
  if (old >= counting_.stuck_word) return;
  if (counting_.deferred) {
    old = word.fetch_add(ref_count::kOne, std::memory_order_relaxed);
  } else {
    word.store(old + ref_count::kOne, std::memory_order_relaxed);
  }
  if (old + ref_count::kOne >= counting_.stuck_word) [[unlikely]]
    ++counters_.rc_stuck;
}

inline void Mutator::count_decrement(Object* object) {
  if (object == nullptr) return;
  ++counters_.rc_decrements;
  if (counting_.deferred) {
    decrement_log_.push_back(object);
    return;
  }
  std::atomic<std::uint32_t>& word = object->gc_word();
  std::uint32_t value = word.load(std::memory_order_relaxed);
  if (value >= counting_.stuck_word) return;
  value -= ref_count::kOne;
  if (value < ref_count::kOne) {
    if ((value & ref_count::kZeroCount) == 0) {
      value |= ref_count::kZeroCount;
      zero_counts_.push_back(object);
    }
  } else if (counting_.candidates != nullptr &&
             ref_count::colour(value) != ref_count::Colour::kPurple) {
    value = ref_count::with_colour(value, ref_count::Colour::kPurple);
    if ((value & ref_count::kCandidate) == 0) {
      value |= ref_count::kCandidate;
      counting_.candidates->push_back(object);
    }
  }
  word.store(value, std::memory_order_relaxed);
}

template <typename Visit>
void Mutator::for_each_root(Visit&& visit) {
  for (Root* root = innermost_root_; root != nullptr; root = root->outer_) {
    visit(&root->object_);
  }
}

// Marks a mutator as parked for a scope in which it blocks without touching
// the heap (waiting on another thread, say), so it cannot stall a collection.
class ParkedScope {
 public:
  explicit ParkedScope(Mutator& mutator);
  ~ParkedScope();
  ParkedScope(const ParkedScope&) = delete;
  ParkedScope& operator=(const ParkedScope&) = delete;

 private:
  Mutator& mutator_;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_MUTATOR_H_
