// Write barriers: a component of their own (`--barrier`), like the trigger,
// so that a barrier's cost can be measured without the collector that needs
// it (`--collector none --barrier yuasa`).
//
// What the slow path shades, by kind (Pirinen 1998 names them):
//   dijkstra  the new value: an insertion barrier (Dijkstra et al. 1978).
//             Mutator roots are not barriered, so a collector using it must
//             rescan them with the world stopped before marking ends;
//   yuasa     the value overwritten: a deletion barrier that preserves the
//             snapshot at the beginning (Yuasa 1990). The snapshot includes
//             the roots, so they must be scanned all at once;
//   hybrid    the value overwritten, and the new value too while the
//             mutator's own roots are unscanned (Go's barrier, Clements and
//             Hudson 2016): roots may be scanned one mutator at a time and
//             never rescanned.
// Stores into global roots shade both values whatever the kind, so global
// roots behave as heap slots and are scanned once per cycle.
//
// To shade is to make grey: an object not marked in the current cycle is
// pushed on the mutator's BarrierBuffer (not marked: marking is the
// marker's, on pop). A full buffer goes to the heap's BarrierSink, the
// marker's queue while a concurrent collector marks; with no marking the
// sink discards it, so a barrier run under `none` pays the whole cost.
//
// The fast path, when no barrier is active, is one load and a branch
// (Mutator::write). Whether one is active is the heap's business: a
// concurrent collector turns it on for marking only; every other collector
// leaves a chosen barrier on for the whole run.
//
// Design note: docs/design.md#barriers.
#ifndef GCLAB_HEAP_BARRIER_H_
#define GCLAB_HEAP_BARRIER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "heap/object.h"

namespace gclab {

enum class BarrierKind : std::uint8_t { kNone, kDijkstra, kYuasa, kHybrid };

std::string_view to_string(BarrierKind kind);
// Every kind, none first.
std::span<const BarrierKind> barrier_kinds();
// Parses "none", "dijkstra", "yuasa" or "hybrid"; throws ConfigError.
BarrierKind parse_barrier(std::string_view name);

// Where full barrier buffers go.
class BarrierSink {
 public:
  virtual ~BarrierSink() = default;
  // Takes a copy of `shaded`; called from any mutator thread.
  virtual void accept(std::span<Object* const> shaded) = 0;
};

// A mutator's grey objects, until the buffer is full or the collector asks
// (Go's per-P write barrier buffer; Detlefs et al. 2004's SATB queues).
class BarrierBuffer {
 public:
  static constexpr std::size_t kCapacity = 256;

  // Returns true when the buffer has just become full.
  bool push(Object* object) {
    entries_[size_++] = object;
    return size_ == kCapacity;
  }
  bool empty() const { return size_ == 0; }
  std::span<Object* const> contents() const { return {entries_.data(), size_}; }
  void clear() { size_ = 0; }

 private:
  std::array<Object*, kCapacity> entries_;
  std::size_t size_ = 0;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_BARRIER_H_
