// The Workload interface: a synthetic program that allocates, mutates and
// checks its own results, through the Mutator API only.
//
// A workload is deterministic for a seed. With --mutators N the harness runs
// N instances at once, one per thread, each on its own Mutator with seed
// (run seed + thread index), as multi-threaded GCBench does. An instance that
// finds its own data corrupted throws WorkloadCheckFailed.
#ifndef GCLAB_WORKLOADS_WORKLOAD_H_
#define GCLAB_WORKLOADS_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "heap/mutator.h"

namespace gclab {

struct WorkloadReport {
  std::uint64_t checks_passed = 0;  // how many self-checks held
  // A digest of what the instance computed and checked, the same for the
  // same seed and parameters under every collector; 0 for a workload that
  // keeps none.
  std::uint64_t checksum = 0;
  std::vector<std::string> output;  // what the program would print
};

class Workload {
 public:
  virtual ~Workload() = default;
  virtual WorkloadReport run(Mutator& mutator, std::uint64_t seed) = 0;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_WORKLOAD_H_
