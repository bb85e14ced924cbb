// An allocation trace read into memory and checked whole, for `replay`
// (the format: docs/trace-format.md; the writer: heap/trace_recorder.h).
//
// The file is read and checked before the run, so that a malformed trace
// is refused with its line and reason (ConfigError: exit 2) before any
// heap exists, and so that the run's clock times the heap operations, not
// the parsing. Steps are 12 bytes, so a trace of tens of millions of
// operations fits in memory as a few hundred megabytes.
#ifndef GCLAB_WORKLOADS_ALLOCATION_TRACE_H_
#define GCLAB_WORKLOADS_ALLOCATION_TRACE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gclab {

enum class TraceOp : std::uint8_t {
  kAllocate,    // site (a), refs (slot), payload bytes (b); the next id
  kWrite,       // object (a), slot, value (b)
  kRead,        // object (a), slot, the value it held (b)
  kPushRoot,    // value (b)
  kSetRoot,     // depth from the outermost (a), value (b)
  kPopRoot,     //
  kSetGlobal,   // global root (a), value (b)
  kDropGlobal,  // global root (a)
};

// Objects are numbered by allocation from 1; 0 is null.
struct TraceStep {
  TraceOp op;
  std::uint16_t slot;
  std::uint32_t a;
  std::uint32_t b;
};

struct AllocationTrace {
  // By the trace's site number; empty where none was declared.
  std::vector<std::string> site_names;
  std::vector<TraceStep> steps;
  std::uint32_t objects = 0;
  std::uint32_t globals = 0;  // the highest global root number
};

// Throws ConfigError "trace FILE line N: reason" for a malformed trace, and
// for one that cannot be read.
AllocationTrace read_allocation_trace(const std::string& path);
// The same for a trace in memory; `name` stands for the file in messages.
AllocationTrace parse_allocation_trace(std::string_view text,
                                       std::string_view name);

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_ALLOCATION_TRACE_H_
