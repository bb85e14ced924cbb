#include "harness/selection.h"

#include "heap/errors.h"

namespace gclab {

std::string effective_trigger(const RunConfig& config,
                              const CollectorEntry& collector) {
  return config.trigger.empty() ? std::string(collector.default_trigger)
                                : config.trigger;
}

BarrierKind effective_barrier(const RunConfig& config,
                              const CollectorEntry& collector) {
  return parse_barrier(config.barrier.empty() ? collector.default_barrier
                                              : config.barrier);
}

std::string barrier_misfit(const CollectorEntry& collector,
                           BarrierKind barrier) {
  if (collector.capabilities.concurrent && barrier == BarrierKind::kNone) {
    return "needs a write barrier (dijkstra, yuasa or hybrid), not none";
  }
  return "";
}

std::string pair_misfit(const CollectorEntry& collector,
                        const AllocatorEntry& allocator) {
  return missing_capability(collector.capabilities, allocator.capabilities);
}

ChosenParams chosen_params(const CollectorEntry& collector,
                           const AllocatorEntry& allocator,
                           const WorkloadEntry& workload) {
  return {{{collector.name, collector.params},
           {allocator.name, allocator.params},
           {workload.name, workload.params}}};
}

Selection select_components(const RunConfig& config) {
  Selection selection;
  selection.collector = &find_collector(config.collector);
  selection.allocator = &find_allocator(config.allocator);
  selection.workload = &find_workload(config.workload);
  std::string barrier = barrier_misfit(
      *selection.collector, effective_barrier(config, *selection.collector));
  if (!barrier.empty()) {
    throw ConfigError("collector " + config.collector + " " + barrier);
  }
  std::string misfit = pair_misfit(*selection.collector, *selection.allocator);
  if (!misfit.empty()) {
    std::string fitting;
    for (const AllocatorEntry& allocator : allocator_registry()) {
      if (!pair_misfit(*selection.collector, allocator).empty()) continue;
      fitting += (fitting.empty() ? "" : ", ") + std::string(allocator.name);
    }
    throw ConfigError(
        "collector " + config.collector + " cannot run over allocator " +
        config.allocator + ": it " + misfit + " (allocators that fit " +
        config.collector + ": " + (fitting.empty() ? "none" : fitting) + ")");
  }
  selection.routed = route_params(
      config.params, chosen_params(*selection.collector, *selection.allocator,
                                   *selection.workload));
  selection.collector_params =
      ParamValues(selection.collector->params,
                  selection.routed[static_cast<int>(Component::kCollector)]);
  selection.allocator_params =
      ParamValues(selection.allocator->params,
                  selection.routed[static_cast<int>(Component::kAllocator)]);
  selection.workload_params =
      ParamValues(selection.workload->params,
                  selection.routed[static_cast<int>(Component::kWorkload)]);
  return selection;
}

std::vector<EffectiveParam> effective_params(std::span<const ParamSpec> specs,
                                             const ParamValues& values) {
  std::vector<EffectiveParam> params;
  for (const ParamSpec& spec : specs) {
    params.push_back(
        {std::string(spec.name), values.get_string(spec.name), spec.kind});
  }
  return params;
}

}  // namespace gclab
