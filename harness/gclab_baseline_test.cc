// `compare --baseline boehm|go|boehm,go` with the real Boehm and Go
// GCBench programs: each baseline is run the same interleaved way and
// becomes one more configuration; Go's pauses come from its GC trace.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/gclab_test_util.h"
#include "harness/json_file.h"
#include "harness/report_fields_check.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

// The baseline programs, in the order the test target passes them.
const std::string& boehm_program() { return testing::data_paths().at(0); }
const std::string& go_program() { return testing::data_paths().at(1); }

// Runs `compare` with the baselines' variables set as scripts/gclab sets
// them.
ChildOutcome run_compare(const std::vector<std::string>& args) {
  setenv("GCLAB_BOEHM_GCBENCH", boehm_program().c_str(), 1);
  setenv("GCLAB_GO_GCBENCH", go_program().c_str(), 1);
  ChildOutcome outcome = testing::run_gclab(args);
  unsetenv("GCLAB_BOEHM_GCBENCH");
  unsetenv("GCLAB_GO_GCBENCH");
  return outcome;
}

// Every field of the document, those the Boehm and Go programs print
// included, is one harness/report_fields.h declares for its block: the Go
// program cannot include that header, so this is what keeps it in step.
void expect_every_field_declared(const Json& document) {
  EXPECT_EQ(testing::undeclared_fields(document, testing::Document::kCompare),
            std::vector<std::string>());
}

std::vector<std::string> compare_args(const std::string& baseline,
                                      const std::string& json) {
  std::vector<std::string> args = {"compare",
                                   "--collectors=mark-sweep",
                                   "--allocators=free-list",
                                   "--workload=gcbench",
                                   "--heap=4M",
                                   "--repeat=1",
                                   "--baseline=" + baseline,
                                   "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  return args;
}

TEST(GclabBaselineTest, BoehmBaselineIsRunInterleavedAndTabulated) {
  ASSERT_EQ(testing::data_paths().size(), 2u)
      << "expected the Boehm and Go GCBench paths after gclab's";
  std::filesystem::path directory = testing::fresh_directory("baseline");
  std::string json = (directory / "compare.json").string();
  std::vector<std::string> args = {"compare",
                                   "--collectors=mark-sweep",
                                   "--allocators=free-list",
                                   "--workload=gcbench",
                                   "--heap=1M",
                                   "--repeat=2",
                                   "--baseline=boehm",
                                   "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  ChildOutcome outcome = run_compare(args);
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;

  const std::string& text = outcome.stdout_text;
  std::size_t second_gclab = text.find("[3/4] mark-sweep/free-list (repeat 2)");
  std::size_t first_boehm = text.find("[2/4] boehm (libgc) (repeat 1)");
  EXPECT_NE(first_boehm, std::string::npos) << text;
  EXPECT_LT(first_boehm, second_gclab) << "repeats must interleave:\n" << text;
  EXPECT_NE(text.find("\nboehm (libgc)"), std::string::npos)
      << "the baseline must be a row of the table:\n"
      << text;

  Json document = read_json_file(json);
  ASSERT_EQ(document["configs"].size(), 2u);
  const Json& baseline = document["configs"][1];
  EXPECT_EQ(baseline["baseline"], true);
  ASSERT_EQ(baseline["runs"].size(), 2u);
  EXPECT_EQ(
      baseline["runs"][0]["config"]["params"]["workload"]["stretch-depth"],
      "10")
      << "the baseline runs on the same workload parameters";
  EXPECT_TRUE(baseline["median"]["wall_ns"].is_number());
  EXPECT_TRUE(baseline["median"]["collections"].is_number());
  expect_every_field_declared(document);
}

TEST(GclabBaselineTest, GoBaselinePausesAreTheTracedStopTheWorldPhases) {
  std::filesystem::path directory = testing::fresh_directory("go_pauses");
  std::string json = (directory / "compare.json").string();
  std::vector<std::string> args = compare_args("go", json);
  // A stretch tree of depth 14 makes Go allocate ~10 MiB, past its 4 MiB
  // minimum heap goal, so the run has collections to trace.
  args.push_back("--param=stretch-depth=14");
  args.erase(std::find(args.begin(), args.end(), "--param=stretch-depth=10"));
  ChildOutcome outcome = run_compare(args);
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;
  EXPECT_NE(outcome.stdout_text.find("\ngo (gc 1."), std::string::npos)
      << "the Go row is labelled with its Go release:\n"
      << outcome.stdout_text;

  Json document = read_json_file(json);
  ASSERT_EQ(document["configs"].size(), 2u);
  const Json& baseline = document["configs"][1];
  EXPECT_EQ(baseline["baseline"], true);
  EXPECT_EQ(baseline["collector"], "go");
  const Json& run = baseline["runs"].at(0);
  EXPECT_EQ(run["config"]["params"]["workload"]["stretch-depth"], 14)
      << "the baseline runs on the same workload parameters";
  EXPECT_EQ(run["go"]["gomaxprocs"], 2);
  EXPECT_EQ(run["go"]["godebug"], "gctrace=1");

  const Json& cycles = run["cycles"];
  std::int64_t collections = run["go"]["num_gc_after_run"].get<std::int64_t>() -
                             run["go"]["num_gc_before_run"].get<std::int64_t>();
  ASSERT_GE(collections, 1) << "the run must collect for the test to mean "
                               "anything";
  EXPECT_EQ(static_cast<std::int64_t>(cycles.size()), collections)
      << "one traced cycle per collection the runtime counted";
  const Json& pauses = run["pauses"];
  ASSERT_EQ(pauses["list"].size(), 2 * cycles.size())
      << "two stop-the-world pauses per cycle";
  std::int64_t traced_total = 0;
  for (std::size_t i = 0; i < pauses["list"].size(); ++i) {
    const Json& pause = pauses["list"][i];
    EXPECT_EQ(pause["kind"],
              i % 2 == 0 ? "sweep-termination" : "mark-termination");
    traced_total += pause["duration_ns"].get<std::int64_t>();
  }
  EXPECT_EQ(pauses["total_ns"], traced_total);
  // The trace truncates what the runtime measured, so it can only fall short
  // of the runtime's own count of stop-the-world time.
  EXPECT_LE(traced_total, run["go"]["pause_total_ns"].get<std::int64_t>());
  EXPECT_GT(run["time"]["gc_cpu_ns"].get<std::int64_t>(), 0);
  EXPECT_FALSE(run["mmu"]["windows"].empty());
  EXPECT_EQ(baseline["median"]["collections"], collections);
  EXPECT_EQ(baseline["median"]["pause_max_ns"], pauses["max_ns"]);
  expect_every_field_declared(document);
}

TEST(GclabBaselineTest, BoehmAndGoBaselinesAreRowsInTheOrderGiven) {
  std::filesystem::path directory = testing::fresh_directory("both");
  std::string json = (directory / "compare.json").string();
  ChildOutcome outcome = run_compare(compare_args("boehm,go", json));
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;
  const std::string& text = outcome.stdout_text;
  std::size_t boehm_row = text.find("\nboehm (libgc)");
  std::size_t go_row = text.find("\ngo (gc 1.");
  EXPECT_NE(boehm_row, std::string::npos) << text;
  EXPECT_NE(go_row, std::string::npos) << text;
  EXPECT_LT(boehm_row, go_row) << "rows follow --baseline's order:\n" << text;
  Json document = read_json_file(json);
  ASSERT_EQ(document["configs"].size(), 3u);
  EXPECT_EQ(document["configs"][1]["collector"], "boehm");
  EXPECT_EQ(document["configs"][2]["collector"], "go");
  expect_every_field_declared(document);
}

// `--param check-temp-trees` alone sets the flag to 1 for gclab's run and
// reaches both baselines as --check-temp-trees=1: all three check every
// temporary tree.
TEST(GclabBaselineTest, BaselinesTakeTheFlagParameterAsZeroOrOne) {
  std::filesystem::path directory = testing::fresh_directory("temp_trees");
  std::string json = (directory / "compare.json").string();
  std::vector<std::string> args = compare_args("boehm,go", json);
  args.push_back("--param");
  args.push_back("check-temp-trees");
  ChildOutcome outcome = run_compare(args);
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;
  Json document = read_json_file(json);
  ASSERT_EQ(document["configs"].size(), 3u);
  // Stretch depth 10, depths 4..8: 2 x (132 + 32 + 8) temporary trees, the
  // stretch tree, and the long-lived tree and array.
  const int every_tree_checked = 1 + 2 * (132 + 32 + 8) + 2;
  const Json& gclab = document["configs"][0]["runs"].at(0);
  EXPECT_EQ(gclab["config"]["params"]["workload"]["check-temp-trees"], true);
  EXPECT_EQ(gclab["workload"]["checks_passed"], every_tree_checked);
  for (int i : {1, 2}) {
    const Json& baseline = document["configs"][i];
    const Json& arguments = baseline["arguments"];
    EXPECT_NE(
        std::find(arguments.begin(), arguments.end(), "--check-temp-trees=1"),
        arguments.end())
        << arguments;
    const Json& run = baseline["runs"].at(0);
    const Json& workload = run.contains("workload_report")
                               ? run["workload_report"]
                               : run["workload"];
    EXPECT_EQ(workload["checks_passed"], every_tree_checked)
        << baseline["label"];
  }
}

// Bad input about the Go baseline: exit 2, one line, no result file.
void expect_bad_input(const std::vector<std::string>& args,
                      const std::string& json, const std::string& expected) {
  ChildOutcome outcome = testing::run_gclab(args);
  EXPECT_EQ(outcome.exit_code, 2) << outcome.stderr_text;
  EXPECT_EQ(outcome.stderr_text, "gclab: " + expected + "\n");
  EXPECT_FALSE(std::filesystem::exists(json)) << "no result file on bad input";
}

TEST(GclabBaselineTest, GoBaselineWithoutItsVariableIsBadInput) {
  std::string json =
      (testing::fresh_directory("go_unset") / "compare.json").string();
  unsetenv("GCLAB_GO_GCBENCH");
  expect_bad_input(compare_args("go", json), json,
                   "--baseline go needs $GCLAB_GO_GCBENCH to name the Go "
                   "GCBench executable");
}

TEST(GclabBaselineTest, GoBaselineNamingAnotherProgramIsBadInput) {
  std::string json =
      (testing::fresh_directory("go_wrong") / "compare.json").string();
  setenv("GCLAB_GO_GCBENCH", boehm_program().c_str(), 1);
  expect_bad_input(compare_args("go", json), json,
                   "$GCLAB_GO_GCBENCH names " + boehm_program() +
                       ", which prints no Go version for --version: expected "
                       "bench/gcbench_go");
  unsetenv("GCLAB_GO_GCBENCH");
}

TEST(GclabBaselineTest, GoBaselineNeedsOneMutator) {
  std::string json =
      (testing::fresh_directory("go_mutators") / "compare.json").string();
  std::vector<std::string> args = compare_args("go", json);
  args.push_back("--mutators=2");
  setenv("GCLAB_GO_GCBENCH", go_program().c_str(), 1);
  expect_bad_input(
      args, json,
      "--baseline go runs single-threaded GCBench: it needs --mutators 1");
  unsetenv("GCLAB_GO_GCBENCH");
}

TEST(GclabBaselineTest, UnknownBaselineInAListIsBadInput) {
  std::string json =
      (testing::fresh_directory("unknown") / "compare.json").string();
  expect_bad_input(compare_args("boehm,jvm", json), json,
                   "bad --baseline 'boehm,jvm': the baselines are boehm and "
                   "go (a list takes both)");
}

}  // namespace
}  // namespace gclab
