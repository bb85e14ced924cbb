// How much of a run `--verify` checks, as the command line asks for it, the
// runner applies it and the report records it.
//
//   kEvery  the heap after every collection, with the world stopped (the
//           heap's per-cycle verification, which also poisons freed memory
//           and, for a concurrent collector, runs the checkmark), and once
//           more after the run;
//   kEnd    only the final heap, once after the run, so that the collector
//           runs the path that is timed (no per-cycle walks, no poisoning,
//           no checkmark);
//   kOff    nothing.
// The check after the run walks the allocator's blocks (every header sane)
// and whatever the roots still held then reach: a workload's data rooted in
// its mutator threads is gone by then, and its own end-of-run checks stand
// for it.
#ifndef GCLAB_HARNESS_VERIFY_MODE_H_
#define GCLAB_HARNESS_VERIFY_MODE_H_

#include <string_view>

namespace gclab {

enum class VerifyMode { kOff, kEnd, kEvery };

// "off", "end", "every": the report's config.verify.
std::string_view to_string(VerifyMode mode);

}  // namespace gclab

#endif  // GCLAB_HARNESS_VERIFY_MODE_H_
