// The timeline of one run, as a Chrome Trace Event Format document
// (`gclab run --trace FILE`), which https://ui.perfetto.dev and
// chrome://tracing open.
//
// Why a second document: the metrics report summarises (percentiles, MMU)
// and lists what happened, but what explains a long pause or a poor MMU is
// usually when things happened relative to one another — a stall that began
// while the GC threads were still marking, an assist just before a remark,
// a GC thread that sat idle while the other marked. A timeline shows that at
// a glance, and the trace viewers already do the zooming and selecting. It is
// built from the same RunRecord as the report, after the run. Only the GC
// threads' intervals are recorded for it alone (heap/gc_events.h,
// GcThreadInterval), and only in a run that asks for a trace, since timing
// every mark task lengthens a stop-the-world mark by about 2%.
//
// The document (docs/metrics.md#timelines has the user's view):
//   {"traceEvents": [...], "displayTimeUnit": "ns", "otherData": {the
//    configuration, wall_ns}}
// Timestamps are microseconds (the format's unit) as doubles, ns / 1000,
// from the start of the run: the origin of the report's times. One process
// (pid 1) named after the configuration, with one track (tid) each for
//   - "collector": every cycle as a complete event ("cycle 3 (trigger)"),
//     its phases nested inside it;
//   - "gc thread i", for each of the --gc-threads slots of the markers'
//     arenas: what that thread marked, phase by phase;
//   - "mutator i": every pause that stopped mutator i — a stop of the world
//     on every mutator's track, a one-mutator pause on its own only;
// and counters: "heap" (in-use and committed bytes as each cycle starts and
// ends) and "live" (bytes marked, as each cycle ends).
//
// The format requires the complete events of a track to nest, and Perfetto
// drops one that overlaps another partially. A stop of the world can do that
// on the track of a mutator that was busy with a pause of its own when the
// stop was requested (an assist it finished first, a stall that parked it),
// because the stop counts from its request. On that track alone its slice
// starts when that mutator had stopped: where the assist ended, or where the
// stall began. The moment is always before every mutator had stopped, so the
// slice leaves out only part of the time to safepoint, and its args keep the
// pause as recorded (start_ns, duration_ns), as the report lists it.
#ifndef GCLAB_HARNESS_TRACE_H_
#define GCLAB_HARNESS_TRACE_H_

#include <nlohmann/json.hpp>

#include "harness/run_record.h"

namespace gclab {

using Json = nlohmann::ordered_json;

Json make_trace(const RunRecord& record);

}  // namespace gclab

#endif  // GCLAB_HARNESS_TRACE_H_
