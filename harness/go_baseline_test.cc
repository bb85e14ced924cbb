#include "harness/go_baseline.h"

#include <gtest/gtest.h>

#include <string>

#include "harness/mmu.h"
#include "harness/pause_stats.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

// Three collections traced by Go 1.19.8 running bench/gcbench_go, with other
// runtime output between them.
constexpr std::string_view kTrace =
    "gc 1 @0.009s 6%: 0.62+4.0+0.086 ms clock, 1.2+0.13/0.33/3.3+0.17 ms "
    "cpu, 3->4->4 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n"
    "gc 2 @0.021s 17%: 0.018+10+0.067 ms clock, 0.036+4.1/4.8/0.056+0.13 ms "
    "cpu, 7->9->9 MB, 9 MB goal, 0 MB stacks, 0 MB globals, 2 P\n"
    "GC forced\n"
    "gc 3 @0.043s 11%: 0.029+6.9+0.041 ms clock, 0.058+0/0.92/6.0+0.082 ms "
    "cpu, 18->18->6 MB, 18 MB goal, 0 MB stacks, 0 MB globals, 2 P\n";

// The fields of the Go program's report that the merge reads, plus one it
// must keep as it is.
std::string program_report(std::int64_t run_start_ns,
                           std::int64_t num_gc_before_run,
                           std::int64_t num_gc_after_run,
                           std::int64_t wall_ns = 50'000'000) {
  Json report = {
      {"schema_version", 1},
      {"config", {{"collector", "go"}}},
      {"time", {{"wall_ns", wall_ns}, {"process_cpu_ns", 60'000'000}}},
      {"workload", {{"checks_passed", 2}}},
      {"go",
       {{"run_start_ns", run_start_ns},
        {"num_gc_before_run", num_gc_before_run},
        {"num_gc_after_run", num_gc_after_run}}},
  };
  return report.dump();
}

TEST(GoBaselineTest, EachCycleGivesItsTwoStopTheWorldPauses) {
  Json report = go_baseline_report(program_report(1'000'000, 0, 3), kTrace);
  const Json& list = report["pauses"]["list"];
  ASSERT_EQ(list.size(), 6u) << "two pauses for each of 3 collections";
  EXPECT_EQ(list[0]["kind"], "sweep-termination");
  EXPECT_EQ(list[0]["start_ns"], 9'000'000 - 1'000'000)
      << "@0.009s, less the run's start 1 ms after the process's";
  EXPECT_EQ(list[0]["duration_ns"], 620'000) << "the first clock term";
  EXPECT_EQ(list[1]["kind"], "mark-termination");
  EXPECT_EQ(list[1]["start_ns"], 8'000'000 + 620'000 + 4'000'000)
      << "after sweep termination and the concurrent mark";
  EXPECT_EQ(list[1]["duration_ns"], 86'000) << "the third clock term";
  EXPECT_EQ(list[5]["start_ns"], 42'000'000 + 29'000 + 6'900'000);
}

TEST(GoBaselineTest, PauseSummaryIsGclabsOwn) {
  Json report = go_baseline_report(program_report(0, 0, 3), kTrace);
  std::vector<std::int64_t> durations = {620'000, 86'000, 18'000,
                                         67'000,  29'000, 41'000};
  PauseSummary expected = summarize_pauses(durations);
  const Json& pauses = report["pauses"];
  EXPECT_EQ(pauses["count"], 6);
  EXPECT_EQ(pauses["total_ns"], expected.total_ns);
  EXPECT_EQ(pauses["mean_ns"], expected.mean_ns);
  EXPECT_EQ(pauses["p50_ns"], expected.p50_ns);
  EXPECT_EQ(pauses["p90_ns"], expected.p90_ns);
  EXPECT_EQ(pauses["p99_ns"], expected.p99_ns);
  EXPECT_EQ(pauses["p999_ns"], expected.p999_ns);
  EXPECT_EQ(pauses["max_ns"], 620'000);
}

TEST(GoBaselineTest, MmuIsComputedFromThePausesAndTheWallTime) {
  Json report = go_baseline_report(program_report(0, 0, 3), kTrace);
  std::vector<PauseInterval> intervals;
  for (const Json& pause : report["pauses"]["list"]) {
    std::int64_t start = pause["start_ns"];
    intervals.push_back({start, start + pause["duration_ns"].get<int>()});
  }
  std::vector<UtilisationPoint> expected =
      utilisation_curve(intervals, 50'000'000);
  const Json& windows = report["mmu"]["windows"];
  ASSERT_EQ(windows.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(windows[i]["window_ns"], expected[i].window_ns);
    EXPECT_DOUBLE_EQ(windows[i]["mmu"].get<double>(), expected[i].mmu)
        << "window " << expected[i].window_ns;
    EXPECT_DOUBLE_EQ(windows[i]["bmu"].get<double>(), expected[i].bmu);
  }
  EXPECT_EQ(windows.back()["window_ns"], 50'000'000)
      << "the last window is the whole run";
}

TEST(GoBaselineTest, GcCpuIsTheSumOfEveryCyclesCpuTerms) {
  Json report = go_baseline_report(program_report(0, 0, 3), kTrace);
  std::int64_t first = 1'200'000 + 130'000 + 330'000 + 3'300'000 + 170'000;
  std::int64_t second = 36'000 + 4'100'000 + 4'800'000 + 56'000 + 130'000;
  std::int64_t third = 58'000 + 0 + 920'000 + 6'000'000 + 82'000;
  EXPECT_EQ(report["time"]["gc_cpu_ns"], first + second + third);
  EXPECT_EQ(report["time"]["process_cpu_ns"], 60'000'000)
      << "the program's own time fields stay";
}

TEST(GoBaselineTest, CyclesRecordPhasesHeapSizesAndGoal) {
  Json report = go_baseline_report(program_report(0, 0, 3), kTrace);
  ASSERT_EQ(report["cycles"].size(), 3u);
  const Json& third = report["cycles"][2];
  EXPECT_EQ(third["index"], 2);
  EXPECT_EQ(third["number"], 3);
  EXPECT_EQ(third["cause"], "trigger");
  EXPECT_EQ(third["duration_ns"], 29'000 + 6'900'000 + 41'000);
  ASSERT_EQ(third["phases"].size(), 3u);
  EXPECT_EQ(third["phases"][1]["name"], "mark");
  EXPECT_EQ(third["phases"][1]["start_ns"], 43'029'000);
  EXPECT_EQ(third["phases"][1]["duration_ns"], 6'900'000);
  EXPECT_EQ(third["goal_mib"], 18);
  EXPECT_EQ(third["live_mib"], 6);
  EXPECT_EQ(third["cpu"]["idle_mark_ns"], 6'000'000);
}

TEST(GoBaselineTest, CollectionsOutsideTheRunAreLeftOut) {
  Json report = go_baseline_report(program_report(0, 1, 2), kTrace);
  ASSERT_EQ(report["cycles"].size(), 1u)
      << "only collection 2 is in (before=1, after=2]";
  EXPECT_EQ(report["cycles"][0]["number"], 2);
  EXPECT_EQ(report["pauses"]["count"], 2);
}

TEST(GoBaselineTest, PauseBeforeTheRunStartsIsClampedToIt) {
  // The trace's whole-millisecond start can fall before the run's start.
  Json report = go_baseline_report(program_report(9'500'000, 0, 1),
                                   kTrace.substr(0, kTrace.find('\n') + 1));
  EXPECT_EQ(report["pauses"]["list"][0]["start_ns"], 0);
  EXPECT_EQ(report["pauses"]["list"][1]["start_ns"],
            9'000'000 + 620'000 + 4'000'000 - 9'500'000);
}

TEST(GoBaselineTest, RunWithoutCollectionsHasEmptyPauses) {
  Json report = go_baseline_report(program_report(0, 0, 0), "");
  EXPECT_EQ(report["pauses"]["count"], 0);
  EXPECT_TRUE(report["pauses"]["list"].empty());
  EXPECT_TRUE(report["cycles"].empty());
  EXPECT_EQ(report["time"]["gc_cpu_ns"], 0);
  EXPECT_EQ(report["mmu"]["windows"].back()["mmu"], 1.0)
      << "no pause: full utilisation";
}

TEST(GoBaselineTest, UntracedCollectionIsAnError) {
  try {
    go_baseline_report(program_report(0, 0, 4), kTrace);
    FAIL() << "expected a GoReportError: collection 4 has no trace line";
  } catch (const GoReportError& error) {
    EXPECT_EQ(std::string(error.what()),
              "the runtime counted collections 1..4 in the run, but "
              "GODEBUG=gctrace=1 traced 3 of them");
  }
}

TEST(GoBaselineTest, MalformedTraceIsAnError) {
  std::string trace = std::string(kTrace) + "gc 4 @0.05s garbled\n";
  EXPECT_THROW(go_baseline_report(program_report(0, 0, 3), trace),
               GoReportError);
}

TEST(GoBaselineTest, OutputThatIsNotAReportIsAnError) {
  EXPECT_THROW(go_baseline_report("", kTrace), GoReportError);
  EXPECT_THROW(go_baseline_report("[1, 2]", kTrace), GoReportError);
  try {
    go_baseline_report(R"({"time": {"wall_ns": 5}})", kTrace);
    FAIL() << "expected a GoReportError for the missing go block";
  } catch (const GoReportError& error) {
    EXPECT_EQ(std::string(error.what()),
              "its report lacks the integer go.run_start_ns");
  }
}

TEST(GoBaselineTest, LabelNamesVersionAndProcessors) {
  EXPECT_EQ(go_baseline_label("go1.19.8\n"), "go (gc 1.19.8, GOMAXPROCS=2)");
}

}  // namespace
}  // namespace gclab
