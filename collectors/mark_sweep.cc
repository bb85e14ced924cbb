#include "collectors/mark_sweep.h"

#include <string>

#include "heap/errors.h"

namespace gclab {

SweepMode parse_sweep_mode(std::string_view name) {
  if (name == "eager") return SweepMode::kEager;
  if (name == "lazy") return SweepMode::kLazy;
  throw ConfigError("bad parameter sweep='" + std::string(name) +
                    "': expected one of eager|lazy");
}

MarkSweepCollector::MarkSweepCollector(Heap& heap, SweepMode sweep)
    : heap_(heap),
      sweep_(sweep),
      marker_(heap.options().gc_threads, heap.allocator().side_marks()) {
  if (sweep_ == SweepMode::kLazy &&
      !heap_.allocator().capabilities().lazy_sweep) {
    throw ConfigError(
        "mark-sweep --sweep=lazy needs an allocator that sweeps lazily "
        "(free-list, tlsf, size-class); use --sweep=eager with this one");
  }
}

std::unique_ptr<Collector> MarkSweepCollector::create(
    Heap& heap, const ParamValues& params) {
  return std::make_unique<MarkSweepCollector>(
      heap, parse_sweep_mode(params.get_choice("sweep")));
}

void MarkSweepCollector::collect(Mutator* requester, GcCause cause) {
  Heap::WorldStop world(heap_, requester, "full");
  if (!world.stopped()) return;  // another mutator collected meanwhile

  GcEventRecorder& events = heap_.events();
  Allocator& allocator = heap_.allocator();
  CycleRecord cycle = events.begin_cycle(cause, allocator);
  if (sweep_ == SweepMode::kLazy) {
    PhaseTimer phase(events, cycle, "finish-sweep");
    heap_.finish_lazy_sweep();
  }
  std::uint8_t epoch = heap_.flip_mark_epoch();
  MarkResult marked;
  {
    PhaseTimer phase(events, cycle, "mark");
    marked = marker_.mark_from_roots(heap_, epoch);
    cycle.marked_objects = marked.objects;
    cycle.marked_bytes = marked.bytes;
  }
  bool poison = heap_.options().verify;
  if (sweep_ == SweepMode::kLazy) {
    // The freed counts arrive when the sweep is finished (step 2 of the
    // next collection, or the end of the run).
    PhaseTimer phase(events, cycle, "begin-sweep");
    allocator.begin_lazy_sweep(epoch, marked.bytes, poison);
  } else {
    PhaseTimer phase(events, cycle, "sweep");
    SweepResult swept = allocator.sweep(epoch, poison);
    cycle.freed_objects = swept.freed_objects;
    cycle.freed_bytes = swept.freed_bytes;
  }
  cycle.after = allocator.stats();
  cycle.duration_ns = events.now_ns() - cycle.start_ns;
  heap_.finish_cycle(std::move(cycle), epoch);
}

}  // namespace gclab
