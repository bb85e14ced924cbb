// gcold: an old generation under steady mutation, after Boehm and
// Detlefs' GCOld (docs/design.md#workloads).
//
// GCOld was written to stress old-space collection: a large live set of
// binary trees that a young-generation collector cannot avoid tracing
// sooner or later, young garbage allocated at a steady rate beside it, a
// steady promotion of new objects into the old trees, and pointer
// mutations that rewire the old trees, so old objects die and old-to-old
// references change all the time. This workload keeps that structure:
//   1. it builds `live-size` bytes of old trees, each a complete binary tree
//      of depth `tree-depth`, held in one array object (site gcold.roots);
//   2. each of `steps` steps allocates `young` nodes of short-lived garbage
//      (trees of depth `young-depth`, site gcold.young, dropped at once);
//   3. promotes one node per `promote-rate` young ones: it builds a new
//      subtree of depth `promote-depth` (site gcold.old) and puts it in
//      place of a random old subtree of the same depth, which dies;
//   4. makes `mutations` pointer mutations: it swaps two random old
//      subtrees of the same depth, in the same tree or in two;
//   5. checks one old tree whole, round robin.
// What it follows: the live size, the young work per step, the promotion
// rate and the pointer-mutation rate are GCOld's four knobs, and its old
// trees of fixed depth. Where it differs: GCOld counts work in abstract
// units and spends some of them in a loop that allocates nothing; here
// every unit is an allocation, so the young allocation rate is the knob.
// Every operation keeps each old tree complete, so the old generation's
// size is constant: old trees × (2^(tree-depth+1) − 1) nodes.
//
// Every node carries an id and a check word (a hash of the id and a salt
// drawn from the seed); a check reads every node of a tree and its shape.
// At the end every old tree is checked, and the node count against the
// constant above. Deterministic for a seed; with --mutators N each thread
// runs an instance of its own.
#ifndef GCLAB_WORKLOADS_GCOLD_H_
#define GCLAB_WORKLOADS_GCOLD_H_

#include <cstdint>
#include <memory>

#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kGcoldParams[] = {
    {"live-size", ParamKind::kSize, "32M",
     "bytes of old trees, kept live for the whole run"},
    {"tree-depth", ParamKind::kInt, "10",
     "depth of each old tree (2^(depth+1) - 1 nodes)"},
    {"steps", ParamKind::kInt, "1000", "steps run"},
    {"young", ParamKind::kInt, "20000", "short-lived nodes allocated per step"},
    {"young-depth", ParamKind::kInt, "3",
     "depth of the short-lived trees (at most 16)"},
    {"promote-rate", ParamKind::kInt, "10",
     "young nodes per node promoted into the old trees"},
    {"promote-depth", ParamKind::kInt, "4",
     "depth of the subtrees promoted (below tree-depth)"},
    {"mutations", ParamKind::kInt, "100",
     "old subtrees swapped per step (pointer mutations)"},
};

struct GcoldParams {
  std::uint64_t live_size = std::uint64_t{32} << 20;
  std::int64_t tree_depth = 10;
  std::int64_t steps = 1000;
  std::int64_t young = 20000;
  std::int64_t young_depth = 3;
  std::int64_t promote_rate = 10;
  std::int64_t promote_depth = 4;
  std::int64_t mutations = 100;
};

// Bytes of one node (two child slots, an id and a check word), and of a
// complete tree of `depth`.
std::uint64_t gcold_node_bytes();
std::uint64_t gcold_tree_nodes(std::int64_t depth);

class GcoldWorkload final : public Workload {
 public:
  // Throws ConfigError for a parameter out of range.
  explicit GcoldWorkload(GcoldParams params);
  static std::unique_ptr<Workload> make(const ParamValues& params);

  // How many old trees `live-size` gives.
  std::int64_t old_trees() const { return old_trees_; }

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

 private:
  const GcoldParams params_;
  std::int64_t old_trees_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_GCOLD_H_
