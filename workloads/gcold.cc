#include "workloads/gcold.h"

#include <algorithm>
#include <random>
#include <string>

#include "heap/errors.h"

namespace gclab {
namespace {

// The original's INSIGNIFICANT: a promotion budget left under this many
// bytes is not spent.
constexpr std::uint64_t kInsignificantBytes = 999;
// A tree of this height is 16M nodes, 768 MiB: taller ones fit no heap here.
constexpr int kMaxTreeHeight = 24;
constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;
// Loops that do not allocate poll a safepoint this often.
constexpr std::int64_t kSafepointInterval = 4096;

constexpr ObjectShape kNodeShape{.num_refs = 2,
                                 .payload_bytes = sizeof(GcoldTrees::Stamp)};
// An int[100] of the original's 4-byte ints; its stamp fills the first 16.
constexpr ObjectShape kYoungShape{.payload_bytes = GcoldTrees::kYoungWords *
                                                   sizeof(std::uint32_t)};
static_assert(kYoungShape.payload_bytes >= sizeof(GcoldTrees::Stamp));

// Murmur3's 64-bit finaliser (Appleby), as leak's and graph-churn's check
// words: the same on every platform.
std::uint64_t finalise(std::uint64_t z) {
  z ^= z >> 33;
  z *= 0xff51afd7ed558ccdULL;
  z ^= z >> 33;
  z *= 0xc4ceb9fe1a85ec53ULL;
  return z ^ (z >> 33);
}

void require_range(std::string_view name, std::int64_t value, std::int64_t low,
                   std::int64_t high) {
  if (value < low || value > high) {
    throw ConfigError("gcold: " + std::string(name) + " is " +
                      std::to_string(value) + ", expected " +
                      std::to_string(low) + ".." + std::to_string(high));
  }
}

[[noreturn]] void fail(std::string_view what, const std::string& problem) {
  throw WorkloadCheckFailed("gcold: " + std::string(what) + ": " + problem);
}

}  // namespace

std::int64_t gcold_tree_nodes(int height) {
  return (std::int64_t{1} << height) - 1;
}

std::uint64_t gcold_tree_bytes(int height) {
  return static_cast<std::uint64_t>(gcold_tree_nodes(height)) *
         kNodeShape.size_bytes();
}

int gcold_bytes_to_height(std::uint64_t bytes) {
  int height = 0;
  while (height < 62 && gcold_tree_bytes(height + 1) <= bytes) ++height;
  return height;
}

std::int64_t gcold_tree_count(const GcoldParams& params) {
  return static_cast<std::int64_t>(
      params.live_size /
      gcold_tree_bytes(static_cast<int>(params.tree_height)));
}

void check_gcold_params(const GcoldParams& params) {
  require_range("tree-height", params.tree_height, 2, kMaxTreeHeight);
  require_range("work", params.work, 0, 1000000);
  require_range("ratio", params.ratio, 1, kMaxCount);
  require_range("mutations", params.mutations, 0, kMaxCount);
  require_range("steps", params.steps, 0, kMaxCount);
  require_range("check-interval", params.check_interval, 0, kMaxCount);
  require_range("step-size", static_cast<std::int64_t>(params.step_size),
                1 << 10, 1 << 30);
  const std::uint64_t tree_bytes =
      gcold_tree_bytes(static_cast<int>(params.tree_height));
  const std::int64_t trees = gcold_tree_count(params);
  if (trees < 1 || trees > static_cast<std::int64_t>(kMaxRefs)) {
    throw ConfigError(
        "gcold: live-size is " + std::to_string(params.live_size) + " bytes, " +
        std::to_string(trees) + " trees of height " +
        std::to_string(params.tree_height) + " (" + std::to_string(tree_bytes) +
        " bytes each); expected 1.." + std::to_string(kMaxRefs) +
        " trees (change live-size or tree-height)");
  }
}

GcoldParams gcold_params(const ParamValues& values) {
  GcoldParams params{.live_size = values.get_size("live-size"),
                     .work = values.get_int("work"),
                     .ratio = values.get_int("ratio"),
                     .mutations = values.get_int("mutations"),
                     .steps = values.get_int("steps"),
                     .tree_height = values.get_int("tree-height"),
                     .step_size = values.get_size("step-size"),
                     .check_interval = values.get_int("check-interval")};
  check_gcold_params(params);
  return params;
}

GcoldTrees::GcoldTrees(Mutator& mutator, std::uint64_t salt)
    : mutator_(mutator),
      node_site_(mutator.heap().register_site("gcold.tree-node")),
      table_site_(mutator.heap().register_site("gcold.tree-table")),
      young_site_(mutator.heap().register_site("gcold.young")),
      salt_(salt) {}

std::uint64_t GcoldTrees::id_hash(std::uint64_t id) { return finalise(id); }

std::uint32_t GcoldTrees::check_word(std::uint64_t id,
                                     std::uint32_t height) const {
  return static_cast<std::uint32_t>(
      finalise(id ^ salt_ ^ (std::uint64_t{height} << 56)) >> 32);
}

void GcoldTrees::stamp(Object* object, int height) {
  std::uint64_t id = next_id_++;
  auto h = static_cast<std::uint32_t>(height);
  *object->payload_as<Stamp>() = {
      .id = id, .height = h, .check = check_word(id, h)};
}

Object* GcoldTrees::make_tree(int height) {
  if (height == 0) return nullptr;
  ObjectShape shape = kNodeShape;
  shape.site = node_site_;
  Root node(mutator_, mutator_.allocate(shape));
  stamp(node.get(), height);
  ++nodes_made_;
  Object* left = make_tree(height - 1);
  mutator_.write(node.get(), kLeft, left);
  Object* right = make_tree(height - 1);
  mutator_.write(node.get(), kRight, right);
  return node.get();
}

Object* GcoldTrees::make_table(std::int64_t trees) {
  return mutator_.allocate(ObjectShape{
      .site = table_site_, .num_refs = static_cast<std::uint16_t>(trees)});
}

Object* GcoldTrees::make_young() {
  ObjectShape shape = kYoungShape;
  shape.site = young_site_;
  Object* young = mutator_.allocate(shape);
  stamp(young, 0);
  return young;
}

void GcoldTrees::check_node(Object* object, int height,
                            std::string_view what) const {
  const std::string expected = "a node of height " + std::to_string(height);
  if (object == nullptr) fail(what, "found null where " + expected + " was");
  if (!object->is_object() || object->site() != node_site_ ||
      object->num_refs() != 2 || object->payload_bytes() < sizeof(Stamp)) {
    fail(what, "found an object of site " + std::to_string(object->site()) +
                   " with " + std::to_string(object->num_refs()) +
                   " refs where " + expected + " was");
  }
  const Stamp& s = *object->payload_as<Stamp>();
  if (s.id == 0 || s.id >= next_id_ || s.check != check_word(s.id, s.height)) {
    fail(what, "node " + std::to_string(s.id) + " has a bad check word");
  }
  if (s.height != static_cast<std::uint32_t>(height)) {
    fail(what, "node " + std::to_string(s.id) + " has height " +
                   std::to_string(s.height) + " where " + expected + " was");
  }
}

void GcoldTrees::walk(Root& node, int height, int depth, std::string_view what,
                      GcoldTally& tally) {
  mutator_.safepoint();
  check_node(node.get(), height, what);
  const Stamp& s = *node.get()->payload_as<Stamp>();
  ++tally.nodes;
  tally.id_sum += id_hash(s.id);
  tally.digest = finalise(tally.digest ^ s.id);
  for (std::size_t slot : {kLeft, kRight}) {
    if (height == 1) {
      if (mutator_.read(node.get(), slot) != nullptr) {
        fail(what, "leaf " + std::to_string(s.id) + " at depth " +
                       std::to_string(depth) + " has a child");
      }
      continue;
    }
    Root child(mutator_, mutator_.read(node.get(), slot));
    walk(child, height - 1, depth + 1, what, tally);
  }
}

GcoldTally GcoldTrees::check_tree(Root& tree, int height,
                                  std::string_view what) {
  GcoldTally tally;
  walk(tree, height, 0, what, tally);
  return tally;
}

void GcoldTrees::check_young(Object* young, std::uint64_t id) const {
  if (young == nullptr || !young->is_object() || young->site() != young_site_ ||
      young->num_refs() != 0 ||
      young->payload_bytes() < kYoungShape.payload_bytes) {
    fail("the last young object", "is not a young object");
  }
  const Stamp& s = *young->payload_as<Stamp>();
  if (s.id != id || s.height != 0 || s.check != check_word(id, 0)) {
    fail("the last young object", "is not object " + std::to_string(id) +
                                      " intact (it holds id " +
                                      std::to_string(s.id) + ")");
  }
}

void GcoldTrees::check_table(Object* table, std::int64_t trees) const {
  if (table == nullptr || !table->is_object() || table->site() != table_site_ ||
      table->num_refs() != trees) {
    fail("the tree table",
         "is not a table of " + std::to_string(trees) + " trees");
  }
}

namespace {

// One instance's run: the original's globals (the table, the roving index,
// the counters) and its steps.
class GcoldRun {
 public:
  GcoldRun(Mutator& mutator, const GcoldParams& params, std::uint64_t seed)
      : mutator_(mutator),
        params_(params),
        height_(static_cast<int>(params.tree_height)),
        tree_count_(gcold_tree_count(params)),
        random_(seed),
        trees_(mutator, random_()),
        work_state_(random_() | 1),
        table_(mutator),
        young_(mutator) {}

  // The original's init: the table, then its trees.
  void init() {
    table_ = trees_.make_table(tree_count_);
    for (std::int64_t i = 0; i < tree_count_; ++i) {
      Object* tree = make_counted_tree(height_);
      mutator_.write(table_.get(), i, tree);
    }
  }

  // The original's doStep: its old-generation allocation may mutate
  // pointers, and the swaps make up the rest of the step's mutations.
  void step(std::int64_t index) {
    const std::int64_t mutations_before = mutations_;
    allocate_young();
    do_mutator_work();
    allocate_old(params_.step_size / static_cast<std::uint64_t>(params_.ratio));
    const std::int64_t swaps =
        std::max<std::int64_t>(
            0, mutations_before + params_.mutations - mutations_) /
        2;
    for (std::int64_t i = 0; i < swaps; ++i) swap_subtrees();
    ++checks_;  // the young objects and every path walked this step
    if (params_.check_interval > 0 &&
        (index + 1) % params_.check_interval == 0) {
      Root tree(mutator_, tree_at(next_checked_));
      trees_.check_tree(tree, height_, "a periodically checked tree");
      ++checks_;
      next_checked_ = (next_checked_ + 1) % tree_count_;
    }
  }

  // Walks the whole old generation and holds it to the counts kept.
  void finish(WorkloadReport& report) {
    trees_.check_table(table_.get(), tree_count_);
    if (young_id_ != 0) trees_.check_young(young_.get(), young_id_);
    GcoldTally all;
    for (std::int64_t i = 0; i < tree_count_; ++i) {
      Root tree(mutator_, tree_at(i));
      GcoldTally one = trees_.check_tree(tree, height_, "a final tree");
      all.nodes += one.nodes;
      all.id_sum += one.id_sum;
      all.digest = finalise(all.digest ^ one.digest);
    }
    const std::int64_t expected_nodes = tree_count_ * gcold_tree_nodes(height_);
    if (all.nodes != live_nodes_ || all.nodes != expected_nodes) {
      fail("the old generation",
           "holds " + std::to_string(all.nodes) + " nodes, expected " +
               std::to_string(expected_nodes) + " (counted " +
               std::to_string(live_nodes_) + ")");
    }
    if (all.id_sum != live_id_sum_) {
      fail("the old generation",
           "holds other nodes than were allocated and not dropped");
    }
    checks_ += 2;

    report.checks_passed = checks_;
    std::uint64_t checksum = finalise(work_state_);
    for (std::uint64_t value :
         {young_bytes_, static_cast<std::uint64_t>(promoted_nodes_),
          static_cast<std::uint64_t>(mutations_), all.id_sum, all.digest}) {
      checksum = finalise(checksum ^ value);
    }
    report.checksum = checksum == 0 ? 1 : checksum;
    auto print = [&report](std::string line) {
      report.output.push_back(std::move(line));
    };
    print("Allocated " + std::to_string(young_bytes_) +
          " bytes of young garbage");
    print("Promoted " +
          std::to_string(static_cast<std::uint64_t>(promoted_nodes_) *
                         kNodeShape.size_bytes()) +
          " bytes (" + std::to_string(promoted_nodes_) + " nodes)");
    print("Mutated " + std::to_string(mutations_) + " pointers");
    print("Checked " + std::to_string(all.nodes) + " nodes in " +
          std::to_string(tree_count_) + " perfect trees of height " +
          std::to_string(height_));
  }

 private:
  Object* tree_at(std::int64_t index) {
    return mutator_.read(table_.get(), static_cast<std::size_t>(index));
  }

  // Builds a tree and adds its nodes to the counts, from the ids it was
  // given (consecutive), not from the heap.
  Object* make_counted_tree(int height) {
    const std::uint64_t first = trees_.last_id() + 1;
    Object* tree = trees_.make_tree(height);
    for (std::uint64_t id = first; id <= trees_.last_id(); ++id) {
      live_id_sum_ += GcoldTrees::id_hash(id);
    }
    live_nodes_ += gcold_tree_nodes(height);
    return tree;
  }

  // Checks a tree or subtree that was just unlinked and takes its nodes off
  // the counts.
  void drop(Root& old, int height, std::string_view what) {
    GcoldTally tally = trees_.check_tree(old, height, what);
    live_nodes_ -= tally.nodes;
    live_id_sum_ -= tally.id_sum;
    ++checks_;
  }

  // doYoungGenAlloc: the last object stays reachable, and is checked when
  // the next replaces it.
  void allocate_young() {
    std::uint64_t allocated = 0;
    while (allocated < params_.step_size) {
      if (young_.get() != nullptr) trees_.check_young(young_.get(), young_id_);
      Object* young = trees_.make_young();
      young_id_ = trees_.last_id();
      young_ = young;
      allocated += young->size_bytes();
    }
    young_bytes_ += allocated;
  }

  // doMutWork: work * step-size / 10 iterations of a xorshift step
  // (Marsaglia 2003), a serial dependency no compiler folds away.
  void do_mutator_work() {
    const std::uint64_t iterations =
        static_cast<std::uint64_t>(params_.work) * params_.step_size / 10;
    std::uint64_t x = work_state_;
    for (std::uint64_t done = 0; done < iterations;) {
      mutator_.safepoint();
      const std::uint64_t end = std::min<std::uint64_t>(
          iterations, done + static_cast<std::uint64_t>(kSafepointInterval));
      for (; done < end; ++done) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
      }
    }
    work_state_ = x;
  }

  // oldGenAlloc: whole trees replace the oldest whole trees; the rest of
  // the budget goes into ever smaller trees grafted into the next trees.
  void allocate_old(std::uint64_t bytes) {
    const std::uint64_t tree_bytes = gcold_tree_bytes(height_);
    for (std::uint64_t i = 0; i < bytes / tree_bytes; ++i) {
      replace_tree(where_);
      where_ = (where_ + 1) % tree_count_;
    }
    for (std::uint64_t left = bytes % tree_bytes; left > kInsignificantBytes;) {
      int height = gcold_bytes_to_height(left);
      replace_subtree(where_, height);
      where_ = (where_ + 1) % tree_count_;
      left -= gcold_tree_bytes(height);
    }
  }

  void replace_tree(std::int64_t index) {
    Root fresh(mutator_, make_counted_tree(height_));
    Root old(mutator_, tree_at(index));
    mutator_.write(table_.get(), static_cast<std::size_t>(index), fresh.get());
    drop(old, height_, "a replaced tree");
    promoted_nodes_ += gcold_tree_nodes(height_);
  }

  // replaceTree on a perfect tree: descend, alternating sides from the
  // side the new subtree's height picks (left for an even one), to the node
  // one taller than the new subtree, and replace its child on that side.
  void replace_subtree(std::int64_t index, int height) {
    Root fresh(mutator_, make_counted_tree(height));
    bool left = height % 2 == 0;
    int node_height = height_;
    Object* node = tree_at(index);
    trees_.check_node(node, node_height, "a replacement path");
    for (; node_height > height + 1; --node_height, left = !left) {
      node = mutator_.read(node, left ? GcoldTrees::kLeft : GcoldTrees::kRight);
      trees_.check_node(node, node_height - 1, "a replacement path");
    }
    const std::size_t slot = left ? GcoldTrees::kLeft : GcoldTrees::kRight;
    Root old(mutator_, mutator_.read(node, slot));
    mutator_.write(node, slot, fresh.get());
    drop(old, height, "a replaced subtree");
    promoted_nodes_ += gcold_tree_nodes(height);
    ++mutations_;
  }

  // oldGenSwapSubtrees: two random trees (perhaps the same one), a random
  // depth and path; the subtrees below the two nodes there trade places.
  // Nothing allocates or polls here, so raw pointers are safe.
  void swap_subtrees() {
    const auto count = static_cast<std::uint64_t>(tree_count_);
    const auto first = static_cast<std::int64_t>(random_() % count);
    const auto second = static_cast<std::int64_t>(random_() % count);
    const int depth = static_cast<int>(random_() % height_);
    std::uint64_t path = random_();
    Object* a = tree_at(first);
    Object* b = tree_at(second);
    for (int level = 0;; ++level, path >>= 1) {
      trees_.check_node(a, height_ - level, "a swap path");
      trees_.check_node(b, height_ - level, "a swap path");
      const std::size_t slot =
          (path & 1) ? GcoldTrees::kRight : GcoldTrees::kLeft;
      if (level == depth) {
        Object* below_a = mutator_.read(a, slot);
        Object* below_b = mutator_.read(b, slot);
        check_below(below_a, height_ - level - 1);
        check_below(below_b, height_ - level - 1);
        mutator_.write(a, slot, below_b);
        mutator_.write(b, slot, below_a);
        break;
      }
      a = mutator_.read(a, slot);
      b = mutator_.read(b, slot);
    }
    mutations_ += 2;
  }

  // A swapped subtree's root: a node of `height`, or none below a leaf.
  void check_below(Object* node, int height) const {
    if (height > 0) {
      trees_.check_node(node, height, "a swapped subtree");
    } else if (node != nullptr) {
      fail("a swapped subtree", "a leaf has a child");
    }
  }

  Mutator& mutator_;
  const GcoldParams& params_;
  const int height_;
  const std::int64_t tree_count_;
  std::mt19937_64 random_;
  GcoldTrees trees_;
  std::uint64_t work_state_;  // the original's mutatorSum
  Root table_;
  Root young_;  // the original's aexport
  std::uint64_t young_id_ = 0;
  std::int64_t where_ = 0;  // the roving index of the oldest tree
  std::int64_t next_checked_ = 0;
  // What the original counts (youngBytes, nodes, actuallyMut), and the
  // counts of the old generation the final walk is held to.
  std::uint64_t young_bytes_ = 0;
  std::int64_t promoted_nodes_ = 0;
  std::int64_t mutations_ = 0;
  std::int64_t live_nodes_ = 0;
  std::uint64_t live_id_sum_ = 0;
  std::uint64_t checks_ = 0;
};

}  // namespace

GcoldWorkload::GcoldWorkload(GcoldParams params) : params_(params) {
  check_gcold_params(params_);
}

std::unique_ptr<Workload> GcoldWorkload::make(const ParamValues& params) {
  return std::make_unique<GcoldWorkload>(gcold_params(params));
}

WorkloadReport GcoldWorkload::run(Mutator& mutator, std::uint64_t seed) {
  WorkloadReport report;
  const int height = static_cast<int>(params_.tree_height);
  const std::int64_t trees = gcold_tree_count(params_);
  report.output = {
      std::to_string(params_.live_size) + " bytes of live storage",
      std::to_string(params_.work) + " work units per step",
      "promotion ratio is 1:" + std::to_string(params_.ratio),
      "pointer mutation rate is " + std::to_string(params_.mutations),
      std::to_string(params_.steps) + " steps",
      "Allocating " + std::to_string(trees) + " trees of height " +
          std::to_string(height) + " (" +
          std::to_string(trees * gcold_tree_bytes(height)) + " bytes, " +
          std::to_string(trees * gcold_tree_nodes(height)) + " nodes)",
  };
  GcoldRun run(mutator, params_, seed);
  run.init();
  report.output.push_back("Initialization complete...");
  for (std::int64_t step = 0; step < params_.steps; ++step) run.step(step);
  run.finish(report);
  return report;
}

}  // namespace gclab
