// fragmentation: a workload that leaves a non-moving heap full of holes
// too small for what it asks for next (Wilson et al. 1995's worst case for
// any non-moving allocator).
//
//   1. fill: allocate `objects` small objects of `small` payload bytes,
//      linked in one list (each node's slot 0 is the next);
//   2. drop: unlink all but every `keep-every`-th, so the survivors are
//      spread over the whole filled region with a hole between each two;
//   3. grow: allocate `large-count` objects of `large` payload bytes, each
//      larger than any hole, linked in a second list;
//   4. check: walk both lists, checking every node's id and size.
// Between steps 2 and 3 nothing else is allocated, so every hole step 2
// left is as wide as the objects dropped from it. A non-moving collector
// over a free list can use only the space above the filled region for step
// 3 and runs out ("heap exhausted (fragmented: ...)") once that is gone,
// though the free bytes would be plenty; a compacting one slides the
// survivors together and fits. Every node kept across an allocation is
// reached again through a Root, so the workload is correct under moving
// collectors. Deterministic: it draws nothing at random.
#ifndef GCLAB_WORKLOADS_FRAGMENTATION_H_
#define GCLAB_WORKLOADS_FRAGMENTATION_H_

#include <cstdint>
#include <memory>

#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kFragmentationParams[] = {
    {"objects", ParamKind::kInt, "200000", "small objects allocated in step 1"},
    {"small", ParamKind::kInt, "48", "payload bytes of a small object"},
    {"keep-every", ParamKind::kInt, "2",
     "keep one small object in this many (at least 2)"},
    {"large", ParamKind::kInt, "1024",
     "payload bytes of a large object (more than the hole between two kept "
     "small objects)"},
    {"large-count", ParamKind::kInt, "8000",
     "large objects allocated in step 3"},
};

struct FragmentationParams {
  std::int64_t objects = 200000;
  std::int64_t small = 48;
  std::int64_t keep_every = 2;
  std::int64_t large = 1024;
  std::int64_t large_count = 8000;
};

class FragmentationWorkload final : public Workload {
 public:
  // Throws ConfigError for a parameter out of range, or a large object that
  // would fit a hole.
  explicit FragmentationWorkload(FragmentationParams params);
  static std::unique_ptr<Workload> make(const ParamValues& params);

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

 private:
  const FragmentationParams params_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_FRAGMENTATION_H_
