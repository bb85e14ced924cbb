#include "collectors/mark_sweep.h"

namespace gclab {

MarkSweepCollector::MarkSweepCollector(Heap& heap)
    : heap_(heap), marker_(heap.options().gc_threads) {}

void MarkSweepCollector::collect(Mutator* requester, GcCause cause) {
  Heap::WorldStop world(heap_, requester, "full");
  if (!world.stopped()) return;  // another mutator collected meanwhile

  GcEventRecorder& events = heap_.events();
  Allocator& allocator = heap_.allocator();
  CycleRecord cycle{.index = events.next_cycle_index(),
                    .cause = cause,
                    .start_ns = events.now_ns()};
  cycle.before = allocator.stats();
  std::uint8_t epoch = heap_.flip_mark_epoch();
  {
    PhaseTimer phase(events, cycle, "mark");
    roots_.clear();
    heap_.for_each_root([this](Object** slot) { roots_.push_back(*slot); });
    MarkResult marked = marker_.mark(roots_, epoch);
    cycle.marked_objects = marked.objects;
    cycle.marked_bytes = marked.bytes;
  }
  {
    PhaseTimer phase(events, cycle, "sweep");
    SweepResult swept = allocator.sweep(epoch, heap_.options().verify);
    cycle.freed_objects = swept.freed_objects;
    cycle.freed_bytes = swept.freed_bytes;
  }
  cycle.after = allocator.stats();
  cycle.duration_ns = events.now_ns() - cycle.start_ns;
  heap_.finish_cycle(std::move(cycle), epoch);
}

}  // namespace gclab
