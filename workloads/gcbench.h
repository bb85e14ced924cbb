// GCBench: the classic collector benchmark of John Ellis and Pete Kovac,
// as modified by Hans Boehm, rebuilt on the Mutator API.
//
// Phases, in the original's order:
//   1. a stretch tree (MakeTree(stretch-depth)), dropped at once;
//   2. a long-lived tree, built top down (Populate(long-lived-depth) into a
//      fresh node), kept to the end;
//   3. a long-lived array of array-size doubles, a[i] = 1.0/i (a[0] = 0);
//   4. for d = min-depth, min-depth+2, ..., max-depth: NumIters(d) trees
//      built top down, then NumIters(d) built bottom up (MakeTree(d)), each
//      dropped, where NumIters(d) = 2 * TreeSize(stretch) / TreeSize(d) and
//      TreeSize(d) = 2^(d+1) - 1 nodes, so every depth allocates about as
//      much as two stretch trees.
// A node has two reference slots (left, right) and two int32s of payload,
// which we fill so the tree can be checked: i is the node's height and j its
// heap-order index (root 1, children 2k and 2k+1).
//
// Invariant checked: every tree built (stretch, each temporary one, and the
// long-lived one at the end) has exactly TreeSize(d) nodes and the checksum
// of an intact tree of depth d; the array still holds 1.0/i everywhere. The
// checksum is order-sensitive (a hash chained in pre-order), so it catches
// swapped, lost, duplicated or overwritten nodes, not only a wrong count.
//
// With holes > 0 a garbage object whose size follows a bounded power law
// (8..holes bytes) is allocated before every tree node, as multi-threaded
// GCBench variants do to fragment a non-moving heap.
//
// Every object kept across an allocation is held in a Root and re-read
// through it afterwards, so the workload is correct under moving collectors.
#ifndef GCLAB_WORKLOADS_GCBENCH_H_
#define GCLAB_WORKLOADS_GCBENCH_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "heap/heap.h"
#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kGcbenchParams[] = {
    {"stretch-depth", ParamKind::kInt, "18",
     "depth of the tree built once to stretch the heap"},
    {"long-lived-depth", ParamKind::kInt, "16",
     "depth of the tree kept alive for the whole run"},
    {"array-size", ParamKind::kInt, "500000",
     "doubles in the long-lived array"},
    {"min-depth", ParamKind::kInt, "4",
     "depth of the smallest temporary trees"},
    {"max-depth", ParamKind::kInt, "16",
     "depth of the largest temporary trees (depths step by 2)"},
    {"holes", ParamKind::kInt, "0",
     "0, or the largest garbage object (bytes, >= 8) allocated before each "
     "tree node to fragment the heap"},
    {"check-temp-trees", ParamKind::kFlag, "0",
     "1: also check every temporary and stretch tree right after building "
     "it (catches collector bugs early, but doubles the mutator's work); 0: "
     "the classic program, which checks the long-lived data at the end"},
};

struct GcbenchParams {
  std::int64_t stretch_depth = 18;
  std::int64_t long_lived_depth = 16;
  std::int64_t array_size = 500000;
  std::int64_t min_depth = 4;
  std::int64_t max_depth = 16;
  std::int64_t holes = 0;
  bool check_temp_trees = false;
};

// The deepest tree GCBench accepts: its heap-order indices fill an int32.
inline constexpr int kGcbenchMaxDepth = 30;

// Reads the parameters and checks they are ones GCBench can run with;
// throws ConfigError naming the first that is not.
GcbenchParams gcbench_params(const ParamValues& values);

// Nodes of a tree of depth d (a single node has depth 0).
std::int64_t gcbench_tree_size(int depth);
// How many temporary trees of depth d GCBench builds each way.
std::int64_t gcbench_num_iters(int stretch_depth, int depth);

// A tree's node count and an order-sensitive checksum of its (i, j)
// payloads, folded node by node in pre-order (left before right).
struct GcbenchTreeTally {
  std::int64_t nodes = 0;
  std::uint64_t checksum = 0;

  void visit(std::int32_t i, std::int32_t j);
};

// What an intact tree of `depth` tallies, from heap-order arithmetic alone.
GcbenchTreeTally gcbench_intact_tree_tally(int depth);

// The payload sizes of hole objects: a bounded Pareto law (shape 1) between
// 8 and `max_bytes` (>= 8), from a generator seeded with `seed`, so the same
// seed gives the same sequence on every run.
class HoleSizes {
 public:
  HoleSizes(std::uint32_t max_bytes, std::uint64_t seed);
  std::uint32_t next();

 private:
  std::uint32_t max_bytes_;
  std::uint64_t state_;
};

// The allocation sites GCBench tags its objects with.
struct GcbenchSites {
  std::uint16_t tree_node;
  std::uint16_t array;
  std::uint16_t hole;

  static GcbenchSites register_in(Heap& heap);
};

// GCBench's building blocks on one mutator, exposed so that tests can build
// a piece of the workload, damage it and run the checks on it.
class GcbenchTrees {
 public:
  static constexpr std::size_t kLeft = 0;
  static constexpr std::size_t kRight = 1;
  struct NodePayload {
    std::int32_t i;  // height of the node's subtree
    std::int32_t j;  // heap-order index
  };

  // `holes` is 0 or the largest hole in bytes; `seed` feeds the hole sizes.
  GcbenchTrees(Mutator& mutator, std::uint32_t holes, std::uint64_t seed);

  // Top down: a fresh node, then Populate(depth, node).
  Object* make_populated_tree(int depth);
  // Bottom up: MakeTree(depth).
  Object* make_tree(int depth);
  // A payload-only object of `size` doubles, a[i] = 1.0/i, a[0] = 0.
  Object* make_array(std::int64_t size);

  // Throw WorkloadCheckFailed (naming `what`) unless `tree` is an intact tree
  // of `depth`, or `array` an intact array of `size` doubles.
  // Each call is one check of the report's checks_passed.
  void check_tree(Object* tree, int depth, std::string_view what);
  void check_array(Object* array, std::int64_t size);

 private:
  Object* new_node(int height, std::int64_t index);
  void populate(int depth, Root& node, std::int64_t index);
  Object* make_subtree(int depth, std::int64_t index);
  std::uint64_t expected_checksum(int depth);

  Mutator& mutator_;
  GcbenchSites sites_;
  std::optional<HoleSizes> hole_sizes_;  // empty without holes
  // By depth, computed on first use: the temporary trees repeat few depths.
  std::array<std::optional<std::uint64_t>, kGcbenchMaxDepth + 1>
      expected_checksums_;
};

class GcbenchWorkload final : public Workload {
 public:
  // `params` as gcbench_params returns them.
  explicit GcbenchWorkload(GcbenchParams params);
  static std::unique_ptr<Workload> make(const ParamValues& params);

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

 private:
  GcbenchParams params_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_GCBENCH_H_
