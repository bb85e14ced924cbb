#include "collectors/registry.h"

#include <string>
#include <type_traits>

#include "collectors/concurrent_mark_sweep.h"
#include "collectors/mark_compact.h"
#include "collectors/mark_sweep.h"
#include "collectors/none_collector.h"
#include "collectors/ref_count.h"
#include "heap/component_table.h"
#include "heap/errors.h"

namespace gclab {
namespace {

// For a collector whose capabilities no parameter changes.
template <typename T>
CollectorCapabilities fixed(const ParamValues&) {
  return T::kCapabilities;
}

template <typename T>
std::unique_ptr<Collector> make(Heap& heap, const ParamValues&) {
  if constexpr (std::is_constructible_v<T, Heap&>) {
    return std::make_unique<T>(heap);
  } else {
    return std::make_unique<T>();
  }
}

const CollectorEntry kCollectors[] = {
    {"none",
     "never collects: the baseline for lower-bound overhead",
     {},
     fixed<NoneCollector>,
     make<NoneCollector>},
    {"mark-sweep",
     "stop-the-world mark-sweep; parallel marking (--gc-threads), the "
     "allocator sweeps (eagerly in the pause, or lazily on allocation)",
     MarkSweepCollector::kParams, MarkSweepCollector::capabilities_of,
     MarkSweepCollector::create},
    {"mark-compact",
     "stop-the-world sliding compaction (Lisp-2): parallel marking "
     "(--gc-threads), then forward, update and slide in address order; the "
     "allocator restarts at the new top",
     {},
     fixed<MarkCompactCollector>,
     make<MarkCompactCollector>},
    {"concurrent-mark-sweep",
     "tri-colour marking and sweeping concurrent with the mutators; write "
     "barrier by --barrier, GC threads by --gc-threads, paced by --trigger "
     "(gogc:100 by default)",
     ConcurrentMarkSweepCollector::kParams, fixed<ConcurrentMarkSweepCollector>,
     ConcurrentMarkSweepCollector::create, "gogc:100", "hybrid"},
    {"ref-count",
     "reference counting in the write barrier and roots, dead objects freed "
     "at the next allocation; garbage cycles by trial deletion, a backup "
     "trace or not at all (--cycles); decrements deferred to stops with "
     "several mutators",
     RefCountCollector::kParams, RefCountCollector::capabilities_of,
     RefCountCollector::create},
};

}  // namespace

std::span<const CollectorEntry> collector_registry() { return kCollectors; }

const CollectorEntry& find_collector(std::string_view name) {
  return find_component<CollectorEntry>(kCollectors, name, "collector");
}

}  // namespace gclab
