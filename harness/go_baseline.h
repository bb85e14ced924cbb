// The Go baseline: GCBench on Go's own collector (bench/gcbench_go), whose
// report gclab completes from the runtime's GC trace.
//
// The Go program measures what Go can measure about itself (wall and process
// CPU time, allocation, heap size, its checks, the runtime's collection
// count) and prints it as JSON on stdout. Pauses it cannot see, so `gclab
// compare` runs it with GODEBUG=gctrace=1 and turns the trace on stderr
// (harness/gctrace.h) into the blocks gclab's own reports have:
//   pauses  every collection's two stop-the-world phases, as
//           {start_ns, duration_ns, kind} with kind "sweep-termination"
//           (starting at the collection's start) or "mark-termination"
//           (starting once sweep termination and the concurrent mark are
//           over), summarised by harness/pause_stats.h;
//   mmu     harness/mmu.h over those pauses and the run's wall time;
//   cycles  each collection's phases, CPU terms and heap sizes (MiB);
//   time.gc_cpu_ns  the sum of every collection's CPU terms (gctrace.h).
// So the Go row of a comparison is computed exactly as gclab's rows are.
//
// Only the run's collections count: those numbered after the program's
// num_gc_before_run, up to its num_gc_after_run; the trace must hold every
// one of them. Times on the trace count from the runtime's start, the
// report's from the run's start, so a pause starts at its trace time less
// the program's run_start_ns (measured from its main package's
// initialisation, a fraction of a millisecond after the runtime's start).
// The trace prints start times in whole milliseconds, truncated, so a pause
// can appear up to 1 ms early; a start that falls before the run is clamped
// to the run's start. Durations keep the trace's two significant digits.
#ifndef GCLAB_HARNESS_GO_BASELINE_H_
#define GCLAB_HARNESS_GO_BASELINE_H_

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gclab {

class GoReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Go's runtime settings for every run of the baseline, so that the caller's
// environment cannot change it: the GC trace on, two processors (the
// machine's cores), GOGC at its default and no memory limit.
inline constexpr int kGoBaselineMaxprocs = 2;
std::vector<std::string> go_baseline_environment();

// "go (gc 1.19.8, GOMAXPROCS=2)" from what the program's --version printed
// ("go1.19.8\n").
std::string go_baseline_label(std::string_view version_output);

// The program's report completed with pauses, mmu, cycles and GC CPU; throws
// GoReportError when stdout is not its report or the trace does not cover
// the run's collections.
nlohmann::ordered_json go_baseline_report(std::string_view program_stdout,
                                          std::string_view program_stderr);

}  // namespace gclab

#endif  // GCLAB_HARNESS_GO_BASELINE_H_
