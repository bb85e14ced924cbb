#include "harness/list.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "harness/selection.h"

namespace gclab {
namespace {

TEST(ListJson, NamesEveryComponentAndEveryPairWithTheHarnessVerdict) {
  nlohmann::ordered_json list = list_json();
  std::set<std::string> collectors;
  for (const auto& entry : list["collectors"]) {
    collectors.insert(entry["name"].get<std::string>());
  }
  for (const CollectorEntry& entry : collector_registry()) {
    EXPECT_TRUE(collectors.contains(std::string(entry.name))) << entry.name;
  }
  ASSERT_EQ(list["pairs"].size(),
            collector_registry().size() * allocator_registry().size());
  for (const auto& pair : list["pairs"]) {
    const CollectorEntry& collector =
        find_collector(pair["collector"].get<std::string>());
    const AllocatorEntry& allocator =
        find_allocator(pair["allocator"].get<std::string>());
    std::string misfit = pair_misfit(collector, allocator);
    EXPECT_EQ(pair["fits"].get<bool>(), misfit.empty()) << pair.dump();
    if (!misfit.empty()) {
      EXPECT_EQ(pair["reason"], misfit);
    }
  }
  const auto& gcbench = list["workloads"][0];
  EXPECT_FALSE(gcbench["params"].empty());
  for (const auto& param : gcbench["params"]) {
    EXPECT_TRUE(param.contains("default")) << param.dump();
  }
}

}  // namespace
}  // namespace gclab
