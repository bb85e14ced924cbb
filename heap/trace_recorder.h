// TraceRecorder: writes what one mutator does to the heap as an allocation
// trace (gclab run --record-trace; the format is docs/trace-format.md), for
// the `replay` workload to do again under any collector.
//
// A trace names objects by allocation index (1, 2, ...; 0 is null), never by
// address, so that it replays over any allocator. The recorder keeps the
// index of the object at each granule of the allocator's arena, in an
// index table as large as the arena's granule count, whose pages the kernel
// commits only where objects were allocated. An address reused for a new
// object takes the new index, which is why a recording needs a collector
// that never moves an object (mark-compact would make addresses lie);
// `replay` runs under every collector.
//
// The mutator calls it (Mutator with a recorder takes its slow paths for
// allocations, stores and Root changes) from its own thread; only one
// mutator may record. Reads are recorded too, with the value read: replay
// re-derives each pointer the way the workload did, so it never needs to
// know where a moving collector put an object.
//
// Design note: docs/design.md#recording-and-replaying-traces.
#ifndef GCLAB_HEAP_TRACE_RECORDER_H_
#define GCLAB_HEAP_TRACE_RECORDER_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "heap/arena.h"
#include "heap/object.h"

namespace gclab {

class Heap;
class Root;

class TraceRecorder {
 public:
  // Writes to `out`, which the caller owns and closes; the recorder only
  // appends to it.
  TraceRecorder(Heap& heap, std::FILE* out);
  TraceRecorder(const TraceRecorder&) = delete;
  TraceRecorder& operator=(const TraceRecorder&) = delete;

  void allocated(Object* object, ObjectShape shape);
  void wrote(Object* object, std::size_t slot, Object* value);
  void read(Object* object, std::size_t slot, Object* value);
  void root_pushed(const Root* root, Object* value);
  void root_set(const Root* root, Object* value);
  void root_popped(const Root* root);
  void global_set(Object* const* slot, Object* value);
  void global_dropped(Object* const* slot);

  // Writes the trailer and flushes. Returns false when any write failed.
  // Whatever happens afterwards (shared state dropped after the run) is
  // not recorded.
  bool finish();

  std::uint64_t objects() const { return objects_; }

 private:
  std::uint64_t id_of(Object* object) const;
  void begin(char record);
  void put(std::uint64_t number);
  void end_line();
  void flush();

  Heap& heap_;
  std::FILE* const out_;
  const std::byte* const arena_base_;
  // The index of the object at each granule, 0 where none was allocated.
  const Arena ids_;
  std::uint64_t objects_ = 0;
  std::vector<bool> site_declared_;
  // The recorded Roots, outermost first, to number a Root that is set.
  std::vector<const Root*> roots_;
  // Global roots by slot; their index is their position plus one.
  std::vector<Object* const*> globals_;
  std::string buffer_;
  bool failed_ = false;
  bool finished_ = false;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_TRACE_RECORDER_H_
