// A run's components looked up in the registries, checked to fit each other,
// with their effective parameters.
//
// Checks, in order, each a ConfigError: the three names exist; every
// requested parameter routes to one component (harness/run_config.h) and
// parses against its spec; with those parameters, the collector can run with
// the barrier and over the allocator (its capabilities, which may depend on
// its parameters, against the allocator's: missing_capability in
// heap/collector.h; the message names the allocators that do fit, from the
// registry).
#ifndef GCLAB_HARNESS_SELECTION_H_
#define GCLAB_HARNESS_SELECTION_H_

#include <span>
#include <string>
#include <vector>

#include "allocators/registry.h"
#include "collectors/registry.h"
#include "harness/run_config.h"
#include "harness/run_record.h"
#include "heap/barrier.h"
#include "heap/params.h"
#include "workloads/registry.h"

namespace gclab {

struct Selection {
  const CollectorEntry* collector = nullptr;
  const AllocatorEntry* allocator = nullptr;
  const WorkloadEntry* workload = nullptr;
  RoutedParams routed;  // what the user set, by component
  ParamValues collector_params;
  ParamValues allocator_params;
  ParamValues workload_params;
};

Selection select_components(const RunConfig& config);

// The trigger and barrier a run uses: as given, or the collector's defaults.
std::string effective_trigger(const RunConfig& config,
                              const CollectorEntry& collector);
BarrierKind effective_barrier(const RunConfig& config,
                              const CollectorEntry& collector);

// Why a collector with `capabilities` cannot run with `barrier` (a
// concurrent collector needs one), or empty when it can.
std::string barrier_misfit(const CollectorCapabilities& capabilities,
                           BarrierKind barrier);

// Why `collector` at its default parameters cannot run over `allocator`, or
// empty when it can.
std::string pair_misfit(const CollectorEntry& collector,
                        const AllocatorEntry& allocator);

// Why the configuration's collector, with the parameters `config` gives it,
// cannot run with its barrier or over `allocator`, or empty when it can.
// Throws ConfigError for a parameter that does not route or parse.
std::string configuration_misfit(const RunConfig& config,
                                 const CollectorEntry& collector,
                                 const AllocatorEntry& allocator);

ChosenParams chosen_params(const CollectorEntry& collector,
                           const AllocatorEntry& allocator,
                           const WorkloadEntry& workload);

// Every parameter of a component with its effective value, in spec order.
std::vector<EffectiveParam> effective_params(std::span<const ParamSpec> specs,
                                             const ParamValues& values);

}  // namespace gclab

#endif  // GCLAB_HARNESS_SELECTION_H_
