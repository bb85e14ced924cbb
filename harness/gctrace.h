// Reads the Go runtime's GC trace: with GODEBUG=gctrace=1 a Go program
// prints one line per collection on stderr. In Go 1.19 (documented under
// GODEBUG in the runtime package, and "subject to change") a line is
//
//   gc 3 @0.043s 11%: 0.029+6.9+0.041 ms clock, 0.058+0/0.92/6.0+0.082 ms cpu,
//   18->18->6 MB, 18 MB goal, 0 MB stacks, 0 MB globals, 2 P
//
// (one line in the trace), optionally ending " (forced)" for a runtime.GC()
// call: the collection's number; when it began (sweep termination's start,
// in seconds since the runtime started); the cumulative share of CPU spent in
// GC; the wall-clock times of its three phases, stop-the-world sweep
// termination + concurrent mark + stop-the-world mark termination; their CPU
// times, with mark split into assist / background / idle; the heap at the
// start, at the end and marked live; the heap goal; the scannable stacks and
// globals; and GOMAXPROCS.
//
// Resolution. The runtime truncates what it prints: the start to whole
// milliseconds, every time to two significant digits (at most three decimals,
// so anything under a microsecond prints as 0, and whole milliseconds from 10
// ms up), sizes to whole MiB. Parsed values are exactly what was printed,
// in nanoseconds, never rounded further; each is at most the true value.
//
// Malformed input. Lines that do not begin "gc <digit>" are other output of
// the program or the runtime ("GC forced", a panic, the program's own error
// line) and are skipped. A line that does begin so but does not parse, or a
// collection number that does not follow the previous one, means the trace
// cannot be trusted (a changed format, an interleaved write, a lost line), so
// it is an error naming the line, never a silently shorter list.
#ifndef GCLAB_HARNESS_GCTRACE_H_
#define GCLAB_HARNESS_GCTRACE_H_

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace gclab {

class GctraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct GctraceCycle {
  std::uint32_t number = 0;
  // Sweep termination's start, since the runtime started (whole ms).
  std::int64_t start_ns = 0;
  int cumulative_gc_cpu_percent = 0;

  // Wall clock of each phase.
  std::int64_t sweep_termination_ns = 0;  // stop-the-world
  std::int64_t mark_ns = 0;               // concurrent
  std::int64_t mark_termination_ns = 0;   // stop-the-world

  // CPU time. The runtime counts a stop-the-world phase as its wall time
  // times the processors stopped (min(GOMAXPROCS, CPUs)), and idle mark as
  // marking on processors that had nothing else to run.
  std::int64_t sweep_termination_cpu_ns = 0;
  std::int64_t assist_mark_cpu_ns = 0;
  std::int64_t background_mark_cpu_ns = 0;
  std::int64_t idle_mark_cpu_ns = 0;
  std::int64_t mark_termination_cpu_ns = 0;

  // Whole MiB, truncated.
  std::int64_t heap_start_mib = 0;
  std::int64_t heap_end_mib = 0;
  std::int64_t live_mib = 0;
  std::int64_t goal_mib = 0;
  std::int64_t stacks_mib = 0;
  std::int64_t globals_mib = 0;

  int procs = 0;
  bool forced = false;

  // The second pause begins once the first and the concurrent mark are over.
  std::int64_t mark_termination_start_ns() const {
    return start_ns + sweep_termination_ns + mark_ns;
  }
  std::int64_t duration_ns() const {
    return sweep_termination_ns + mark_ns + mark_termination_ns;
  }
  // The cycle's GC CPU time as the runtime accounts it: the sum of the five
  // CPU terms (sweeping, done later by a background goroutine and by
  // allocations, is not in the trace).
  std::int64_t cpu_ns() const {
    return sweep_termination_cpu_ns + assist_mark_cpu_ns +
           background_mark_cpu_ns + idle_mark_cpu_ns + mark_termination_cpu_ns;
  }
};

// One trace line (without its newline); throws GctraceError saying what was
// expected where.
GctraceCycle parse_gctrace_line(std::string_view line);

// Every collection traced in `text` (a program's whole stderr), in order;
// throws GctraceError naming the line (1-based) that is malformed or out of
// sequence.
std::vector<GctraceCycle> parse_gctrace(std::string_view text);

}  // namespace gclab

#endif  // GCLAB_HARNESS_GCTRACE_H_
