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

// All but replay, which has no trace until one is named.
TEST(WorkloadRegistryTest, EveryWorkloadBuildsFromItsDefaults) {
  for (const WorkloadEntry& entry : workload_registry()) {
    if (entry.name == "replay") continue;
    EXPECT_NE(entry.make(ParamValues(entry.params, {})), nullptr) << entry.name;
  }
}

TEST(WorkloadRegistryTest, ReplayWithoutATraceSaysHowToGiveOne) {
  const WorkloadEntry& replay = find_workload("replay");
  try {
    replay.make(ParamValues(replay.params, {}));
    ADD_FAILURE() << "replay built without a trace";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(),
                 "workload replay needs a trace: --param trace=FILE (written "
                 "by gclab run --record-trace FILE)");
  }
}

}  // namespace
}  // namespace gclab
