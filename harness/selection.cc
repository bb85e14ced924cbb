#include "harness/selection.h"

#include "heap/errors.h"

namespace gclab {
namespace {

// "dijkstra, yuasa or hybrid": every barrier but none.
std::string barrier_names() {
  std::string names;
  std::span<const BarrierKind> kinds = barrier_kinds();
  for (std::size_t i = 1; i < kinds.size(); ++i) {
    names += (i == 1                  ? ""
              : i + 1 == kinds.size() ? " or "
                                      : ", ") +
             std::string(to_string(kinds[i]));
  }
  return names;
}

ParamValues collector_values(const RoutedParams& routed,
                             const CollectorEntry& collector) {
  return ParamValues(collector.params,
                     routed[static_cast<int>(Component::kCollector)]);
}

// The misfit of a collector with these capabilities, as selection and
// compare report it.
std::string misfit(const CollectorCapabilities& capabilities,
                   BarrierKind barrier, const AllocatorEntry& allocator) {
  std::string reason = barrier_misfit(capabilities, barrier);
  if (!reason.empty()) return reason;
  return missing_capability(capabilities, allocator.capabilities);
}

}  // namespace

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

std::string barrier_misfit(const CollectorCapabilities& capabilities,
                           BarrierKind barrier) {
  if (capabilities.needs_barrier && barrier == BarrierKind::kNone) {
    return "needs a write barrier (" + barrier_names() + "), not none";
  }
  if (capabilities.counts_references && barrier != BarrierKind::kNone) {
    return "counts references in a barrier of its own; --barrier must be "
           "none";
  }
  return "";
}

std::string pair_misfit(const CollectorEntry& collector,
                        const AllocatorEntry& allocator) {
  return missing_capability(collector.default_capabilities(),
                            allocator.capabilities);
}

ChosenParams chosen_params(const CollectorEntry& collector,
                           const AllocatorEntry& allocator,
                           const WorkloadEntry& workload) {
  return {{{collector.name, collector.params},
           {allocator.name, allocator.params},
           {workload.name, workload.params}}};
}

std::string configuration_misfit(const RunConfig& config,
                                 const CollectorEntry& collector,
                                 const AllocatorEntry& allocator) {
  RoutedParams routed = route_params(
      config.params,
      chosen_params(collector, allocator, find_workload(config.workload)));
  return misfit(collector.capabilities_of(collector_values(routed, collector)),
                effective_barrier(config, collector), allocator);
}

Selection select_components(const RunConfig& config) {
  Selection selection;
  selection.collector = &find_collector(config.collector);
  selection.allocator = &find_allocator(config.allocator);
  selection.workload = &find_workload(config.workload);
  selection.routed = route_params(
      config.params, chosen_params(*selection.collector, *selection.allocator,
                                   *selection.workload));
  selection.collector_params =
      collector_values(selection.routed, *selection.collector);
  selection.allocator_params =
      ParamValues(selection.allocator->params,
                  selection.routed[static_cast<int>(Component::kAllocator)]);
  selection.workload_params =
      ParamValues(selection.workload->params,
                  selection.routed[static_cast<int>(Component::kWorkload)]);

  const CollectorCapabilities capabilities =
      selection.collector->capabilities_of(selection.collector_params);
  std::string barrier = barrier_misfit(
      capabilities, effective_barrier(config, *selection.collector));
  if (!barrier.empty()) {
    throw ConfigError("collector " + config.collector + " " + barrier);
  }
  std::string reason =
      missing_capability(capabilities, selection.allocator->capabilities);
  if (!reason.empty()) {
    std::string fitting;
    for (const AllocatorEntry& allocator : allocator_registry()) {
      if (!missing_capability(capabilities, allocator.capabilities).empty()) {
        continue;
      }
      fitting += (fitting.empty() ? "" : ", ") + std::string(allocator.name);
    }
    throw ConfigError(
        "collector " + config.collector + " cannot run over allocator " +
        config.allocator + ": it " + reason + " (allocators that fit " +
        config.collector + ": " + (fitting.empty() ? "none" : fitting) + ")");
  }
  // A trace names objects by the address it saw them allocated at
  // (heap/trace_recorder.h), and orders one thread's steps.
  if (!config.record_trace_path.empty()) {
    if (capabilities.moving) {
      throw ConfigError(
          "--record-trace needs a collector that moves no "
          "object, not " +
          config.collector +
          " (record under mark-sweep, say; replay runs under "
          "every collector)");
    }
    if (config.mutators != 1) {
      throw ConfigError("--record-trace records one mutator, not " +
                        std::to_string(config.mutators));
    }
  }
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
