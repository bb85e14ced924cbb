// Runs one configuration and measures it.
//
// The heap is built from the selection (allocator, trigger, collector
// factory); then `mutators` threads each construct a Mutator and run the one
// shared workload object with seed + thread index. A thread whose run throws
// (HeapExhausted, WorkloadCheckFailed, ConfigError, anything) records the
// first such error and aborts the run, so the other mutators stop at their
// next safepoint with RunAborted, which is not an error of its own; once all
// are joined the first error is rethrown here. With --verify the heap is
// checked once more after the last mutator has finished; a violation is a
// gclab bug and aborts the process (gclab::fatal).
//
// Measurement costs the run nothing beyond the heap's own event recording:
// clocks and getrusage are read before the first thread starts and after the
// last one is joined; everything else is read from the heap afterwards. With
// a trace asked for (trace_path), the markers also time their GC threads'
// work, which lengthens a stop-the-world mark by about 2%. A heap census
// (--census, heap/census.h) is the heap's own doing during the run; with
// --leak-report, its end-of-run leak check walks the heap once the record
// is complete, so that nothing it does is in the run's figures.
#ifndef GCLAB_HARNESS_RUNNER_H_
#define GCLAB_HARNESS_RUNNER_H_

#include "harness/run_config.h"
#include "harness/run_record.h"
#include "harness/selection.h"

namespace gclab {

RunRecord run_configuration(const RunConfig& config,
                            const Selection& selection);

}  // namespace gclab

#endif  // GCLAB_HARNESS_RUNNER_H_
