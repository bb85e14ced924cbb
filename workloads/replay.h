// replay: does again what a recorded run did to its heap (gclab run
// --record-trace FILE; the format is docs/trace-format.md), under any
// collector and allocator (docs/design.md#recording-and-replaying-traces).
//
// The trace is read and checked whole when the workload is made, so a
// malformed one is refused before the run (exit 2, with its line). Each
// step is then done through the Mutator as the recorded workload did it:
// the same allocations (shape and site), stores, reads, Roots and global
// roots, so the heap sees the same graph change in the same order and the
// run allocates the same objects and bytes.
//
// Objects are found by trace id in a table of addresses. Under a moving
// collector addresses go stale at a collection, so after one that moved
// objects (Heap::relocations) the table is refilled from the Roots and
// global roots, whose ids replay knows; everything else the trace names
// afterwards it reaches again by the reads the recorded workload made,
// which is exactly what the rooting contract required of that workload.
//
// Self-check: every recorded read must find what the recording read — the
// same object where that object is known here, null where it was null. A
// collector that freed or moved an object wrongly fails the run.
// Deterministic: with --mutators N each thread replays the whole trace on
// its own. A replaying mutator stops for collections only at allocations,
// where the recorded workload could stop; the trace does not record the
// recorded workload's explicit safepoint polls, so a long run of reads in
// it holds up other mutators' stops until its next allocation.
#ifndef GCLAB_WORKLOADS_REPLAY_H_
#define GCLAB_WORKLOADS_REPLAY_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/allocation_trace.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kReplayParams[] = {
    {"trace", ParamKind::kText, "",
     "the trace to replay, written by gclab run --record-trace FILE"},
};

class ReplayWorkload final : public Workload {
 public:
  explicit ReplayWorkload(AllocationTrace trace);
  ~ReplayWorkload() override;
  // Throws ConfigError without a trace, or for a malformed one.
  static std::unique_ptr<Workload> make(const ParamValues& params);

  const AllocationTrace& trace() const { return trace_; }

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

 private:
  class ObjectTable;
  // A table ready for the first run(), so that writing its pages (8 bytes
  // of address and 4 of epoch per traced object, hundreds of megabytes for
  // a long trace) happens before the run's clock, as reading the trace
  // does; further mutators make their own on their clock.
  std::unique_ptr<ObjectTable> take_table();

  const AllocationTrace trace_;
  const std::uint64_t checksum_;
  std::mutex prepared_table_mutex_;
  std::unique_ptr<ObjectTable> prepared_table_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_REPLAY_H_
