// What the mutator needs of a reference-counting collector: the fixed
// settings its inline counting reads (RefCounting), and the rare calls it
// makes into the collector (RefCountHooks). The counting itself is inline in
// Mutator (count_increment, count_decrement, the counting store); the word
// it updates is heap/ref_count_word.h.
//
// What is counted: references from heap slots and from roots (Root, and
// GlobalRoot), so that a count is exact whenever the decrements are
// applied. What is not: raw Object* a workload holds between allocations.
// The rooting contract (heap/mutator.h) lets it hold one until its next
// allocation or safepoint poll, so an object whose count falls to zero
// cannot be freed at once: it may have just been read from the slot being
// overwritten, to be stored elsewhere. It goes into its mutator's zero count
// table (Deutsch & Bobrow 1976), as every new object does on allocation, and
// is freed when the table is processed at an allocation, or in a collection,
// if its count is still zero: those are points where no raw pointer to it
// can remain.
//
// With several mutators, a count that one mutator reads as zero may be about
// to be raised by another that has just loaded the object from a shared
// slot, so no mutator frees anything by itself. Increments are atomic and
// immediate; decrements are logged per mutator and applied, with the zero
// count tables processed, only while the world is stopped, where every
// mutator is at a safepoint and holds no raw pointer (deferred decrements,
// as in Levanoni & Petrank 2001's per-thread buffers; coalescing, their other
// half, is not done). Counts can only be too high between stops, never too
// low, so nothing reachable is freed.
//
// Design note: docs/design.md#reference-counting.
#ifndef GCLAB_HEAP_REF_COUNTING_H_
#define GCLAB_HEAP_REF_COUNTING_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gclab {

class Mutator;
class Object;

class RefCountHooks {
 public:
  virtual ~RefCountHooks() = default;
  // The mutator's zero count table and decrement log together reached
  // RefCounting::log_limit entries. Called from its allocation, before the
  // new object exists.
  virtual void process(Mutator& mutator) = 0;
  // A mutator attaches or, its workload over, detaches: whatever its table
  // and log hold must not be lost with it.
  virtual void attach(Mutator& mutator) = 0;
  virtual void detach(Mutator& mutator) = 0;
  // A reference held outside any mutator (a GlobalRoot's, on destruction)
  // is gone: the decrement is applied at the next processing. Any thread.
  virtual void drop_reference(Object* object) = 0;
};

struct RefCounting {
  RefCountHooks* hooks = nullptr;  // null: the run does not count references
  // Several mutators: atomic increments, logged decrements.
  bool deferred = false;
  // Words at or above this are stuck (ref_count::stuck_word).
  std::uint32_t stuck_word = UINT32_MAX;
  std::size_t log_limit = 1024;
  // Where a mutator that applies its own decrements buffers possible cycle
  // roots; null when cycles are not collected by trial deletion, or when
  // decrements are deferred (the collector buffers them as it applies them).
  std::vector<Object*>* candidates = nullptr;
};

// What the run's counting did, beyond the mutators' increments and
// decrements (MutatorCounters).
struct RefCountStats {
  bool deferred = false;
  std::uint64_t freed_by_counting_objects = 0;
  std::uint64_t freed_by_counting_bytes = 0;
  std::uint64_t freed_by_cycles_objects = 0;
  std::uint64_t freed_by_cycles_bytes = 0;
  std::uint64_t table_processings = 0;  // zero count tables processed
  std::uint64_t table_entries = 0;      // entries they held
  std::uint64_t logged_decrements = 0;  // applied from the logs (deferred)
  std::uint64_t cycle_collections = 0;
  // The candidate buffer's size at each cycle collection, in order.
  std::vector<std::uint64_t> candidate_buffer_sizes;
  // Processing outside collections, on the mutators' threads (one mutator)
  // or in `count` stops (several): the counting's share of GC work.
  std::int64_t processing_ns = 0;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_REF_COUNTING_H_
