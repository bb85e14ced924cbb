// binary-trees from the Computer Language Benchmarks Game, on the Mutator API.
//
// The rules: with min-depth 4 and max-depth n,
//   1. build a stretch tree of depth n+1, check it, print its check, drop it;
//   2. build a long-lived tree of depth n, kept until the end;
//   3. for d = min-depth, min-depth+2, ..., n: build 2^(n-d+min-depth) trees
//      of depth d bottom up, each checked and dropped, and print the sum of
//      their checks;
//   4. print the long-lived tree's check.
// A node has two reference slots and no payload; a tree of depth 0 is one
// node; check(tree) counts its nodes.
//
// Invariant checked: every printed check equals what the formula gives for an
// intact tree (a tree of depth d has 2^(d+1) - 1 nodes), so a collector that
// frees or overwrites a reachable node fails the run.
#ifndef GCLAB_WORKLOADS_BINARY_TREES_H_
#define GCLAB_WORKLOADS_BINARY_TREES_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kBinaryTreesParams[] = {
    {"max-depth", ParamKind::kInt, "21",
     "depth of the long-lived tree (the stretch tree is one deeper)"},
    {"min-depth", ParamKind::kInt, "4", "depth of the smallest trees"},
};

// Deep enough for any heap this machine holds; keeps counts in 64 bits.
inline constexpr int kBinaryTreesMaxDepth = 40;

// What check() gives for an intact tree of `depth`: 2^(depth+1) - 1.
std::int64_t binary_trees_expected_check(int depth);

// bottomUpTree(depth), its nodes tagged with `site`.
Object* bottom_up_tree(Mutator& mutator, std::uint16_t site, int depth);
// itemCheck(tree): the number of nodes reachable from `tree`. Throws
// WorkloadCheckFailed if the tree goes deeper than `depth`, so that a
// corrupted (even cyclic) tree ends the walk.
std::int64_t item_check(Mutator& mutator, Object* tree, int depth);
// Throws WorkloadCheckFailed unless `check` is what a tree of `depth` gives
// `trees` times over; `what` names the line of output it belongs to.
void verify_check(std::int64_t check, int depth, std::int64_t trees,
                  std::string_view what);

class BinaryTreesWorkload final : public Workload {
 public:
  // Throws ConfigError unless 0 <= min-depth and min-depth + 2 <= max-depth.
  BinaryTreesWorkload(int max_depth, int min_depth);
  static std::unique_ptr<Workload> make(const ParamValues& params);

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

 private:
  int max_depth_;
  int min_depth_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_BINARY_TREES_H_
