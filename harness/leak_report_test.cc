// The leak report on the leak workload names the leaking site and no other,
// under every collector x allocator pair that fits: from the marks of a
// small heap's collections, or from a census every 2000 allocations under
// none, with a path from the service's global root; with leak-fraction=0
// it names none.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "harness/report.h"
#include "harness/runner.h"
#include "harness/selection.h"

namespace gclab {
namespace {

struct Pair {
  std::string collector;
  std::string allocator;
};

void PrintTo(const Pair& pair, std::ostream* out) {
  *out << pair.collector << "/" << pair.allocator;
}

// ThreadSanitizer checks what runs concurrently: with one mutator, the
// concurrent collector's census in its remark pause (see
// collector_matrix_test.cc's worth_running).
bool worth_running(const CollectorEntry& collector) {
#if defined(__SANITIZE_THREAD__)
  return collector.default_capabilities().concurrent;
#else
  (void)collector;
  return true;
#endif
}

std::vector<Pair> fitting_pairs() {
  std::vector<Pair> pairs;
  for (const CollectorEntry& collector : collector_registry()) {
    if (!worth_running(collector)) continue;
    for (const AllocatorEntry& allocator : allocator_registry()) {
      if (pair_misfit(collector, allocator).empty()) {
        pairs.push_back(
            {std::string(collector.name), std::string(allocator.name)});
      }
    }
  }
  return pairs;
}

Json leak_report(const Pair& pair, const std::string& leak_fraction) {
  auto param = [](std::string name, std::string value) {
    return ParamRequest{.name = std::move(name), .value = std::move(value)};
  };
  RunConfig config{
      .collector = pair.collector,
      .allocator = pair.allocator,
      .workload = "leak",
      // A collection about every half megabyte, and room for the 380 KiB
      // the run leaks.
      .heap_bytes = pair.collector == "none" ? std::size_t{32} << 20
                                             : std::size_t{1} << 20,
      .census = 2000,
      .leak_report = kDefaultLeakGrowthCensuses,
      .params = {param("requests", "10000"), param("working-set", "64"),
                 param("leak-fraction", leak_fraction)},
      .quiet = true};
  return make_report(run_configuration(config, select_components(config)),
                     Json::object());
}

std::set<std::string> growing_sites(const Json& report) {
  std::set<std::string> sites;
  for (const Json& site : report["leaks"]["growing_sites"]) {
    sites.insert(site["site"].get<std::string>());
  }
  return sites;
}

class LeakReport : public ::testing::TestWithParam<Pair> {};

TEST_P(LeakReport, NamesTheLeakingSiteAndNoOther) {
  Json report = leak_report(GetParam(), "0.05");
  ASSERT_GT(report["census"]["censuses"].size(),
            std::size_t{kDefaultLeakGrowthCensuses});
  EXPECT_EQ(growing_sites(report), std::set<std::string>{"leak.retained"});
  const Json& site = report["leaks"]["growing_sites"][0];
  EXPECT_TRUE(site["growing_at_end"].get<bool>());
  EXPECT_GT(site["bytes_per_census"].get<double>(), 0);
  // A request keeps 0.05 of its 16 objects of 48 bytes, of the 864 bytes it
  // allocates (with its cache entry of 96): 46,603 bytes per MiB.
  EXPECT_NEAR(site["bytes_per_mib_allocated"].get<double>(), 46603, 1500);
  const Json& path = site["path"];
  ASSERT_TRUE(path.is_object()) << site.dump();
  EXPECT_EQ(path["root"], "global");
  ASSERT_EQ(path["steps"].size(), 2u) << path.dump();
  EXPECT_EQ(path["steps"][0]["site"], "leak.service");
  EXPECT_EQ(path["steps"][1]["site"], "leak.retained");
  EXPECT_EQ(path["steps"][1]["slot"], 1);
}

TEST_P(LeakReport, NamesNoSiteWithoutALeak) {
  Json report = leak_report(GetParam(), "0");
  ASSERT_GT(report["census"]["censuses"].size(),
            std::size_t{kDefaultLeakGrowthCensuses});
  EXPECT_EQ(growing_sites(report), std::set<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(EveryFittingPair, LeakReport,
                         ::testing::ValuesIn(fitting_pairs()),
                         [](const ::testing::TestParamInfo<Pair>& info) {
                           std::string name = info.param.collector + "_" +
                                              info.param.allocator;
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace gclab
