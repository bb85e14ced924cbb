#include "workloads/registry.h"

#include <string>

#include "heap/errors.h"
#include "workloads/binary_trees.h"
#include "workloads/gcbench.h"

namespace gclab {
namespace {

const WorkloadEntry kWorkloads[] = {
    {"binary-trees", "Benchmarks Game binary-trees: many short-lived trees",
     kBinaryTreesParams, &BinaryTreesWorkload::make},
    {"gcbench",
     "Boehm's GCBench: trees top down and bottom up, a long-lived "
     "tree and array",
     kGcbenchParams, &GcbenchWorkload::make},
};

}  // namespace

std::span<const WorkloadEntry> workload_registry() { return kWorkloads; }

const WorkloadEntry& find_workload(std::string_view name) {
  std::string known;
  for (const WorkloadEntry& entry : kWorkloads) {
    if (entry.name == name) return entry;
    if (!known.empty()) known += ", ";
    known += entry.name;
  }
  throw ConfigError("unknown workload '" + std::string(name) +
                    "' (known: " + known + ")");
}

}  // namespace gclab
