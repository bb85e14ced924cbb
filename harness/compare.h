// `gclab compare`: one workload under every fitting collector x allocator
// pair and every combination of the values listed for other settings, each
// run in a fresh process.
//
// Pairs that do not fit are skipped and named (none fitting is bad input).
// The matrix is the pairs x each axis of a RunMatrix (value lists of --heap,
// --mutators, --gc-threads, --trigger and component parameters; see
// harness/run_config.h), the last axis changing fastest. A parameter, and so
// its axis, goes to the pairs whose components declare it and must be
// declared by at least one; a configuration's label is its pair followed by
// the values of the axes that vary it ("mark-sweep/free-list fit=best
// heap=32M"). Every configuration is checked before the first run starts.
// Every run is `gclab run ... --json TMP --quiet` in a new process, forked
// and exec'd from /proc/self/exe, so runs share no heap state. Repeats are
// interleaved (for each repeat, every configuration once) because timings
// drift over seconds on shared machines; the table and the JSON give
// per-configuration medians. `--baseline boehm` adds Boehm's own GCBench
// ($GCLAB_BOEHM_GCBENCH, which prints a report with the same field names),
// `--baseline go` GCBench in Go ($GCLAB_GO_GCBENCH, whose report gclab
// completes from Go's GC trace, see harness/go_baseline.h), and
// `--baseline boehm,go` both, each as one more configuration per distinct
// set of workload parameters, run the same interleaved way.
//
// A run that exhausts its heap (`gclab run` exits 2 with a line starting
// `gclab: heap exhausted`, see heap/errors.h)
// is a result, not a failure: the configuration keeps the child's message,
// shows "heap exhausted" in place of its figures, and is not run again in
// later repeats. That is sound because exhaustion is deterministic enough:
// with one mutator the workload's allocations and what stays reachable at
// each of them depend only on the seed, so the heap runs out at the same
// allocation every time; with several mutators the interleaving can move that
// point, but only for a heap at the edge of fitting, which one exhaustion
// already shows does not reliably fit. Any other failed run (a self-check,
// a signal, any other exit status, a baseline's failure) ends the comparison:
// its error line is reported, gclab exits 1 and no result file is written.
#ifndef GCLAB_HARNESS_COMPARE_H_
#define GCLAB_HARNESS_COMPARE_H_

#include <ostream>
#include <span>
#include <stdexcept>
#include <string>

namespace gclab {

// A command that failed in a way other than bad input or an exhausted heap:
// gclab ends with exit status 1.
class CommandFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kDefaultRepeat = 3;

// `args` are what follows the word "compare"; returns the exit code.
int run_compare(std::span<const std::string> args, std::ostream& out);

}  // namespace gclab

#endif  // GCLAB_HARNESS_COMPARE_H_
