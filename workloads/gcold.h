// GCOld: David Detlefs's stress test of old-generation collection (Sun,
// 2000; rewritten by William Clinger for version 1.0), rebuilt on the
// Mutator API. Design note: docs/design.md#workloads.
//
// What it models. Server programs whose data lives about as long as a user's
// session: much young garbage, and long-lived data that dies in FIFO order,
// so the oldest objects are the likeliest to be garbage and the old
// generation keeps being rewired. GCOld keeps an array of perfect binary
// trees (the old generation, `live-size` bytes of them) and then runs
// `steps` steps, each of which
//   1. allocates `step-size` bytes of young garbage in 100-word objects, the
//      last one always reachable (the original's `aexport`);
//   2. does `work` units of mutator work that does not allocate (a loop of
//      work * step-size / 10 iterations, the original's doMutWork);
//   3. allocates step-size / `ratio` bytes of new trees, the promotion: whole
//      trees replace the oldest whole trees (a roving index), and what is
//      left of the budget goes into smaller perfect trees, each replacing a
//      subtree of the same height in the next tree (the original's
//      oldGenAlloc and replaceTree), until under 999 bytes remain;
//   4. swaps random pairs of subtrees at the same depth and path in two
//      random trees until the step's pointer mutations (replacements count
//      one, a swap two) reach `mutations` (oldGenSwapSubtrees).
// Replacement and swaps both keep every tree perfect, of height
// `tree-height`, with each node's value the height of its subtree: the
// invariant the original's checkTrees asserts (a check its main left
// commented out).
//
// Where we differ, and why:
//   - sizes are the real ones: a node here is 48 bytes (header, two slots,
//     and a 16-byte stamp) where the original assumed 20, and a young object
//     is 16 + 400 bytes, so `live-size` buys fewer, not smaller, trees; the
//     original's megabyte was 10^6 bytes, ours a MiB (gclab's sizes are
//     binary throughout);
//   - the original's constants treeHeight (14) and the step's MEG are
//     parameters (`tree-height`, `step-size`), so that the test matrix can
//     run the same program in a 4 MiB heap;
//   - the random choices come from a seeded generator, so a run is
//     deterministic for a seed; the original used an unseeded one;
//   - the work loop is a xorshift recurrence, which a compiler cannot fold
//     into one addition as it can the original's `sum++`;
//   - the checks below are ours, and cost reads the original does not make:
//     walking each dropped tree reads about as many nodes as promotion
//     allocates, and the periodic check one tree more per `check-interval`
//     steps (0 turns it off);
//   - replaceTree's walk handles trees that are not perfect; here a tree
//     that is not perfect is a failed check, so the walk descends, direction
//     alternating as in the original, to the node one taller than the new
//     subtree and replaces its child on that side.
//
// What it checks. Every node carries its id, its height and a check word
// (a hash of both and a salt from the seed), verified wherever it is read:
// on every swap and replacement path, which also asserts each node's height
// is the tree height minus its depth. Every subtree or tree that is
// replaced is walked whole before it is dropped: it must be perfect, of the
// height replaced, every node intact. Every `check-interval` steps one tree,
// round robin, is walked and checked whole, and every young object is
// checked when the next one replaces it. The run keeps a count of the old
// generation's nodes and a sum of their ids' hashes (adding each new tree,
// subtracting each dropped one as its walk tallies it); at the end every
// tree is walked and the totals must match. The report's checksum folds the
// work loop's result, the counts, and an order-sensitive digest of the
// final trees, which depends on every swap the seed chose.
//
// With --mutators N every thread runs an independent instance on its own
// seed, as multi-threaded GCBench does: the original is single-threaded, and
// independent old generations keep each thread's check self-contained. The
// workload object holds only its parameters.
//
// Every Object* kept across an allocation or a safepoint poll is in a Root
// and read again through it, so the workload is correct under moving
// collectors.
#ifndef GCLAB_WORKLOADS_GCOLD_H_
#define GCLAB_WORKLOADS_GCOLD_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "heap/heap.h"
#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kGcoldParams[] = {
    {"live-size", ParamKind::kSize, "32M",
     "old generation: bytes of trees kept live (rounded down to whole trees)"},
    {"work", ParamKind::kInt, "1",
     "mutator work per step that does not allocate (work * step-size / 10 "
     "loop iterations)"},
    {"ratio", ParamKind::kInt, "10",
     "ratio of short-lived to long-lived allocation: each step promotes "
     "step-size / ratio bytes of new trees"},
    {"mutations", ParamKind::kInt, "1000",
     "pointer mutations in the old trees per step (a subtree swap is two)"},
    {"steps", ParamKind::kInt, "1000", "steps of the steady state"},
    {"tree-height", ParamKind::kInt, "14",
     "height of each old tree (the original's treeHeight)"},
    {"step-size", ParamKind::kSize, "1M",
     "young garbage allocated per step (the original's megabyte)"},
    {"check-interval", ParamKind::kInt, "16",
     "every this many steps one old tree, round robin, is checked whole; 0: "
     "only at the end"},
};

struct GcoldParams {
  std::uint64_t live_size = std::uint64_t{32} << 20;
  std::int64_t work = 1;
  std::int64_t ratio = 10;
  std::int64_t mutations = 1000;
  std::int64_t steps = 1000;
  std::int64_t tree_height = 14;
  std::uint64_t step_size = std::uint64_t{1} << 20;
  std::int64_t check_interval = 16;
};

// Reads the parameters; throws ConfigError naming the first out of range
// (including a live size that holds no tree, or more trees than one object
// can point to).
GcoldParams gcold_params(const ParamValues& values);
void check_gcold_params(const GcoldParams& params);

// Nodes in a perfect tree of `height` (a single node has height 1, the
// empty tree 0, as in the original), and their bytes here.
std::int64_t gcold_tree_nodes(int height);
std::uint64_t gcold_tree_bytes(int height);
// The tallest perfect tree that fits in `bytes`.
int gcold_bytes_to_height(std::uint64_t bytes);
// How many trees the old generation holds.
std::int64_t gcold_tree_count(const GcoldParams& params);

// What a walk of some old trees found: node count, a sum of their ids'
// hashes (order-free, so it survives swaps), and a digest of their ids in
// pre-order (order-sensitive).
struct GcoldTally {
  std::int64_t nodes = 0;
  std::uint64_t id_sum = 0;
  std::uint64_t digest = 0;
};

// GCOld's objects on one mutator, exposed so that tests can build a tree,
// damage it and run the checks on it.
class GcoldTrees {
 public:
  static constexpr std::size_t kLeft = 0;
  static constexpr std::size_t kRight = 1;
  struct Stamp {
    std::uint64_t id;
    std::uint32_t height;  // of the node's subtree; 0 for a young object
    std::uint32_t check;   // hash of id, height and the run's salt
  };
  static constexpr std::uint32_t kYoungWords = 100;  // the original's
                                                     // WORDS_DEAD

  GcoldTrees(Mutator& mutator, std::uint64_t salt);

  // MakeTree(height): the parent first, then its left and right subtrees.
  Object* make_tree(int height);
  // An array of `trees` tree slots, the old generation's table.
  Object* make_table(std::int64_t trees);
  Object* make_young();

  // Throws WorkloadCheckFailed (naming `what`) unless `object` is an intact
  // tree node of `height`.
  void check_node(Object* object, int height, std::string_view what) const;
  // Walks the tree in `tree` whole: throws unless it is a perfect tree of
  // `height`, every node intact; returns its tally.
  GcoldTally check_tree(Root& tree, int height, std::string_view what);
  // Throws unless `young` is the intact young object stamped `id`.
  void check_young(Object* young, std::uint64_t id) const;
  void check_table(Object* table, std::int64_t trees) const;

  // The hash of `id` that tallies sum.
  static std::uint64_t id_hash(std::uint64_t id);
  // Ids are handed out in allocation order from 1.
  std::uint64_t last_id() const { return next_id_ - 1; }
  std::int64_t nodes_made() const { return nodes_made_; }

 private:
  void stamp(Object* object, int height);
  std::uint32_t check_word(std::uint64_t id, std::uint32_t height) const;
  void walk(Root& node, int height, int depth, std::string_view what,
            GcoldTally& tally);

  Mutator& mutator_;
  const std::uint16_t node_site_;
  const std::uint16_t table_site_;
  const std::uint16_t young_site_;
  const std::uint64_t salt_;
  std::uint64_t next_id_ = 1;
  std::int64_t nodes_made_ = 0;
};

class GcoldWorkload final : public Workload {
 public:
  // Throws ConfigError for a parameter out of range.
  explicit GcoldWorkload(GcoldParams params);
  static std::unique_ptr<Workload> make(const ParamValues& params);

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

 private:
  const GcoldParams params_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_GCOLD_H_
