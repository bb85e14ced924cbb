#include "workloads/gcold.h"

#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"

namespace gclab {
namespace {

constexpr std::size_t kLeft = 0;
constexpr std::size_t kRight = 1;
constexpr std::uint32_t kStampBytes = 2 * sizeof(std::uint64_t);
constexpr ObjectShape kNodeShape{.num_refs = 2, .payload_bytes = kStampBytes};

// Murmur3's 64-bit finaliser (Appleby), as the other workloads' check words.
std::uint64_t finalise(std::uint64_t z) {
  z ^= z >> 33;
  z *= 0xff51afd7ed558ccdULL;
  z ^= z >> 33;
  z *= 0xc4ceb9fe1a85ec53ULL;
  return z ^ (z >> 33);
}

std::int64_t require(std::int64_t value, std::int64_t low, std::int64_t high,
                     const char* name) {
  if (value < low || value > high) {
    throw ConfigError("bad parameter " + std::string(name) + "=" +
                      std::to_string(value) + ": expected " +
                      std::to_string(low) + ".." + std::to_string(high));
  }
  return value;
}

// One instance's trees: shapes, stamps, building and checking.
class Forest {
 public:
  Forest(Mutator& mutator, std::int64_t old_trees, std::uint64_t salt)
      : mutator_(mutator),
        roots_{.site = mutator.heap().register_site("gcold.roots"),
               .num_refs = static_cast<std::uint16_t>(old_trees)},
        old_{.site = mutator.heap().register_site("gcold.old"),
             .num_refs = kNodeShape.num_refs,
             .payload_bytes = kNodeShape.payload_bytes},
        young_{.site = mutator.heap().register_site("gcold.young"),
               .num_refs = kNodeShape.num_refs,
               .payload_bytes = kNodeShape.payload_bytes},
        salt_(salt) {}

  ObjectShape roots() const { return roots_; }
  ObjectShape old_node() const { return old_; }
  ObjectShape young_node() const { return young_; }

  // A complete tree of `depth`, built bottom up, each child held in a Root
  // while its sibling is built. The result is unrooted: the caller roots
  // it before its next allocation.
  Object* build(std::int64_t depth, const ObjectShape& shape) {
    if (depth == 0) return stamped(shape);
    Root left(mutator_, build(depth - 1, shape));
    Root right(mutator_, build(depth - 1, shape));
    Object* node = stamped(shape);
    mutator_.write(node, kLeft, left.get());
    mutator_.write(node, kRight, right.get());
    return node;
  }

  // Reads every node of an old tree of `depth`: intact, complete, children
  // only above the leaves. Allocates nothing, so raw pointers are safe.
  // Returns the nodes read; folds their check words into `digest`.
  std::uint64_t check(Object* tree, std::int64_t depth, std::uint64_t& digest) {
    std::uint64_t nodes = 0;
    stack_.assign(1, {tree, 0});
    while (!stack_.empty()) {
      auto [node, level] = stack_.back();
      stack_.pop_back();
      if (node == nullptr || node->kind() != BlockKind::kObject ||
          node->site() != old_.site || node->num_refs() != old_.num_refs) {
        throw WorkloadCheckFailed("gcold: an old tree lost a node at depth " +
                                  std::to_string(level));
      }
      const auto* words = node->payload_as<std::uint64_t>();
      if (words[1] != finalise(words[0] ^ salt_)) {
        throw WorkloadCheckFailed("gcold: old node " +
                                  std::to_string(words[0]) +
                                  " has a wrong check word");
      }
      digest = finalise(digest ^ words[1]);
      ++nodes;
      Object* left = mutator_.read(node, kLeft);
      Object* right = mutator_.read(node, kRight);
      if (level == depth) {
        if (left != nullptr || right != nullptr) {
          throw WorkloadCheckFailed("gcold: a leaf of an old tree has a child");
        }
        continue;
      }
      stack_.push_back({right, level + 1});
      stack_.push_back({left, level + 1});
    }
    return nodes;
  }

 private:
  Object* stamped(const ObjectShape& shape) {
    Object* node = mutator_.allocate(shape);
    auto* words = node->payload_as<std::uint64_t>();
    words[0] = next_id_;
    words[1] = finalise(next_id_ ^ salt_);
    ++next_id_;
    return node;
  }

  Mutator& mutator_;
  const ObjectShape roots_;
  const ObjectShape old_;
  const ObjectShape young_;
  const std::uint64_t salt_;
  std::uint64_t next_id_ = 1;
  std::vector<std::pair<Object*, std::int64_t>> stack_;
};

// The node `levels` below `tree`, taking the child `path` picks at each.
Object* descend(Mutator& mutator, Object* tree, std::int64_t levels,
                std::uint64_t path) {
  for (std::int64_t i = 0; i < levels; ++i) {
    tree = mutator.read(tree, (path >> i) & 1);
  }
  return tree;
}

}  // namespace

std::uint64_t gcold_node_bytes() { return kNodeShape.size_bytes(); }

std::uint64_t gcold_tree_nodes(std::int64_t depth) {
  return (std::uint64_t{2} << depth) - 1;
}

GcoldWorkload::GcoldWorkload(GcoldParams params) : params_(params) {
  require(params.tree_depth, 1, 24, "tree-depth");
  require(params.steps, 0, std::int64_t{1} << 40, "steps");
  require(params.young, 0, std::int64_t{1} << 40, "young");
  require(params.young_depth, 0, 16, "young-depth");
  require(params.promote_rate, 1, std::int64_t{1} << 40, "promote-rate");
  require(params.promote_depth, 0, params.tree_depth - 1, "promote-depth");
  require(params.mutations, 0, std::int64_t{1} << 40, "mutations");
  const std::uint64_t tree_bytes =
      gcold_tree_nodes(params.tree_depth) * gcold_node_bytes();
  old_trees_ = static_cast<std::int64_t>(params.live_size / tree_bytes);
  if (old_trees_ < 1 || old_trees_ > static_cast<std::int64_t>(kMaxRefs)) {
    throw ConfigError(
        "bad parameter live-size=" + std::to_string(params.live_size) +
        ": expected room for 1.." + std::to_string(kMaxRefs) +
        " trees of tree-depth " + std::to_string(params.tree_depth) + " (" +
        std::to_string(tree_bytes) + " bytes each)");
  }
}

std::unique_ptr<Workload> GcoldWorkload::make(const ParamValues& values) {
  return std::make_unique<GcoldWorkload>(
      GcoldParams{.live_size = values.get_size("live-size"),
                  .tree_depth = values.get_int("tree-depth"),
                  .steps = values.get_int("steps"),
                  .young = values.get_int("young"),
                  .young_depth = values.get_int("young-depth"),
                  .promote_rate = values.get_int("promote-rate"),
                  .promote_depth = values.get_int("promote-depth"),
                  .mutations = values.get_int("mutations")});
}

WorkloadReport GcoldWorkload::run(Mutator& mutator, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  Forest forest(mutator, old_trees_, random());
  const std::int64_t depth = params_.tree_depth;
  const std::uint64_t trees = static_cast<std::uint64_t>(old_trees_);
  auto pick_tree = [&] { return random() % trees; };

  Root roots(mutator, mutator.allocate(forest.roots()));
  for (std::uint64_t t = 0; t < trees; ++t) {
    Object* tree = forest.build(depth, forest.old_node());
    mutator.write(roots.get(), t, tree);
  }

  const std::uint64_t young_nodes = gcold_tree_nodes(params_.young_depth);
  const std::uint64_t young_trees =
      (static_cast<std::uint64_t>(params_.young) + young_nodes - 1) /
      young_nodes;
  const double promoted_per_step =
      static_cast<double>(young_trees * young_nodes) /
      static_cast<double>(params_.promote_rate) /
      static_cast<double>(gcold_tree_nodes(params_.promote_depth));
  // Promoted subtrees hang below this level, so that they replace a
  // subtree of their own depth.
  const std::int64_t promote_level = depth - params_.promote_depth;

  WorkloadReport report;
  std::uint64_t digest = 0;
  double credit = 0;
  std::uint64_t promoted = 0;
  std::uint64_t swapped = 0;
  for (std::int64_t step = 0; step < params_.steps; ++step) {
    for (std::uint64_t i = 0; i < young_trees; ++i) {
      forest.build(params_.young_depth, forest.young_node());
    }

    credit += promoted_per_step;
    for (; credit >= 1; credit -= 1) {
      Root fresh(mutator,
                 forest.build(params_.promote_depth, forest.old_node()));
      Object* parent = descend(mutator, mutator.read(roots.get(), pick_tree()),
                               promote_level - 1, random());
      mutator.write(parent, random() & 1, fresh.get());
      ++promoted;
    }

    // Two subtrees at the same level are the same node or disjoint, so a
    // swap keeps every tree complete.
    for (std::int64_t m = 0; m < params_.mutations; ++m) {
      const std::int64_t level =
          1 + static_cast<std::int64_t>(random() %
                                        static_cast<std::uint64_t>(depth));
      Object* first = descend(mutator, mutator.read(roots.get(), pick_tree()),
                              level - 1, random());
      Object* second = descend(mutator, mutator.read(roots.get(), pick_tree()),
                               level - 1, random());
      const std::size_t first_side = random() & 1;
      const std::size_t second_side = random() & 1;
      Object* a = mutator.read(first, first_side);
      Object* b = mutator.read(second, second_side);
      mutator.write(first, first_side, b);
      mutator.write(second, second_side, a);
      ++swapped;
    }

    const std::uint64_t t = static_cast<std::uint64_t>(step) % trees;
    if (forest.check(mutator.read(roots.get(), t), depth, digest) !=
        gcold_tree_nodes(depth)) {
      throw WorkloadCheckFailed("gcold: old tree " + std::to_string(t) +
                                " changed size at step " +
                                std::to_string(step));
    }
    ++report.checks_passed;
  }

  std::uint64_t old_nodes = 0;
  for (std::uint64_t t = 0; t < trees; ++t) {
    old_nodes += forest.check(mutator.read(roots.get(), t), depth, digest);
  }
  if (old_nodes != trees * gcold_tree_nodes(depth)) {
    throw WorkloadCheckFailed("gcold: the old generation holds " +
                              std::to_string(old_nodes) + " nodes, expected " +
                              std::to_string(trees * gcold_tree_nodes(depth)));
  }
  ++report.checks_passed;
  report.checksum = digest == 0 ? 1 : digest;
  report.output = {
      "GCOld: " + std::to_string(trees) + " old trees of depth " +
          std::to_string(depth) + ", " +
          std::to_string(old_nodes * gcold_node_bytes()) + " bytes live",
      std::to_string(params_.steps) +
          " steps: " + std::to_string(young_trees * young_nodes) +
          " young nodes each, " + std::to_string(promoted) +
          " subtrees of depth " + std::to_string(params_.promote_depth) +
          " promoted, " + std::to_string(swapped) + " subtrees swapped",
      "old generation checked: " + std::to_string(old_nodes) + " nodes"};
  return report;
}

}  // namespace gclab
