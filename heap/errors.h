// The two ways a run ends early on purpose.
//
// `ConfigError` is bad input (flags, sizes, impossible pairs, a heap too
// small): it is caught once in main and becomes one line on stderr and exit
// code 2. `HeapExhausted` is a ConfigError too: the heap the user chose cannot
// hold the workload. A GC invariant violation is neither: it aborts loudly (see
// heap/fatal.h), because it is a bug in gclab, not in the input.
#ifndef GCLAB_HEAP_ERRORS_H_
#define GCLAB_HEAP_ERRORS_H_

#include <stdexcept>
#include <string>
#include <string_view>

namespace gclab {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every heap-exhausted message starts with this, so that `gclab compare`
// can tell, from a child run's one line, a configuration that does not fit
// (a result it records) from a mistake in the input (exit 2 for both, as the
// issue asks of "a heap too small").
inline constexpr std::string_view kHeapExhaustedMessage = "heap exhausted";

class HeapExhausted : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

// Thrown in the other mutators of a run once one of them has failed, so that
// the run ends promptly instead of running on to no purpose.
class RunAborted : public std::runtime_error {
 public:
  RunAborted() : std::runtime_error("run aborted") {}
};

// A workload's own result check failed: the collector corrupted its data.
class WorkloadCheckFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_ERRORS_H_
