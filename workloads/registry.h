// The one table of workloads: adding a workload is one file pair and one line
// in registry.cc.
#ifndef GCLAB_WORKLOADS_REGISTRY_H_
#define GCLAB_WORKLOADS_REGISTRY_H_

#include <memory>
#include <span>
#include <string_view>

#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

struct WorkloadEntry {
  std::string_view name;
  std::string_view description;
  std::span<const ParamSpec> params;
  std::unique_ptr<Workload> (*make)(const ParamValues& params);
};

std::span<const WorkloadEntry> workload_registry();
// Throws ConfigError naming the known workloads.
const WorkloadEntry& find_workload(std::string_view name);

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_REGISTRY_H_
