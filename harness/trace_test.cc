// make_trace on real runs (a stop-the-world and a concurrent collector) and
// on a hand-made record: every event well formed, every track named, and the
// record's cycles, phases, GC thread work, pauses and heap figures all in the
// timeline, where the format's nesting rule lets a viewer show them.
#include "harness/trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "harness/run_config.h"
#include "harness/runner.h"
#include "harness/selection.h"

namespace gclab {
namespace {

// Timestamps are ns / 1000 as doubles; real overlaps are whole nanoseconds.
constexpr double kRoundingUs = 5e-4;

double start_us(const Json& event) { return event["ts"].get<double>(); }
double end_us(const Json& event) {
  return event["ts"].get<double>() + event["dur"].get<double>();
}
double us(std::int64_t ns) { return static_cast<double>(ns) / 1e3; }

struct TraceCase {
  std::string collector;
  int mutators;
  std::size_t heap_bytes;
  std::string trigger;  // empty: the collector's

  friend void PrintTo(const TraceCase& c, std::ostream* out) {
    *out << c.collector << " with " << c.mutators << " mutator(s)";
  }
};

// With `traced`, as for --trace: the GC threads' work is recorded too.
RunRecord run_small(const TraceCase& c, bool traced = true) {
  auto param = [](std::string name, std::string value) {
    return ParamRequest{.name = std::move(name), .value = std::move(value)};
  };
  RunConfig config{
      .collector = c.collector,
      .allocator = "free-list",
      .workload = "gcbench",
      .heap_bytes = c.heap_bytes,
      .mutators = c.mutators,
      .gc_threads = 2,
      .trigger = c.trigger,
      .params = {param("stretch-depth", "10"), param("long-lived-depth", "8"),
                 param("array-size", "1000"), param("min-depth", "4"),
                 param("max-depth", "8")},
      // The runner writes no file.
      .trace_path = traced ? "trace.json" : "",
      .quiet = true};
  return run_configuration(config, select_components(config));
}

// Track names ("collector", "gc thread 0", "mutator 1") to their tids.
std::map<std::string, int> track_ids(const Json& trace) {
  std::map<std::string, int> tracks;
  for (const Json& event : trace["traceEvents"]) {
    if (event["ph"] == "M" && event["name"] == "thread_name") {
      tracks[event["args"]["name"].get<std::string>()] = event["tid"];
    }
  }
  return tracks;
}

std::vector<Json> slices(const Json& trace, std::string_view category) {
  std::vector<Json> found;
  for (const Json& event : trace["traceEvents"]) {
    if (event["ph"] == "X" && event["cat"] == category) found.push_back(event);
  }
  return found;
}

class TraceOfARun : public ::testing::TestWithParam<TraceCase> {
 protected:
  void SetUp() override {
    record_ = run_small(GetParam());
    ASSERT_GT(record_.cycles.size(), 0u) << "the run must collect";
    trace_ = make_trace(record_);
    tracks_ = track_ids(trace_);
  }
  int mutator_track(int index) const {
    return tracks_.at("mutator " + std::to_string(index));
  }

  RunRecord record_;
  Json trace_;
  std::map<std::string, int> tracks_;
};

TEST_P(TraceOfARun, EveryEventIsWellFormed) {
  EXPECT_EQ(trace_["displayTimeUnit"], "ns");
  const Json& other = trace_["otherData"];
  EXPECT_EQ(other["collector"], record_.collector);
  EXPECT_EQ(other["allocator"], "free-list");
  EXPECT_EQ(other["workload"], "gcbench");
  EXPECT_EQ(other["heap_bytes"], record_.heap_bytes);
  EXPECT_EQ(other["mutators"], record_.mutators);
  ASSERT_TRUE(trace_["traceEvents"].is_array());
  for (const Json& event : trace_["traceEvents"]) {
    SCOPED_TRACE(event.dump());
    std::string ph = event.at("ph");
    EXPECT_TRUE(ph == "X" || ph == "C" || ph == "M") << "unexpected phase";
    EXPECT_EQ(event.at("pid"), 1);
    EXPECT_TRUE(event.at("tid").is_number_integer());
    EXPECT_TRUE(event.at("ts").is_number());
    EXPECT_GE(event["ts"].get<double>(), 0.0) << "nothing precedes the run";
    EXPECT_TRUE(event.at("name").is_string());
    EXPECT_TRUE(event.at("args").is_object());
    if (ph == "X") {
      EXPECT_TRUE(event.at("dur").is_number());
      EXPECT_GE(event["dur"].get<double>(), 0.0);
      EXPECT_TRUE(event.at("cat").is_string());
    }
    if (ph == "C") {
      for (const auto& [name, value] : event["args"].items()) {
        EXPECT_TRUE(value.is_number()) << "counter value " << name;
      }
    }
  }
}

TEST_P(TraceOfARun, EveryThreadHasANamedSortedTrack) {
  std::vector<std::string> expected = {"collector"};
  for (int i = 0; i < record_.gc_threads; ++i) {
    expected.push_back("gc thread " + std::to_string(i));
  }
  for (int i = 0; i < record_.mutators; ++i) {
    expected.push_back("mutator " + std::to_string(i));
  }
  EXPECT_EQ(tracks_.size(), expected.size());
  std::set<int> tids;
  for (const std::string& name : expected) {
    ASSERT_TRUE(tracks_.count(name)) << "no track named " << name;
    tids.insert(tracks_.at(name));
  }
  EXPECT_EQ(tids.size(), expected.size()) << "two tracks share a tid";
  std::map<int, int> sort_index;
  std::string process;
  for (const Json& event : trace_["traceEvents"]) {
    if (event["ph"] != "M") continue;
    if (event["name"] == "thread_sort_index") {
      sort_index[event["tid"]] = event["args"]["sort_index"];
    }
    if (event["name"] == "process_name") process = event["args"]["name"];
  }
  for (std::size_t i = 1; i < expected.size(); ++i) {
    EXPECT_LT(sort_index.at(tracks_.at(expected[i - 1])),
              sort_index.at(tracks_.at(expected[i])))
        << expected[i - 1] << " sorts after " << expected[i];
  }
  EXPECT_NE(process.find(record_.collector + "/free-list gcbench"),
            std::string::npos)
      << "the process is named after the configuration: " << process;
}

// The format's rule, which Perfetto enforces by dropping offenders: on one
// track, two complete events are disjoint or one holds the other.
TEST_P(TraceOfARun, SlicesOfATrackNestWithoutOverlapping) {
  std::map<int, std::vector<Json>> by_track;
  for (const Json& event : trace_["traceEvents"]) {
    if (event["ph"] == "X") by_track[event["tid"]].push_back(event);
  }
  for (auto& [tid, events] : by_track) {
    std::sort(events.begin(), events.end(), [](const Json& a, const Json& b) {
      return std::pair(start_us(a), -a["dur"].get<double>()) <
             std::pair(start_us(b), -b["dur"].get<double>());
    });
    std::vector<const Json*> open;
    for (const Json& event : events) {
      while (!open.empty() &&
             end_us(*open.back()) <= start_us(event) + kRoundingUs) {
        open.pop_back();
      }
      if (!open.empty()) {
        EXPECT_LE(end_us(event), end_us(*open.back()) + kRoundingUs)
            << "on track " << tid << ", " << event.dump()
            << " overlaps the end of " << open.back()->dump();
      }
      open.push_back(&event);
    }
  }
}

TEST_P(TraceOfARun, CyclesHoldTheirPhases) {
  int collector = tracks_.at("collector");
  std::vector<Json> cycles = slices(trace_, "cycle");
  ASSERT_EQ(cycles.size(), record_.cycles.size());
  std::size_t phases = 0;
  for (const CycleRecord& cycle : record_.cycles) {
    const Json& event = cycles.at(cycle.index);
    EXPECT_EQ(event["tid"], collector);
    EXPECT_EQ(event["name"], "cycle " + std::to_string(cycle.index) + " (" +
                                 std::string(to_string(cycle.cause)) + ")");
    EXPECT_EQ(event["args"]["cycle"], cycle.index);
    EXPECT_EQ(event["args"]["cause"], to_string(cycle.cause));
    EXPECT_EQ(event["args"]["marked_bytes"], cycle.marked_bytes);
    EXPECT_EQ(event["args"]["freed_bytes"], cycle.freed_bytes);
    EXPECT_DOUBLE_EQ(start_us(event), us(cycle.start_ns));
    EXPECT_DOUBLE_EQ(event["dur"].get<double>(), us(cycle.duration_ns));
    phases += cycle.phases.size();
  }
  std::vector<Json> phase_events = slices(trace_, "phase");
  EXPECT_EQ(phase_events.size(), phases);
  for (const Json& phase : phase_events) {
    const Json& cycle = cycles.at(phase["args"]["cycle"].get<std::size_t>());
    EXPECT_EQ(phase["tid"], collector);
    EXPECT_GE(start_us(phase), start_us(cycle) - kRoundingUs)
        << phase.dump() << " starts before its cycle";
    EXPECT_LE(end_us(phase), end_us(cycle) + kRoundingUs)
        << phase.dump() << " ends after its cycle";
  }
}

// Each GC thread slice lies in a phase of its name in its cycle, on the
// track of a GC thread; and every cycle marked with some GC thread.
TEST_P(TraceOfARun, GcThreadsWorkInsideTheirPhases) {
  std::set<int> gc_tracks;
  for (int i = 0; i < record_.gc_threads; ++i) {
    gc_tracks.insert(tracks_.at("gc thread " + std::to_string(i)));
  }
  std::size_t recorded = 0;
  for (const CycleRecord& cycle : record_.cycles) {
    EXPECT_FALSE(cycle.gc_thread_intervals.empty())
        << "cycle " << cycle.index << " records no GC thread work";
    recorded += cycle.gc_thread_intervals.size();
  }
  std::vector<Json> work = slices(trace_, "gc-thread");
  EXPECT_EQ(work.size(), recorded);
  std::vector<Json> phases = slices(trace_, "phase");
  for (const Json& slice : work) {
    EXPECT_TRUE(gc_tracks.count(slice["tid"])) << slice.dump();
    bool inside =
        std::any_of(phases.begin(), phases.end(), [&slice](const Json& phase) {
          return phase["name"] == slice["name"] &&
                 phase["args"]["cycle"] == slice["args"]["cycle"] &&
                 start_us(phase) <= start_us(slice) + kRoundingUs &&
                 end_us(slice) <= end_us(phase) + kRoundingUs;
        });
    EXPECT_TRUE(inside) << slice.dump() << " lies in no phase of its name";
  }
}

// One slice per stop of the world on every mutator's track, one per
// one-mutator pause on its mutator's track, each carrying the pause as
// recorded; a slice is shorter only by time before the world had stopped.
TEST_P(TraceOfARun, PausesAreTheRecordsOnTheMutatorsTheyStopped) {
  std::vector<Json> events = slices(trace_, "pause");
  std::size_t expected = 0;
  for (const PauseRecord& pause : record_.pauses) {
    std::vector<int> stopped;
    if (pause.mutator) {
      stopped.push_back(mutator_track(*pause.mutator));
    } else {
      for (int i = 0; i < record_.mutators; ++i) {
        stopped.push_back(mutator_track(i));
      }
    }
    expected += stopped.size();
    for (int tid : stopped) {
      auto same = [&](const Json& event) {
        return event["tid"] == tid &&
               event["args"]["kind"] == to_string(pause.kind) &&
               event["args"]["start_ns"] == pause.start_ns &&
               event["args"]["duration_ns"] == pause.duration_ns;
      };
      ASSERT_EQ(std::count_if(events.begin(), events.end(), same), 1)
          << to_string(pause.kind) << " pause at " << pause.start_ns
          << " ns on track " << tid;
      const Json& event = *std::find_if(events.begin(), events.end(), same);
      EXPECT_EQ(event["name"], "pause: " + std::string(to_string(pause.kind)));
      EXPECT_EQ(event["args"]["cycle"], pause.cycle);
      EXPECT_EQ(event["args"]["time_to_safepoint_ns"],
                pause.time_to_safepoint_ns);
      EXPECT_EQ(event["args"].contains("mutator"), pause.mutator.has_value());
      if (pause.mutator) {
        EXPECT_EQ(event["args"]["mutator"], *pause.mutator);
      }
      EXPECT_NEAR(end_us(event), us(pause.start_ns + pause.duration_ns),
                  kRoundingUs);
      EXPECT_GE(start_us(event), us(pause.start_ns) - kRoundingUs);
      EXPECT_LE(start_us(event),
                us(pause.start_ns + pause.time_to_safepoint_ns) + kRoundingUs)
          << "a slice may leave out only time before the world had stopped";
    }
  }
  EXPECT_EQ(events.size(), expected);
}

// A pause's cycle: a stop of the world overlaps the cycle it ran, a
// handshake or an assist lies inside its cycle, a stall lasts until its
// cycle has ended.
TEST_P(TraceOfARun, PausesBelongToTheirCycles) {
  ASSERT_FALSE(record_.pauses.empty());
  for (const PauseRecord& pause : record_.pauses) {
    SCOPED_TRACE(std::string(to_string(pause.kind)) + " pause at " +
                 std::to_string(pause.start_ns));
    ASSERT_LT(pause.cycle, record_.cycles.size());
    const CycleRecord& cycle = record_.cycles[pause.cycle];
    std::int64_t cycle_end = cycle.start_ns + cycle.duration_ns;
    std::int64_t pause_end = pause.start_ns + pause.duration_ns;
    switch (pause.kind) {
      case PauseKind::kFull:
        EXPECT_LE(pause.start_ns, cycle.start_ns);
        EXPECT_GE(pause_end, cycle_end);
        break;
      case PauseKind::kInitialMark:
      case PauseKind::kRemark:
        EXPECT_LT(pause.start_ns, cycle_end);
        EXPECT_GT(pause_end, cycle.start_ns);
        break;
      case PauseKind::kHandshake:
      case PauseKind::kAssist:
        EXPECT_GE(pause.start_ns, cycle.start_ns);
        EXPECT_LE(pause_end, cycle_end);
        break;
      case PauseKind::kStall:
        EXPECT_GE(pause_end, cycle_end);
        break;
      case PauseKind::kCount:
        ADD_FAILURE() << "a counting stop under a tracing collector";
        break;
    }
  }
}

TEST_P(TraceOfARun, CountersShowTheHeapAroundEveryCycle) {
  std::vector<Json> heap;
  std::vector<Json> live;
  for (const Json& event : trace_["traceEvents"]) {
    if (event["ph"] != "C") continue;
    (event["name"] == "heap" ? heap : live).push_back(event);
  }
  ASSERT_EQ(heap.size(), 2 * record_.cycles.size())
      << "one as each cycle starts, one as it ends";
  ASSERT_EQ(live.size(), record_.cycles.size());
  for (const CycleRecord& cycle : record_.cycles) {
    const Json& before = heap[2 * cycle.index];
    const Json& after = heap[2 * cycle.index + 1];
    EXPECT_DOUBLE_EQ(start_us(before), us(cycle.start_ns));
    EXPECT_EQ(before["args"]["in_use_bytes"], cycle.before.in_use_bytes);
    EXPECT_EQ(before["args"]["committed_bytes"], cycle.before.committed_bytes);
    double end = us(cycle.start_ns + cycle.duration_ns);
    EXPECT_DOUBLE_EQ(start_us(after), end);
    EXPECT_EQ(after["args"]["in_use_bytes"], cycle.after.in_use_bytes);
    EXPECT_EQ(after["args"]["committed_bytes"], cycle.after.committed_bytes);
    EXPECT_DOUBLE_EQ(start_us(live[cycle.index]), end);
    EXPECT_EQ(live[cycle.index]["args"]["marked_bytes"], cycle.marked_bytes);
  }
}

INSTANTIATE_TEST_SUITE_P(
    SmallRuns, TraceOfARun,
    // The concurrent collector starts its cycles early, with room to spare:
    // in a heap just big enough, the floating garbage of a slow cycle (under
    // a sanitizer, beside other tests) could exhaust it.
    ::testing::Values(TraceCase{"mark-sweep", 1, 512 << 10, ""},
                      TraceCase{"concurrent-mark-sweep", 2, 2 << 20,
                                "occupancy:0.5"}),
    [](const ::testing::TestParamInfo<TraceCase>& info) {
      std::string name = info.param.collector + "_" +
                         std::to_string(info.param.mutators) + "_mutators";
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

// Timing the GC threads costs marking time, so only a traced run pays it.
TEST(TraceTest, OnlyARunThatAsksForATraceTimesItsGcThreads) {
  for (const TraceCase& c :
       {TraceCase{"mark-sweep", 1, 512 << 10, ""},
        TraceCase{"concurrent-mark-sweep", 2, 2 << 20, "occupancy:0.5"}}) {
    RunRecord record = run_small(c, /*traced=*/false);
    ASSERT_GT(record.cycles.size(), 0u) << c.collector;
    for (const CycleRecord& cycle : record.cycles) {
      EXPECT_TRUE(cycle.gc_thread_intervals.empty())
          << c.collector << " cycle " << cycle.index
          << " timed its GC threads without a trace";
    }
    EXPECT_TRUE(slices(make_trace(record), "gc-thread").empty());
  }
}

// The slice of pause `kind` starting at `start_ns` (as recorded) on `tid`.
Json pause_slice(const Json& trace, int tid, std::string_view kind,
                 std::int64_t start_ns) {
  for (const Json& event : slices(trace, "pause")) {
    if (event["tid"] == tid && event["args"]["kind"] == kind &&
        event["args"]["start_ns"] == start_ns) {
      return event;
    }
  }
  ADD_FAILURE() << "no " << kind << " pause at " << start_ns << " on " << tid;
  return Json();
}

// Mutator 0 assisted when a remark was requested and stopped only once its
// assist was over; mutator 1's stall had parked it before an initial mark
// was through. Elsewhere the stops keep their recorded start.
TEST(TraceTest, StopOfTheWorldStartsWhereAMutatorStoppedOnItsTrack) {
  RunRecord record;
  record.collector = "concurrent-mark-sweep";
  record.allocator = "free-list";
  record.workload = "gcbench";
  record.mutators = 2;
  record.gc_threads = 1;
  record.cycles = {{.index = 0, .start_ns = 0, .duration_ns = 5'000},
                   {.index = 1, .start_ns = 5'500, .duration_ns = 5'000}};
  record.pauses = {
      {.start_ns = 1'000,
       .duration_ns = 2'000,
       .kind = PauseKind::kAssist,
       .cycle = 0,
       .mutator = 0},
      {.start_ns = 2'000,
       .duration_ns = 3'000,
       .kind = PauseKind::kRemark,
       .time_to_safepoint_ns = 1'500,
       .cycle = 0},
      {.start_ns = 5'500,
       .duration_ns = 1'500,
       .kind = PauseKind::kInitialMark,
       .time_to_safepoint_ns = 1'000,
       .cycle = 1},
      {.start_ns = 6'000,
       .duration_ns = 5'000,
       .kind = PauseKind::kStall,
       .cycle = 1,
       .mutator = 1},
  };
  Json trace = make_trace(record);
  std::map<std::string, int> tracks = track_ids(trace);
  int first = tracks.at("mutator 0");
  int second = tracks.at("mutator 1");

  Json remark = pause_slice(trace, first, "remark", 2'000);
  EXPECT_DOUBLE_EQ(start_us(remark), 3.0) << "where the assist ended";
  EXPECT_DOUBLE_EQ(remark["dur"].get<double>(), 2.0);
  EXPECT_EQ(remark["args"]["duration_ns"], 3'000) << "as recorded";
  Json initial_mark = pause_slice(trace, second, "initial-mark", 5'500);
  EXPECT_DOUBLE_EQ(start_us(initial_mark), 6.0) << "where the stall began";
  EXPECT_DOUBLE_EQ(initial_mark["dur"].get<double>(), 1.0);

  EXPECT_DOUBLE_EQ(start_us(pause_slice(trace, second, "remark", 2'000)), 2.0);
  EXPECT_DOUBLE_EQ(start_us(pause_slice(trace, first, "initial-mark", 5'500)),
                   5.5);
  EXPECT_DOUBLE_EQ(start_us(pause_slice(trace, first, "assist", 1'000)), 1.0);
  EXPECT_DOUBLE_EQ(start_us(pause_slice(trace, second, "stall", 6'000)), 6.0);
}

}  // namespace
}  // namespace gclab
