// The one table of collectors: adding a collector is one file pair and one
// line in registry.cc.
#ifndef GCLAB_COLLECTORS_REGISTRY_H_
#define GCLAB_COLLECTORS_REGISTRY_H_

#include <memory>
#include <span>
#include <string_view>

#include "heap/collector.h"
#include "heap/heap.h"
#include "heap/params.h"

namespace gclab {

struct CollectorEntry {
  std::string_view name;
  std::string_view description;
  std::span<const ParamSpec> params;
  // What the collector is and needs with these (effective) parameters: a
  // parameter may choose a mechanism with needs of its own (mark-sweep's
  // lazy sweep).
  CollectorCapabilities (*capabilities_of)(const ParamValues& params);
  std::unique_ptr<Collector> (*make)(Heap& heap, const ParamValues& params);
  // What --trigger and --barrier are when not given.
  std::string_view default_trigger = "on-failure";
  std::string_view default_barrier = "none";

  // With every parameter at its default.
  CollectorCapabilities default_capabilities() const {
    return capabilities_of(ParamValues(params, {}));
  }
};

std::span<const CollectorEntry> collector_registry();
// Throws ConfigError naming the known collectors.
const CollectorEntry& find_collector(std::string_view name);

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_REGISTRY_H_
