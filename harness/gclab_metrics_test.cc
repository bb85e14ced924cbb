// Real runs of the binary, checked for internal consistency of their
// reports: what one block says must agree with what the others say.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/gclab_test_util.h"
#include "harness/json_file.h"

namespace gclab {
namespace {

using Args = std::vector<std::string>;
using Json = nlohmann::ordered_json;

Json run_report(const std::string& name, Args args) {
  std::filesystem::path directory = testing::fresh_directory(name);
  std::string json = (directory / "report.json").string();
  args.insert(args.begin(), "run");
  args.push_back("--workload=gcbench");
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  args.push_back("--json=" + json);
  ChildOutcome outcome = testing::run_gclab(args);
  EXPECT_TRUE(outcome.succeeded())
      << outcome.status() << ": " << outcome.stderr_text;
  EXPECT_NE(outcome.stdout_text.find("gclab run:"), std::string::npos)
      << "a run without --quiet prints its summary";
  return std::filesystem::exists(json) ? read_json_file(json) : Json();
}

void expect_consistent(const Json& report) {
  ASSERT_EQ(report["schema_version"], 1);
  std::int64_t wall = report["time"]["wall_ns"];
  EXPECT_GT(wall, 0);
  EXPECT_EQ(report["time"]["mutator_cpu_ns"].get<std::int64_t>(),
            std::max<std::int64_t>(
                0, report["time"]["process_cpu_ns"].get<std::int64_t>() -
                       report["time"]["gc_cpu_ns"].get<std::int64_t>()));

  const Json& pauses = report["pauses"];
  EXPECT_EQ(pauses["count"], pauses["list"].size())
      << "pause count must equal the listed pauses";
  std::int64_t listed_total = 0;
  std::int64_t listed_max = 0;
  for (const Json& pause : pauses["list"]) {
    std::int64_t start = pause["start_ns"];
    std::int64_t duration = pause["duration_ns"];
    EXPECT_GE(start, 0);
    EXPECT_LE(start + duration, wall) << "a pause must lie inside the run";
    listed_total += duration;
    listed_max = std::max(listed_max, duration);
  }
  EXPECT_EQ(pauses["total_ns"], listed_total);
  EXPECT_EQ(pauses["max_ns"], listed_max);
  EXPECT_LE(pauses["total_ns"].get<std::int64_t>(), wall)
      << "total pause time cannot exceed the run";
  EXPECT_LE(pauses["p50_ns"], pauses["p90_ns"]);
  EXPECT_LE(pauses["p90_ns"], pauses["p99_ns"]);
  EXPECT_LE(pauses["p99_ns"], pauses["p999_ns"]);
  EXPECT_LE(pauses["p999_ns"], pauses["max_ns"]);

  const Json& windows = report["mmu"]["windows"];
  ASSERT_FALSE(windows.empty());
  EXPECT_EQ(windows.back()["window_ns"], wall) << "the last window is the run";
  for (std::size_t i = 0; i < windows.size(); ++i) {
    double mmu = windows[i]["mmu"];
    double bmu = windows[i]["bmu"];
    EXPECT_GE(bmu, 0.0);
    EXPECT_LE(bmu, mmu) << "BMU above MMU at " << windows[i]["window_ns"];
    EXPECT_LE(mmu, 1.0);
    if (i > 0) {
      EXPECT_GT(windows[i]["window_ns"], windows[i - 1]["window_ns"]);
      EXPECT_GE(bmu, windows[i - 1]["bmu"].get<double>())
          << "BMU must not fall as the window grows";
    }
  }
  double whole_run_mmu = windows.back()["mmu"];
  EXPECT_NEAR(
      whole_run_mmu,
      1.0 - pauses["total_ns"].get<double>() / static_cast<double>(wall), 1e-9)
      << "MMU over the whole run is the fraction not paused";

  const Json& cycles = report["cycles"];
  for (std::size_t i = 0; i < cycles.size(); ++i) {
    EXPECT_EQ(cycles[i]["index"], i) << "cycles are numbered from 0";
  }
  const Json& heap = report["heap"];
  EXPECT_LE(heap["peak_committed_bytes"], heap["max_heap_bytes"]);
  EXPECT_LE(heap["peak_live_bytes"], heap["max_heap_bytes"]);
  EXPECT_GT(report["allocation"]["objects"], 0);
  EXPECT_GT(report["workload"]["checks_passed"], 0);
}

TEST(GclabMetricsTest, MarkSweepRunIsConsistentAndVerified) {
  Json report = run_report("mark_sweep",
                           {"--collector=mark-sweep", "--allocator=free-list",
                            "--heap=256K", "--verify", "--gc-threads=2"});
  ASSERT_FALSE(report.is_null());
  expect_consistent(report);
  const Json& config = report["config"];
  EXPECT_EQ(config["params"]["workload"]["stretch-depth"], 10)
      << "the given parameter is recorded";
  EXPECT_EQ(config["params"]["allocator"]["fit"], "first")
      << "a default is recorded too";
  EXPECT_EQ(config["heap_bytes"], 256 * 1024);
  EXPECT_EQ(config["gc_threads"], 2);
  std::size_t cycles = report["cycles"].size();
  EXPECT_GT(cycles, 0u) << "a 256K heap must need collections";
  EXPECT_EQ(report["pauses"]["count"], cycles)
      << "stop-the-world mark-sweep pauses once per cycle";
  const Json& verification = report["verification"];
  EXPECT_EQ(verification["result"], "passed");
  EXPECT_GE(verification["heaps_verified"].get<std::size_t>(), cycles + 1)
      << "every collection and the end of the run are verified";
  EXPECT_GT(verification["objects_visited"], 0);
}

TEST(GclabMetricsTest, NoneCollectorRunHasNoPauses) {
  Json report = run_report("none", {"--collector=none", "--allocator=bump"});
  ASSERT_FALSE(report.is_null());
  expect_consistent(report);
  EXPECT_EQ(report["pauses"]["count"], 0);
  EXPECT_TRUE(report["cycles"].empty());
  for (const Json& point : report["mmu"]["windows"]) {
    EXPECT_EQ(point["mmu"], 1.0) << "no pause, full utilisation";
  }
  EXPECT_EQ(report["verification"]["result"], "not run");
}

TEST(GclabMetricsTest, StressAndTwoMutatorsStayConsistent) {
  Json report =
      run_report("stress", {"--collector=mark-sweep", "--allocator=free-list",
                            "--mutators=2", "--stress=3000", "--fit=best",
                            "--trigger=occupancy:0.5"});
  ASSERT_FALSE(report.is_null());
  expect_consistent(report);
  EXPECT_EQ(report["config"]["mutators"], 2);
  EXPECT_EQ(report["config"]["stress"], 3000);
  EXPECT_EQ(report["config"]["trigger"], "occupancy:0.5");
  EXPECT_EQ(report["config"]["params"]["allocator"]["fit"], "best")
      << "--fit=best reaches the allocator";
  bool stressed =
      std::any_of(report["cycles"].begin(), report["cycles"].end(),
                  [](const Json& cycle) { return cycle["cause"] == "stress"; });
  EXPECT_TRUE(stressed) << "--stress must cause collections";
}

TEST(GclabMetricsTest, CompareRunsEveryFittingPairInterleaved) {
  std::filesystem::path directory = testing::fresh_directory("compare");
  std::filesystem::path scratch = testing::fresh_directory("compare_tmp");
  std::string json = (directory / "compare.json").string();
  Args args = {"compare",
               "--collectors=none,mark-sweep",
               "--allocators",
               "bump,free-list",
               "--workload=gcbench",
               "--repeat=2",
               "--heap=4M",
               "--fit=best",
               "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  setenv("TMPDIR", scratch.c_str(), 1);
  ChildOutcome outcome = testing::run_gclab(args);
  unsetenv("TMPDIR");
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;

  const std::string& text = outcome.stdout_text;
  std::vector<std::string> order = {
      "skipping mark-sweep/bump",
      "[1/6] none/bump (repeat 1)",
      "[2/6] none/free-list (repeat 1)",
      "[3/6] mark-sweep/free-list (repeat 1)",
      "[4/6] none/bump (repeat 2)",
      "config",
      "mark-sweep/free-list",
  };
  std::size_t at = 0;
  for (const std::string& expected : order) {
    std::size_t found = text.find(expected, at);
    ASSERT_NE(found, std::string::npos)
        << "expected '" << expected << "' after position " << at << " in:\n"
        << text;
    at = found + expected.size();
  }

  Json document = read_json_file(json);
  EXPECT_EQ(document["kind"], "compare");
  EXPECT_EQ(document["repeat"], 2);
  ASSERT_EQ(document["configs"].size(), 3u);
  ASSERT_EQ(document["skipped"].size(), 1u);
  EXPECT_EQ(document["skipped"][0]["allocator"], "bump");
  for (const Json& config : document["configs"]) {
    ASSERT_EQ(config["runs"].size(), 2u);
    EXPECT_TRUE(config["median"]["wall_ns"].is_number());
    for (const Json& run : config["runs"]) {
      expect_consistent(run);
      EXPECT_EQ(run["config"]["collector"], config["collector"]);
      EXPECT_EQ(run["config"]["allocator"], config["allocator"]);
      bool has_fit = run["config"]["params"]["allocator"].contains("fit");
      if (has_fit) {
        EXPECT_EQ(run["config"]["params"]["allocator"]["fit"], "best")
            << "--fit=best reaches every free-list run";
      }
      EXPECT_EQ(has_fit, config["allocator"] == "free-list");
    }
  }
  EXPECT_TRUE(std::filesystem::is_empty(scratch))
      << "compare must remove its temporary files";
}

}  // namespace
}  // namespace gclab
