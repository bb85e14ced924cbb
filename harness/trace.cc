#include "harness/trace.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "harness/report.h"
#include "harness/report_fields.h"
#include "harness/run_config.h"
#include "heap/fatal.h"

namespace gclab {
namespace {

constexpr int kPid = 1;

// Track ids, top to bottom as the viewers sort them (thread_sort_index):
// the collector, its GC threads, the mutators.
class Tracks {
 public:
  explicit Tracks(const RunRecord& record)
      : gc_threads_(record.gc_threads), mutators_(record.mutators) {}

  int collector() const { return 1; }
  int gc_thread(int index) const { return 2 + index; }
  int mutator(int index) const { return 2 + gc_threads_ + index; }
  int gc_threads() const { return gc_threads_; }
  int mutators() const { return mutators_; }

 private:
  int gc_threads_;
  int mutators_;
};

double microseconds(std::int64_t ns) { return static_cast<double>(ns) / 1e3; }

// A complete event ("ph": "X") before it is written. Slices are collected
// first so that each track's are written parents first (by start, the longer
// first), which is how the viewers nest slices that start together.
struct Slice {
  int tid = 0;
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
  std::string name;
  std::string_view category;
  Json args;
};

Json slice_json(const Slice& slice) {
  return {{"name", slice.name},
          {"cat", slice.category},
          {"ph", "X"},
          {"pid", kPid},
          {"tid", slice.tid},
          {"ts", microseconds(slice.start_ns)},
          {"dur", microseconds(slice.duration_ns)},
          {"args", slice.args}};
}

Json metadata_json(std::string_view name, int tid, Json args) {
  return {{"name", name},          {"ph", "M"},
          {"pid", kPid},           {"tid", tid},
          {"ts", microseconds(0)}, {"args", std::move(args)}};
}

// Counters are the process's; the viewers ignore their tid.
Json counter_json(std::string_view name, int tid, std::int64_t at_ns,
                  Json values) {
  return {{"name", name},
          {"ph", "C"},
          {"pid", kPid},
          {"tid", tid},
          {"ts", microseconds(at_ns)},
          {"args", std::move(values)}};
}

// "2 mutators", "1 GC thread".
std::string counted(int count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

std::string process_name(const RunRecord& record) {
  return "gclab " + record.collector + "/" + record.allocator + " " +
         record.workload + ", heap " + compact_size(record.heap_bytes) + ", " +
         counted(record.mutators, "mutator") + ", " +
         counted(record.gc_threads, "GC thread");
}

void add_track_metadata(const Tracks& tracks, Json& events) {
  auto name_track = [&events](int tid, const std::string& name) {
    events.push_back(metadata_json("thread_name", tid, {{"name", name}}));
    events.push_back(
        metadata_json("thread_sort_index", tid, {{"sort_index", tid}}));
  };
  name_track(tracks.collector(), "collector");
  for (int i = 0; i < tracks.gc_threads(); ++i) {
    name_track(tracks.gc_thread(i), "gc thread " + std::to_string(i));
  }
  for (int i = 0; i < tracks.mutators(); ++i) {
    name_track(tracks.mutator(i), "mutator " + std::to_string(i));
  }
}

void add_cycle_slices(const Tracks& tracks, const CycleRecord& cycle,
                      std::vector<Slice>& slices) {
  slices.push_back({.tid = tracks.collector(),
                    .start_ns = cycle.start_ns,
                    .duration_ns = cycle.duration_ns,
                    .name = "cycle " + std::to_string(cycle.index) + " (" +
                            std::string(to_string(cycle.cause)) + ")",
                    .category = "cycle",
                    .args = {{fields::pause::kCycle, cycle.index},
                             {fields::cycle::kCause, to_string(cycle.cause)},
                             {fields::cycle::kMarkedBytes, cycle.marked_bytes},
                             {fields::cycle::kFreedBytes, cycle.freed_bytes}}});
  for (const PhaseRecord& phase : cycle.phases) {
    slices.push_back({.tid = tracks.collector(),
                      .start_ns = phase.start_ns,
                      .duration_ns = phase.duration_ns,
                      .name = std::string(phase.name),
                      .category = "phase",
                      .args = {{fields::pause::kCycle, cycle.index}}});
  }
  for (const GcThreadInterval& interval : cycle.gc_thread_intervals) {
    if (interval.gc_thread < 0 || interval.gc_thread >= tracks.gc_threads()) {
      fatal("cycle " + std::to_string(cycle.index) + ": GC thread " +
            std::to_string(interval.gc_thread) + " of " +
            std::to_string(tracks.gc_threads()));
    }
    slices.push_back({.tid = tracks.gc_thread(interval.gc_thread),
                      .start_ns = interval.start_ns,
                      .duration_ns = interval.duration_ns,
                      .name = std::string(interval.phase),
                      .category = "gc-thread",
                      .args = {{fields::pause::kCycle, cycle.index}}});
  }
}

std::int64_t end_ns(const PauseRecord& pause) {
  return pause.start_ns + pause.duration_ns;
}

// Where a stop of the world starts on the track of a mutator whose own
// pauses are `own` (by start): see the header. An own pause that straddles
// the stop's start ended before that mutator stopped; one that straddles
// the stop's end had parked it first.
std::int64_t stop_start_on_track(const PauseRecord& stop,
                                 const std::vector<const PauseRecord*>& own) {
  std::int64_t start = stop.start_ns;
  for (const PauseRecord* pause : own) {
    if (pause->start_ns < start && start < end_ns(*pause) &&
        end_ns(*pause) < end_ns(stop)) {
      start = end_ns(*pause);
    } else if (start < pause->start_ns && pause->start_ns < end_ns(stop) &&
               end_ns(stop) < end_ns(*pause)) {
      start = pause->start_ns;
    }
  }
  return start;
}

Json pause_args(const PauseRecord& pause) {
  Json args = {{fields::pause::kCycle, pause.cycle},
               {fields::pause::kKind, to_string(pause.kind)},
               {fields::pause::kStartNs, pause.start_ns},
               {fields::pause::kDurationNs, pause.duration_ns},
               {fields::pause::kTimeToSafepointNs, pause.time_to_safepoint_ns}};
  if (pause.mutator) args[fields::pause::kMutator] = *pause.mutator;
  return args;
}

void add_pause_slices(const Tracks& tracks, const RunRecord& record,
                      std::vector<Slice>& slices) {
  std::vector<std::vector<const PauseRecord*>> own(tracks.mutators());
  std::vector<const PauseRecord*> stops;
  for (const PauseRecord& pause : record.pauses) {
    if (!pause.mutator) {
      stops.push_back(&pause);
      continue;
    }
    if (*pause.mutator < 0 || *pause.mutator >= tracks.mutators()) {
      fatal("a pause of mutator " + std::to_string(*pause.mutator) +
            " in a run of " + std::to_string(tracks.mutators()));
    }
    own[*pause.mutator].push_back(&pause);
  }
  auto slice_of = [](int tid, const PauseRecord& pause, std::int64_t start) {
    return Slice{.tid = tid,
                 .start_ns = start,
                 .duration_ns = end_ns(pause) - start,
                 .name = "pause: " + std::string(to_string(pause.kind)),
                 .category = "pause",
                 .args = pause_args(pause)};
  };
  for (int mutator = 0; mutator < tracks.mutators(); ++mutator) {
    std::vector<const PauseRecord*>& pauses = own[mutator];
    std::sort(pauses.begin(), pauses.end(),
              [](const PauseRecord* a, const PauseRecord* b) {
                return a->start_ns < b->start_ns;
              });
    int tid = tracks.mutator(mutator);
    for (const PauseRecord* pause : pauses) {
      slices.push_back(slice_of(tid, *pause, pause->start_ns));
    }
    for (const PauseRecord* stop : stops) {
      slices.push_back(
          slice_of(tid, *stop, stop_start_on_track(*stop, pauses)));
    }
  }
}

void add_counters(const Tracks& tracks, const RunRecord& record, Json& events) {
  auto heap_values = [](const AllocatorStats& stats) {
    return Json{{fields::heap_stats::kInUseBytes, stats.in_use_bytes},
                {fields::heap_stats::kCommittedBytes, stats.committed_bytes}};
  };
  for (const CycleRecord& cycle : record.cycles) {
    std::int64_t end = cycle.start_ns + cycle.duration_ns;
    events.push_back(counter_json("heap", tracks.collector(), cycle.start_ns,
                                  heap_values(cycle.before)));
    events.push_back(counter_json("heap", tracks.collector(), end,
                                  heap_values(cycle.after)));
    events.push_back(
        counter_json("live", tracks.collector(), end,
                     {{fields::cycle::kMarkedBytes, cycle.marked_bytes}}));
  }
}

Json other_data(const RunRecord& record) {
  Json data = config_json(record);
  data[fields::time::kWallNs] = record.wall_ns;
  return data;
}

}  // namespace

Json make_trace(const RunRecord& record) {
  Tracks tracks(record);
  Json events = Json::array();
  events.push_back(metadata_json("process_name", tracks.collector(),
                                 {{"name", process_name(record)}}));
  add_track_metadata(tracks, events);

  std::vector<Slice> slices;
  for (const CycleRecord& cycle : record.cycles) {
    add_cycle_slices(tracks, cycle, slices);
  }
  add_pause_slices(tracks, record, slices);
  std::stable_sort(slices.begin(), slices.end(),
                   [](const Slice& a, const Slice& b) {
                     return std::tuple(a.tid, a.start_ns, -a.duration_ns) <
                            std::tuple(b.tid, b.start_ns, -b.duration_ns);
                   });
  for (const Slice& slice : slices) events.push_back(slice_json(slice));
  add_counters(tracks, record, events);

  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ns"},
          {"otherData", other_data(record)}};
}

}  // namespace gclab
