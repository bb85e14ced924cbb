#include "workloads/registry.h"

#include <gtest/gtest.h>

#include "heap/errors.h"

namespace gclab {
namespace {

TEST(WorkloadRegistryTest, FindsEveryRegisteredWorkload) {
  for (const WorkloadEntry& entry : workload_registry()) {
    EXPECT_EQ(&find_workload(entry.name), &entry) << entry.name;
  }
}

TEST(WorkloadRegistryTest, UnknownWorkloadNamesTheKnownOnes) {
  try {
    find_workload("x");
    FAIL() << "an unknown workload was found";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(
        error.what(),
        "unknown workload 'x' (known: binary-trees, fragmentation, "
        "gcbench, gcold, graph-churn, leak, lru-cache, producer-consumer, "
        "replay, synthetic)");
  }
}

TEST(WorkloadRegistryTest, EveryWorkloadBuildsFromItsDefaults) {
  for (const WorkloadEntry& entry : workload_registry()) {
    EXPECT_NE(entry.make(ParamValues(entry.params, {})), nullptr) << entry.name;
  }
}

}  // namespace
}  // namespace gclab
