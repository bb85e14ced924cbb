// What `gclab run` prints about a census and a leak report, from a report
// made of a record with both.
#include "harness/census_summary.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "harness/report.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

RunRecord record_with_leaks(bool collector_frees) {
  RunRecord record;
  record.site_names = {"svc", "list", "node"};
  record.census =
      CensusSeries{.interval_allocations = 1000,
                   .records = {{.index = 0, .duration_ns = 1'500'000},
                               {.index = 1, .duration_ns = 500'000}}};
  GrowingSite growing{
      .site = 1,
      .flagged_at_census = 5,
      .first_census = 2,
      .last_census = 9,
      .censuses = 8,
      .bytes_before = 0,
      .bytes_at_last = 8 * 2048,
      .allocated_before = 0,
      .allocated_at_last = 4 << 20,
      .path = ObjectPath{.root = RootKind::kGlobal,
                         .steps = {{.site = 0}, {.site = 1, .slot = 3}}},
      .path_census = 9};
  record.leaks = LeakFindings{
      .growth_censuses = 5,
      .growing_sites = {growing},
      .looks_for_cycles = collector_frees,
      .garbage_cycles =
          GarbageCycles{.census = 1,
                        .components = {{.total = {3, 96}, .sites = {}}}},
      .at_end = {.collector_frees = collector_frees,
                 .reachable_only = false,
                 .sites = {{2, {10, 4096}}, {1, {2, 64}}}}};
  return record;
}

std::string summary_of(const RunRecord& record) {
  std::ostringstream out;
  print_census_summary(out, make_report(record, Json::object()));
  return out.str();
}

TEST(CensusSummaryTest, NamesTheCensusesGrowthPathCyclesAndWhatIsLeft) {
  EXPECT_EQ(summary_of(record_with_leaks(true)),
            "  census        2 censuses every 1000 allocations of a mutator, "
            "world stopped (no pauses), 2.00 ms in all\n"
            "  leaks         list: +2.0 KiB per census (4.0 KiB per MiB "
            "allocated) over 8 censuses from census 2, still growing\n"
            "                  path global root -> svc -[3]-> list\n"
            "  garbage       1 cycle unreachable at census 1, 96 B in 3 "
            "objects\n"
            "  at the end    4.1 KiB in 12 objects not freed (node 4.0 KiB, "
            "list 64 B)\n");
}

TEST(CensusSummaryTest, UnderNoneSaysNothingIsFreedAndLooksForNoCycles) {
  std::string text = summary_of(record_with_leaks(false));
  EXPECT_EQ(text.find("garbage"), std::string::npos) << text;
  EXPECT_NE(text.find("still allocated: the collector never frees anything"),
            std::string::npos)
      << text;
}

TEST(CensusSummaryTest, NothingWithoutACensus) {
  EXPECT_EQ(summary_of(RunRecord{}), "");
}

TEST(CensusSummaryTest, ALongPathShowsItsEndsAndCountsTheRest) {
  Json steps = Json::array();
  for (int i = 0; i < 64; ++i) steps.push_back({{"site", "n"}, {"slot", 0}});
  steps[0]["slot"] = nullptr;
  Json path = {{"root", "mutator"},
               {"mutator", 1},
               {"steps", steps},
               {"elided_steps", 10}};
  std::string text = format_path(path);
  EXPECT_TRUE(text.starts_with("mutator root of mutator 1 -> n -[0]-> n"))
      << text;
  EXPECT_NE(text.find("-[0]-> n ... (10 steps) -[0]-> n"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace gclab
