// `gclab run --trace` through the real binary: the timeline it writes
// agrees with the metrics report of the same run, and a trace that cannot be
// written stops the run before it starts.
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

// One mutator under mark-sweep in a heap that needs collections; two under
// concurrent-mark-sweep, which starts its cycles early with room to spare (in
// a heap just big enough, the floating garbage of a slow cycle could exhaust
// it).
Args tiny_run(const std::string& collector) {
  Args args = {"run", "--collector=" + collector, "--allocator=free-list",
               "--workload=gcbench", "--gc-threads=2"};
  if (collector == "concurrent-mark-sweep") {
    args.insert(args.end(),
                {"--heap=2M", "--trigger=occupancy:0.5", "--mutators=2"});
  } else {
    args.insert(args.end(), {"--heap=512K", "--mutators=1"});
  }
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  return args;
}

// Every entry of the report's pauses.list is in the trace — once on every
// mutator's track for a stop of the world, once on its own mutator's for a
// one-mutator pause — and the trace has no pause the list lacks.
void expect_pauses_match(const Json& report, const Json& trace) {
  int mutators = report["config"]["mutators"];
  std::vector<Json> slices;
  for (const Json& event : trace["traceEvents"]) {
    if (event["ph"] == "X" && event["cat"] == "pause") slices.push_back(event);
  }
  std::vector<int> track_of(mutators);
  for (const Json& event : trace["traceEvents"]) {
    if (event["ph"] != "M" || event["name"] != "thread_name") continue;
    std::string name = event["args"]["name"];
    if (name.starts_with("mutator ")) {
      track_of.at(std::stoi(name.substr(8))) = event["tid"];
    }
  }
  const Json& list = report["pauses"]["list"];
  ASSERT_FALSE(list.empty()) << "the run must collect";
  std::size_t expected = 0;
  for (const Json& pause : list) {
    ASSERT_TRUE(pause.contains("cycle")) << pause.dump();
    std::string kind = pause["kind"];
    bool one_mutator =
        kind == "handshake" || kind == "assist" || kind == "stall";
    EXPECT_EQ(pause.contains("mutator"), one_mutator) << pause.dump();
    std::vector<int> tracks;
    if (one_mutator) {
      tracks.push_back(track_of.at(pause["mutator"].get<int>()));
    } else {
      tracks = track_of;
    }
    expected += tracks.size();
    for (int tid : tracks) {
      long matching =
          std::count_if(slices.begin(), slices.end(), [&](const Json& slice) {
            const Json& args = slice["args"];
            return slice["tid"] == tid && args["kind"] == pause["kind"] &&
                   args["start_ns"] == pause["start_ns"] &&
                   args["duration_ns"] == pause["duration_ns"] &&
                   args["cycle"] == pause["cycle"] &&
                   args["time_to_safepoint_ns"] ==
                       pause["time_to_safepoint_ns"] &&
                   args.value("mutator", -1) == pause.value("mutator", -1);
          });
      EXPECT_EQ(matching, 1) << pause.dump() << " on track " << tid;
    }
  }
  EXPECT_EQ(slices.size(), expected) << "the trace has pauses the report lacks";
}

TEST(GclabTraceTest, TraceMatchesTheReportsPausesOneToOne) {
  for (const std::string collector : {"mark-sweep", "concurrent-mark-sweep"}) {
    SCOPED_TRACE(collector);
    std::filesystem::path directory = testing::fresh_directory(collector);
    std::string json = (directory / "report.json").string();
    std::string trace_path = (directory / "trace.json").string();
    Args args = tiny_run(collector);
    args.push_back("--json=" + json);
    args.push_back("--trace=" + trace_path);
    ChildOutcome outcome = testing::run_gclab(args);
    ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;
    EXPECT_NE(outcome.stdout_text.find("  trace         written to " +
                                       trace_path + "\n"),
              std::string::npos)
        << outcome.stdout_text;
    Json report = read_json_file(json);
    Json trace = read_json_file(trace_path);
    EXPECT_EQ(trace["otherData"]["collector"], report["config"]["collector"]);
    EXPECT_EQ(trace["otherData"]["wall_ns"], report["time"]["wall_ns"]);
    expect_pauses_match(report, trace);
  }
}

TEST(GclabTraceTest, UnwritableTraceStopsTheRunBeforeItStarts) {
  std::filesystem::path directory = testing::fresh_directory("bad_trace");
  std::string json = (directory / "report.json").string();
  std::string trace_path = (directory / "missing" / "trace.json").string();
  Args args = tiny_run("mark-sweep");
  args.push_back("--json=" + json);
  args.push_back("--trace=" + trace_path);
  ChildOutcome outcome = testing::run_gclab(args);
  EXPECT_EQ(outcome.signal, 0) << outcome.stderr_text;
  EXPECT_EQ(outcome.exit_code, 2) << outcome.stderr_text;
  EXPECT_EQ(outcome.stdout_text, "") << "no run, so no summary";
  EXPECT_EQ(outcome.stderr_text, "gclab: cannot write " + trace_path +
                                     ": no directory " +
                                     (directory / "missing").string() + "\n");
  EXPECT_FALSE(std::filesystem::exists(json))
      << "the report of a run that should not have started";
  EXPECT_TRUE(std::filesystem::is_empty(directory)) << "nothing is written";
}

}  // namespace
}  // namespace gclab
