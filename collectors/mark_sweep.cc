#include "collectors/mark_sweep.h"

#include <string>

#include "heap/collection_cycle.h"
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
      marker_(heap.options().gc_threads, heap.allocator().side_marks()) {}

std::unique_ptr<Collector> MarkSweepCollector::create(
    Heap& heap, const ParamValues& params) {
  return std::make_unique<MarkSweepCollector>(
      heap, parse_sweep_mode(params.get_choice("sweep")));
}

CollectorCapabilities MarkSweepCollector::capabilities_of(
    const ParamValues& params) {
  return capabilities_for(parse_sweep_mode(params.get_choice("sweep")));
}

CollectorCapabilities MarkSweepCollector::capabilities_for(SweepMode sweep) {
  CollectorCapabilities capabilities = kCapabilities;
  capabilities.needs_lazy_sweep = sweep == SweepMode::kLazy;
  return capabilities;
}

void MarkSweepCollector::collect(Mutator* requester, GcCause cause) {
  Heap::WorldStop world(heap_, requester, PauseKind::kFull);
  if (!world.stopped()) return;         // another mutator collected meanwhile
  CollectionCycle cycle(heap_, cause);  // closes before the world resumes

  Allocator& allocator = heap_.allocator();
  if (sweep_ == SweepMode::kLazy) {
    PhaseTimer phase = cycle.phase("finish-sweep");
    heap_.finish_lazy_sweep();
  }
  std::uint8_t epoch = cycle.flip_mark_epoch();
  MarkResult marked;
  {
    PhaseTimer phase = cycle.phase("mark");
    marked = marker_.mark_from_roots(heap_, epoch, phase);
    cycle.count_marked(marked.objects, marked.bytes);
  }
  bool poison = heap_.options().verify;
  if (sweep_ == SweepMode::kLazy) {
    // The freed counts arrive when the sweep is finished (step 2 of the
    // next collection, or the end of the run).
    PhaseTimer phase = cycle.phase("begin-sweep");
    allocator.begin_lazy_sweep(epoch, marked.bytes, poison);
  } else {
    PhaseTimer phase = cycle.phase("sweep");
    cycle.count_swept(allocator.sweep(epoch, poison));
  }
}

}  // namespace gclab
