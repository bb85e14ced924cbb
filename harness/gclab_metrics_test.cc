// Real runs of the binary, checked for internal consistency of their
// reports: what one block says must agree with what the others say.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
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

  // Every object is at least a header and at most what the run allocated
  // in all; a byte count that wrapped below zero fails the second check.
  std::uint64_t objects = report["allocation"]["objects"];
  std::uint64_t bytes = report["allocation"]["bytes"];
  EXPECT_GT(objects, 0u);
  EXPECT_GE(bytes, objects * 16);
  EXPECT_LT(bytes, std::uint64_t{1} << 40) << "allocated bytes wrapped";

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
    EXPECT_LT(pause["cycle"].get<std::size_t>(), report["cycles"].size())
        << "a pause belongs to a recorded cycle: " << pause;
    std::string kind = pause["kind"];
    bool one_mutator =
        kind == "handshake" || kind == "assist" || kind == "stall";
    EXPECT_EQ(pause.contains("mutator"), one_mutator)
        << "only a one-mutator pause names its mutator: " << pause;
    if (one_mutator) {
      EXPECT_LT(pause["mutator"].get<int>(),
                report["config"]["mutators"].get<int>());
    }
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
  EXPECT_EQ(config["verify"], "every") << "--verify alone is every";
  const Json& verification = report["verification"];
  EXPECT_EQ(verification["result"], "passed");
  EXPECT_EQ(verification["mode"], "every");
  EXPECT_GE(verification["heaps_verified"].get<std::size_t>(), cycles + 1)
      << "every collection and the end of the run are verified";
  EXPECT_GT(verification["mark_checks"], 0);
  EXPECT_GT(verification["objects_visited"], 0);
}

TEST(GclabMetricsTest, VerifyAtTheEndChecksTheFinalHeapOnly) {
  std::filesystem::path directory = testing::fresh_directory("verify_end");
  std::string json = (directory / "report.json").string();
  Args args = {
      "run",           "--collector=mark-sweep", "--allocator=free-list",
      "--heap=256K",   "--workload=gcbench",     "--verify=end",
      "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  ChildOutcome outcome = testing::run_gclab(args);
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;
  EXPECT_NE(outcome.stdout_text.find(
                "  verification  passed at the end: 1 heap walk,"),
            std::string::npos)
      << outcome.stdout_text;
  Json report = read_json_file(json);
  expect_consistent(report);
  EXPECT_EQ(report["config"]["verify"], "end");
  EXPECT_GT(report["cycles"].size(), 0u) << "a 256K heap must need collections";
  const Json& verification = report["verification"];
  EXPECT_EQ(verification["enabled"], true);
  EXPECT_EQ(verification["mode"], "end");
  EXPECT_EQ(verification["result"], "passed");
  EXPECT_EQ(verification["heaps_verified"], 1)
      << "no collection is verified, the final heap once";
  EXPECT_EQ(verification["mark_checks"], 0);
  EXPECT_EQ(verification["checks"], Json({"allocated", "header"}));
}

TEST(GclabMetricsTest, ComparePassesTheVerifyModeOn) {
  std::filesystem::path directory = testing::fresh_directory("compare_verify");
  std::string json = (directory / "compare.json").string();
  Args args = {"compare",
               "--collectors=mark-sweep",
               "--allocators=free-list",
               "--workload=gcbench",
               "--heap=256K",
               "--verify",
               "end",
               "--repeat=1",
               "--quiet",
               "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  ChildOutcome outcome = testing::run_gclab(args);
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;
  Json document = read_json_file(json);
  ASSERT_EQ(document["configs"].size(), 1u);
  const Json& config = document["configs"][0];
  const Json& arguments = config["arguments"];
  EXPECT_NE(std::find(arguments.begin(), arguments.end(), "--verify=end"),
            arguments.end())
      << arguments;
  const Json& run = config["runs"].at(0);
  EXPECT_EQ(run["config"]["verify"], "end");
  EXPECT_EQ(run["verification"]["heaps_verified"], 1);
}

TEST(GclabMetricsTest, BareFlagParameterMeansOneAndIsABoolean) {
  Json report = run_report("check_temp_trees",
                           {"--collector=mark-sweep", "--allocator=free-list",
                            "--heap=1M", "--param", "check-temp-trees"});
  ASSERT_FALSE(report.is_null());
  expect_consistent(report);
  EXPECT_EQ(report["config"]["params"]["workload"]["check-temp-trees"], true);
  // Stretch depth 10, depths 4..8: 2 x (132 + 32 + 8) temporary trees, the
  // stretch tree, and the long-lived tree and array.
  EXPECT_EQ(report["workload"]["checks_passed"], 1 + 2 * (132 + 32 + 8) + 2)
      << "every temporary tree is checked";

  Json classic = run_report("classic", {"--collector=mark-sweep",
                                        "--allocator=free-list", "--heap=1M"});
  ASSERT_FALSE(classic.is_null());
  EXPECT_EQ(classic["config"]["params"]["workload"]["check-temp-trees"], false);
  EXPECT_EQ(classic["workload"]["checks_passed"], 2);
}

TEST(GclabMetricsTest, SizeClassRunReportsItsRoundingWaste) {
  // Holes of random sizes up to 1000 bytes: above 128 bytes, classes are
  // up to an eighth apart.
  Json report = run_report("size_class",
                           {"--collector=mark-sweep", "--allocator=size-class",
                            "--heap=1M", "--verify", "--param=holes=1000"});
  ASSERT_FALSE(report.is_null());
  expect_consistent(report);
  EXPECT_EQ(report["verification"]["result"], "passed");
  const Json& allocation = report["allocation"];
  double waste = allocation["rounding_waste_bytes"].get<double>();
  double bytes = allocation["bytes"].get<double>();
  EXPECT_GT(waste, 0) << "some holes are rounded up to their class";
  EXPECT_LT(waste, bytes / 8) << "no class wastes an eighth of a cell";
  EXPECT_DOUBLE_EQ(allocation["internal_fragmentation"].get<double>(),
                   waste / (bytes + waste));

  Json free_list = run_report(
      "free_list_waste", {"--collector=mark-sweep", "--allocator=free-list",
                          "--heap=1M", "--param=holes=1000"});
  ASSERT_FALSE(free_list.is_null());
  EXPECT_EQ(free_list["allocation"]["rounding_waste_bytes"], 0)
      << "the free list places objects at their size";
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
  EXPECT_EQ(report["config"]["verify"], "off");
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

// The lines of `text` that contain `needle`, in order.
std::vector<std::string> lines_with(const std::string& text,
                                    const std::string& needle) {
  std::vector<std::string> found;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (line.find(needle) != std::string::npos) found.push_back(line);
    start = end + 1;
  }
  return found;
}

TEST(GclabMetricsTest, CompareVariesListedValuesInterleaved) {
  std::filesystem::path directory = testing::fresh_directory("compare_lists");
  std::string json = (directory / "compare.json").string();
  Args args = {"compare",
               "--collectors=mark-sweep",
               "--allocators=free-list",
               "--workload=gcbench",
               "--fit=first,best",
               "--heap=1M,2M",
               "--repeat=2",
               "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  ChildOutcome outcome = testing::run_gclab(args);
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;

  const std::vector<std::string> configs = {
      "mark-sweep/free-list fit=first heap=1M",
      "mark-sweep/free-list fit=first heap=2M",
      "mark-sweep/free-list fit=best heap=1M",
      "mark-sweep/free-list fit=best heap=2M",
  };
  std::vector<std::string> runs = lines_with(outcome.stdout_text, "(repeat ");
  ASSERT_EQ(runs.size(), 8u) << outcome.stdout_text;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::string expected = "[" + std::to_string(i + 1) + "/8] " +
                           configs[i % 4] + " (repeat " +
                           std::to_string(i / 4 + 1) + "): ";
    EXPECT_TRUE(runs[i].starts_with(expected))
        << "run " << i + 1 << ": expected '" << expected << "...', got '"
        << runs[i] << "'; every configuration once per repeat, the last "
        << "axis changing fastest";
  }
  std::vector<std::string> rows =
      lines_with(outcome.stdout_text, "mark-sweep/free-list");
  ASSERT_EQ(rows.size(), 12u) << "8 progress lines and 4 table rows";
  for (std::size_t i = 0; i < configs.size(); ++i) {
    EXPECT_TRUE(rows[8 + i].starts_with(configs[i] + " "))
        << "table row " << i << ": " << rows[8 + i];
  }

  Json document = read_json_file(json);
  EXPECT_EQ(document["axes"],
            Json::parse(R"([{"name": "fit", "values": ["first", "best"]},
                            {"name": "heap", "values": ["1M", "2M"]}])"));
  ASSERT_EQ(document["configs"].size(), 4u);
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const Json& config = document["configs"][i];
    EXPECT_EQ(config["label"], configs[i]);
    std::string fit = i < 2 ? "first" : "best";
    std::string heap = i % 2 == 0 ? "1M" : "2M";
    EXPECT_EQ(config["varied"], Json({{"fit", fit}, {"heap", heap}}))
        << config["label"];
    ASSERT_EQ(config["runs"].size(), 2u);
    for (const Json& run : config["runs"]) {
      expect_consistent(run);
      EXPECT_EQ(run["config"]["params"]["allocator"]["fit"], fit)
          << "the run of " << config["label"] << " used another fit";
      EXPECT_EQ(run["config"]["heap_bytes"], (i % 2 + 1) << 20)
          << "the run of " << config["label"] << " used another heap";
    }
  }
}

TEST(GclabMetricsTest, CompareVariesAParameterOnlyWhereDeclared) {
  std::filesystem::path directory = testing::fresh_directory("compare_where");
  std::string json = (directory / "compare.json").string();
  Args args = {"compare",
               "--collectors=none",
               "--allocators=bump,free-list",
               "--workload=gcbench",
               "--param",
               "allocator.fit=first,best",
               "--heap=4M",
               "--repeat=1",
               "--quiet",
               "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  ChildOutcome outcome = testing::run_gclab(args);
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;
  EXPECT_EQ(outcome.stdout_text, "") << "--quiet prints nothing";

  Json document = read_json_file(json);
  EXPECT_EQ(document["axes"].size(), 1u) << "a single heap is no axis";
  std::vector<std::string> labels;
  for (const Json& config : document["configs"])
    labels.push_back(config["label"]);
  EXPECT_EQ(labels, (std::vector<std::string>{
                        "none/bump", "none/free-list allocator.fit=first",
                        "none/free-list allocator.fit=best"}))
      << "bump declares no fit, so it runs once, unlabelled";
  EXPECT_EQ(document["configs"][0]["varied"], Json::object());
  EXPECT_EQ(document["configs"][2]["varied"],
            Json({{"allocator.fit", "best"}}));
  EXPECT_EQ(
      document["configs"][2]["runs"][0]["config"]["params"]["allocator"]["fit"],
      "best");
}

TEST(GclabMetricsTest, CompareRecordsAnExhaustedHeapAndGoesOn) {
  std::filesystem::path directory = testing::fresh_directory("compare_fits");
  std::string json = (directory / "compare.json").string();
  // The tiny GCBench allocates about 1 MiB in all: none exhausts 256K, and
  // mark-sweep fits in both heaps.
  Args args = {"compare",
               "--collectors=none,mark-sweep",
               "--allocators=free-list",
               "--workload=gcbench",
               "--heap=256K,8M",
               "--repeat=2",
               "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  ChildOutcome outcome = testing::run_gclab(args);
  ASSERT_TRUE(outcome.succeeded())
      << "an exhausted heap is a result, not a failed comparison: "
      << outcome.status() << ": " << outcome.stderr_text;
  const std::string& text = outcome.stdout_text;

  std::vector<std::string> runs = lines_with(text, "(repeat ");
  const std::vector<std::string> expected_runs = {
      "[1/8] none/free-list heap=256K (repeat 1): heap exhausted (",
      "[2/7] none/free-list heap=8M (repeat 1): ",
      "[3/7] mark-sweep/free-list heap=256K (repeat 1): ",
      "[4/7] mark-sweep/free-list heap=8M (repeat 1): ",
      "[5/7] none/free-list heap=8M (repeat 2): ",
      "[6/7] mark-sweep/free-list heap=256K (repeat 2): ",
      "[7/7] mark-sweep/free-list heap=8M (repeat 2): ",
  };
  ASSERT_EQ(runs.size(), expected_runs.size())
      << "the exhausted configuration runs once, the others twice:\n"
      << text;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_TRUE(runs[i].starts_with(expected_runs[i]))
        << "run " << i + 1 << ": expected '" << expected_runs[i]
        << "...', got '" << runs[i] << "'";
  }
  std::vector<std::string> rows = lines_with(text, "heap exhausted");
  ASSERT_EQ(rows.size(), 2u) << "its progress line and its table row:\n"
                             << text;
  std::vector<std::string> header = lines_with(text, "config ");
  ASSERT_EQ(header.size(), 1u) << text;
  EXPECT_EQ(rows[1].find("heap exhausted"), header[0].find("      wall"))
      << "the table row shows 'heap exhausted' where the figures start:\n"
      << text;
  EXPECT_TRUE(rows[1].starts_with("none/free-list heap=256K "))
      << "table row: " << rows[1];
  EXPECT_EQ(lines_with(text, "mark-sweep/free-list heap=256K ").size(), 3u)
      << "two runs and a table row of figures:\n"
      << text;

  Json document = read_json_file(json);
  const Json& configs = document["configs"];
  ASSERT_EQ(configs.size(), 4u);
  const Json& exhausted = configs[0];
  EXPECT_EQ(exhausted["label"], "none/free-list heap=256K");
  EXPECT_EQ(exhausted["outcome"], "heap-exhausted");
  EXPECT_TRUE(
      exhausted["message"].get<std::string>().starts_with("heap exhausted ("))
      << "the child's own error line, got " << exhausted["message"];
  EXPECT_TRUE(exhausted["median"].is_null())
      << "no median for a configuration that did not fit";
  EXPECT_TRUE(exhausted["runs"].empty()) << "its only run exhausted the heap";
  for (std::size_t i = 1; i < configs.size(); ++i) {
    const Json& config = configs[i];
    EXPECT_EQ(config["outcome"], "ok") << config["label"];
    EXPECT_FALSE(config.contains("message")) << config["label"];
    EXPECT_TRUE(config["median"]["wall_ns"].is_number()) << config["label"];
    ASSERT_EQ(config["runs"].size(), 2u) << config["label"];
    for (const Json& run : config["runs"]) expect_consistent(run);
  }
}

// A baseline needs only to print a report; this one prints its arguments.
TEST(GclabMetricsTest, CompareRunsTheBaselineOncePerWorkloadVariant) {
  std::filesystem::path directory =
      testing::fresh_directory("compare_baselines");
  std::filesystem::path baseline = directory / "echo_baseline.sh";
  {
    std::ofstream script(baseline);
    script << "#!/bin/sh\nprintf '{\"time\": {\"wall_ns\": 1000}, "
              "\"arguments\": \"%s\"}' \"$*\"\n";
  }
  std::filesystem::permissions(baseline, std::filesystem::perms::owner_all);
  std::string json = (directory / "compare.json").string();
  Args args = {"compare",
               "--collectors=mark-sweep",
               "--allocators=free-list",
               "--workload=gcbench",
               "--heap=1M,2M",
               "--param",
               "max-depth=6,8",
               "--baseline=boehm",
               "--repeat=1",
               "--quiet",
               "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    if (!param.starts_with("--param=max-depth=")) args.push_back(param);
  }
  setenv("GCLAB_BOEHM_GCBENCH", baseline.c_str(), 1);
  ChildOutcome outcome = testing::run_gclab(args);
  unsetenv("GCLAB_BOEHM_GCBENCH");
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;

  Json document = read_json_file(json);
  std::vector<std::string> labels;
  for (const Json& config : document["configs"])
    labels.push_back(config["label"]);
  EXPECT_EQ(labels,
            (std::vector<std::string>{
                "mark-sweep/free-list max-depth=6 heap=1M",
                "mark-sweep/free-list max-depth=6 heap=2M",
                "mark-sweep/free-list max-depth=8 heap=1M",
                "mark-sweep/free-list max-depth=8 heap=2M",
                "boehm (libgc) max-depth=6", "boehm (libgc) max-depth=8"}))
      << "the heap does not reach the baseline; workload parameters do";
  const Json& last = document["configs"][5];
  EXPECT_EQ(last["varied"], Json({{"max-depth", "8"}}));
  ASSERT_EQ(last["runs"].size(), 1u);
  std::string baseline_args = last["runs"][0]["arguments"];
  EXPECT_NE(baseline_args.find("--max-depth=8"), std::string::npos)
      << baseline_args;
}

}  // namespace
}  // namespace gclab
