// Every field gclab's own report writes, and every field the Go baseline's
// report builder adds, is declared in harness/report_fields.h for its block;
// and the check has teeth. (The fields the Boehm and Go programs print
// themselves are checked on their real output in gclab_baseline_test.)
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "harness/environment.h"
#include "harness/go_baseline.h"
#include "harness/report.h"
#include "harness/report_fields_check.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;
using testing::Document;
using testing::undeclared_fields;
using Paths = std::vector<std::string>;

// A record with something in every block: parameters of each component, a
// pause, a cycle with phases and a pacer, a census and a leak report with a
// path and a garbage cycle.
RunRecord full_record() {
  RunRecord record;
  record.collector_params = {{"stw", "1", ParamKind::kFlag}};
  record.allocator_params = {{"fit", "best", ParamKind::kChoice}};
  record.workload_params = {{"depth", "7", ParamKind::kInt}};
  record.verify = VerifyMode::kEvery;
  record.wall_ns = 10'000'000;
  record.pauses = {{.start_ns = 1'000, .duration_ns = 2'000}};
  CycleRecord cycle;
  cycle.phases = {{"mark", 1'000, 2'000}};
  cycle.floating_garbage_bytes = 64;
  cycle.trigger_bytes = 1024;
  cycle.goal_bytes = 2048;
  record.cycles = {cycle};
  record.workload_output = {"done"};
  record.site_names = {"a", "b"};
  record.census = CensusSeries{
      .interval_allocations = 100,
      .records = {
          {.cycle = 0, .sites = {{1, {2, 64}}}, .ages = {{3, {2, 64}}}}}};
  record.leaks = LeakFindings{
      .growth_censuses = 5,
      .growing_sites = {{.site = 1,
                         .path = ObjectPath{.root = RootKind::kMutator,
                                            .mutator = 0,
                                            .steps = {{.site = 0},
                                                      {.site = 1, .slot = 2}}},
                         .path_census = 0}},
      .looks_for_cycles = true,
      .garbage_cycles =
          GarbageCycles{
              .components = {{.total = {2, 64}, .sites = {{1, {2, 64}}}}}},
      .at_end = {.sites = {{0, {1, 32}}}}};
  return record;
}

TEST(ReportFieldsTest, GclabsReportDeclaresEveryField) {
  Json report = make_report(full_record(), describe_environment());
  EXPECT_EQ(undeclared_fields(report, Document::kRun), Paths());
}

TEST(ReportFieldsTest, GoReportBuilderDeclaresEveryField) {
  Json program = {
      {"schema_version", 1},
      {"time", {{"wall_ns", 50'000'000}}},
      {"go",
       {{"run_start_ns", 0},
        {"num_gc_before_run", 0},
        {"num_gc_after_run", 1}}},
  };
  Json report = go_baseline_report(
      program.dump(),
      "gc 1 @0.009s 6%: 0.62+4.0+0.086 ms clock, 1.2+0.13/0.33/3.3+0.17 ms "
      "cpu, 3->4->4 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n");
  ASSERT_EQ(report["cycles"].size(), 1u);
  EXPECT_EQ(undeclared_fields(report, Document::kRun), Paths());
}

TEST(ReportFieldsTest, UndeclaredFieldsAreNamedByTheirPath) {
  Json report = make_report(full_record(), describe_environment());
  report["time"]["wall_time_ns"] = 1;
  report["cycles"][0]["pacer"]["target"] = 2;
  report["extra"] = {{"x", 1}};
  report["pauses"]["by_kind"]["any-kind"]["p42_ns"] = 3;
  EXPECT_EQ(undeclared_fields(report, Document::kRun),
            (Paths{"time.wall_time_ns", "pauses.by_kind.*.p42_ns",
                   "cycles[].pacer.target", "extra"}));
}

TEST(ReportFieldsTest, ACompareDocumentsRunsAreRunReports) {
  Json run = make_report(full_record(), describe_environment());
  Json document = {
      {"schema_version", 1},
      {"kind", "compare"},
      {"axes", {{{"name", "heap"}, {"values", {"1M", "2M"}}}}},
      {"configs",
       {{{"label", "x"},
         {"varied", {{"heap", "1M"}}},
         {"median", {{"wall_ns", 1}}},
         {"runs", {run}}}}},
      {"skipped", {{{"collector", "a"}, {"allocator", "b"}, {"reason", "c"}}}},
  };
  EXPECT_EQ(undeclared_fields(document, Document::kCompare), Paths());
  document["configs"][0]["runs"][0]["heap"]["peak_heap"] = 1;
  document["configs"][0]["median"]["p50"] = 1;
  EXPECT_EQ(undeclared_fields(document, Document::kCompare),
            (Paths{"configs[].median.p50", "heap.peak_heap"}));
}

// The census and leaks blocks are new enough to be documented field by
// field: every name they declare is in docs/metrics.md's section on them.
TEST(ReportFieldsTest, CensusAndLeakFieldsAreDocumented) {
  std::ifstream file("docs/metrics.md");
  ASSERT_TRUE(file) << "docs/metrics.md is a data dependency of this test";
  std::stringstream text;
  text << file.rdbuf();
  std::string document = text.str();
  std::size_t begin = document.find("## The heap census");
  ASSERT_NE(begin, std::string::npos);
  std::string section =
      document.substr(begin, document.find("\n## ", begin + 1) - begin);
  namespace f = fields;
  const std::span<const std::string_view> blocks[] = {
      f::census::kAll,         f::census_record::kAll,
      f::site_tally::kAll,     f::age_tally::kAll,
      f::leaks::kAll,          f::growing_site::kAll,
      f::object_path::kAll,    f::path_step::kAll,
      f::garbage_cycles::kAll, f::garbage_component::kAll,
      f::at_end::kAll};
  for (std::span<const std::string_view> names : blocks) {
    for (std::string_view name : names) {
      EXPECT_TRUE(std::regex_search(
          section, std::regex("\\b" + std::string(name) + "\\b")))
          << name << " is not in docs/metrics.md#the-heap-census";
    }
  }
}

}  // namespace
}  // namespace gclab
