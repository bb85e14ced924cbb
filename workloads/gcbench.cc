#include "workloads/gcbench.h"

#include <algorithm>
#include <string>

#include "heap/errors.h"

namespace gclab {
namespace {

constexpr std::uint32_t kMinHoleBytes = 8;
constexpr std::int64_t kMaxHoleBytes = std::int64_t{1} << 30;
// Payload sizes are 32-bit in ObjectShape.
constexpr std::int64_t kMaxArraySize = UINT32_MAX / sizeof(double);
// Loops that do not allocate poll a safepoint this often.
constexpr std::int64_t kSafepointInterval = 4096;

// SplitMix64's finalizer (Steele, Lea and Flood 2014): a 64-bit mixing
// function whose output is the same on every platform.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// SplitMix64 itself: a small generator that, unlike the std::
// distributions, gives the same sequence on every platform.
std::uint64_t splitmix64_next(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  return mix(state);
}

void tally_intact_tree(int depth, int level, std::int64_t index,
                       GcbenchTreeTally& tally) {
  tally.visit(depth - level, static_cast<std::int32_t>(index));
  if (level == depth) return;
  tally_intact_tree(depth, level + 1, 2 * index, tally);
  tally_intact_tree(depth, level + 1, 2 * index + 1, tally);
}

void require_range(std::string_view name, std::int64_t value, std::int64_t low,
                   std::int64_t high) {
  if (value < low || value > high) {
    throw ConfigError("gcbench: " + std::string(name) + " is " +
                      std::to_string(value) + ", expected " +
                      std::to_string(low) + ".." + std::to_string(high));
  }
}

double expected_element(std::int64_t index) {
  return index == 0 ? 0.0 : 1.0 / static_cast<double>(index);
}

}  // namespace

void GcbenchTreeTally::visit(std::int32_t i, std::int32_t j) {
  ++nodes;
  std::uint64_t node = (std::uint64_t{static_cast<std::uint32_t>(i)} << 32) |
                       static_cast<std::uint32_t>(j);
  checksum = mix(checksum ^ node);
}

GcbenchTreeTally gcbench_intact_tree_tally(int depth) {
  GcbenchTreeTally tally;
  tally_intact_tree(depth, 0, 1, tally);
  return tally;
}

GcbenchParams gcbench_params(const ParamValues& values) {
  GcbenchParams params{.stretch_depth = values.get_int("stretch-depth"),
                       .long_lived_depth = values.get_int("long-lived-depth"),
                       .array_size = values.get_int("array-size"),
                       .min_depth = values.get_int("min-depth"),
                       .max_depth = values.get_int("max-depth"),
                       .holes = values.get_int("holes"),
                       .check_temp_trees = values.get_flag("check-temp-trees")};
  require_range("stretch-depth", params.stretch_depth, 0, kGcbenchMaxDepth);
  require_range("long-lived-depth", params.long_lived_depth, 0,
                kGcbenchMaxDepth);
  require_range("min-depth", params.min_depth, 0, kGcbenchMaxDepth);
  require_range("max-depth", params.max_depth, params.min_depth,
                kGcbenchMaxDepth);
  require_range("array-size", params.array_size, 1, kMaxArraySize);
  if (params.holes != 0) {
    require_range("holes", params.holes, kMinHoleBytes, kMaxHoleBytes);
  }
  return params;
}

std::int64_t gcbench_tree_size(int depth) {
  return (std::int64_t{1} << (depth + 1)) - 1;
}

std::int64_t gcbench_num_iters(int stretch_depth, int depth) {
  return 2 * gcbench_tree_size(stretch_depth) / gcbench_tree_size(depth);
}

HoleSizes::HoleSizes(std::uint32_t max_bytes, std::uint64_t seed)
    : max_bytes_(std::max(max_bytes, kMinHoleBytes)), state_(seed) {}

std::uint32_t HoleSizes::next() {
  // Inverse CDF of the Pareto law with shape 1 truncated to [L, H]:
  // x = L / (1 - u (1 - L/H)), u uniform in [0, 1).
  double u = static_cast<double>(splitmix64_next(state_) >> 11) * 0x1.0p-53;
  double low = kMinHoleBytes;
  double high = max_bytes_;
  double size = low / (1.0 - u * (1.0 - low / high));
  return std::clamp(static_cast<std::uint32_t>(size), kMinHoleBytes,
                    max_bytes_);
}

GcbenchSites GcbenchSites::register_in(Heap& heap) {
  return {.tree_node = heap.register_site("gcbench.tree-node"),
          .array = heap.register_site("gcbench.array"),
          .hole = heap.register_site("gcbench.hole")};
}

GcbenchTrees::GcbenchTrees(Mutator& mutator, std::uint32_t holes,
                           std::uint64_t seed)
    : mutator_(mutator), sites_(GcbenchSites::register_in(mutator.heap())) {
  if (holes > 0) hole_sizes_.emplace(holes, seed);
}

Object* GcbenchTrees::new_node(int height, std::int64_t index) {
  if (hole_sizes_) {
    mutator_.allocate(ObjectShape{.site = sites_.hole,
                                  .num_refs = 0,
                                  .payload_bytes = hole_sizes_->next()});
  }
  Object* node = mutator_.allocate(
      ObjectShape{.site = sites_.tree_node, .num_refs = 2, .payload_bytes = 8});
  *node->payload_as<NodePayload>() = {.i = height,
                                      .j = static_cast<std::int32_t>(index)};
  return node;
}

void GcbenchTrees::populate(int depth, Root& node, std::int64_t index) {
  if (depth <= 0) return;
  Object* left = new_node(depth - 1, 2 * index);
  mutator_.write(node.get(), kLeft, left);
  Object* right = new_node(depth - 1, 2 * index + 1);
  mutator_.write(node.get(), kRight, right);
  {
    Root child(mutator_, mutator_.read(node.get(), kLeft));
    populate(depth - 1, child, 2 * index);
  }
  Root child(mutator_, mutator_.read(node.get(), kRight));
  populate(depth - 1, child, 2 * index + 1);
}

Object* GcbenchTrees::make_populated_tree(int depth) {
  Root tree(mutator_, new_node(depth, 1));
  populate(depth, tree, 1);
  return tree.get();
}

Object* GcbenchTrees::make_subtree(int depth, std::int64_t index) {
  if (depth <= 0) return new_node(0, index);
  Root left(mutator_, make_subtree(depth - 1, 2 * index));
  Root right(mutator_, make_subtree(depth - 1, 2 * index + 1));
  Object* node = new_node(depth, index);
  mutator_.write(node, kLeft, left.get());
  mutator_.write(node, kRight, right.get());
  return node;
}

Object* GcbenchTrees::make_tree(int depth) { return make_subtree(depth, 1); }

Object* GcbenchTrees::make_array(std::int64_t size) {
  Root array(
      mutator_,
      mutator_.allocate(ObjectShape{
          .site = sites_.array,
          .num_refs = 0,
          .payload_bytes = static_cast<std::uint32_t>(size * sizeof(double))}));
  for (std::int64_t start = 0; start < size; start += kSafepointInterval) {
    mutator_.safepoint();
    // Re-read after the poll: a moving collector may have moved the array.
    auto* elements = array.get()->payload_as<double>();
    std::int64_t end = std::min(size, start + kSafepointInterval);
    for (std::int64_t i = start; i < end; ++i)
      elements[i] = expected_element(i);
  }
  return array.get();
}

std::uint64_t GcbenchTrees::expected_checksum(int depth) {
  std::optional<std::uint64_t>& cached = expected_checksums_[depth];
  if (!cached) {
    cached = gcbench_intact_tree_tally(depth).checksum;
  }
  return *cached;
}

namespace {

// Walks a tree in pre-order, keeping the path in Roots so that the safepoint
// poll at every node is safe under a moving collector. The walk never goes
// below `depth`, so a corrupted tree (even a cyclic one) cannot run it away.
void tally_tree(Mutator& mutator, Root& node, int level, int depth,
                std::uint16_t node_site, std::string_view what,
                GcbenchTreeTally& tally) {
  mutator.safepoint();
  Object* object = node.get();
  if (object->site() != node_site || object->num_refs() != 2 ||
      object->payload_bytes() < sizeof(GcbenchTrees::NodePayload)) {
    throw WorkloadCheckFailed(
        "gcbench: " + std::string(what) + " of depth " + std::to_string(depth) +
        " reaches an object that is not a tree node at level " +
        std::to_string(level) + " (site " + std::to_string(object->site()) +
        ", " + std::to_string(object->num_refs()) + " refs), expected site " +
        std::to_string(node_site) + " with 2 refs");
  }
  const auto& payload = *object->payload_as<GcbenchTrees::NodePayload>();
  tally.visit(payload.i, payload.j);
  for (std::size_t slot : {GcbenchTrees::kLeft, GcbenchTrees::kRight}) {
    Object* child_object = mutator.read(node.get(), slot);
    if (child_object == nullptr) continue;
    if (level == depth) {
      throw WorkloadCheckFailed("gcbench: " + std::string(what) +
                                " has nodes below its depth " +
                                std::to_string(depth));
    }
    Root child(mutator, child_object);
    tally_tree(mutator, child, level + 1, depth, node_site, what, tally);
  }
}

}  // namespace

void GcbenchTrees::check_tree(Object* tree, int depth, std::string_view what) {
  if (tree == nullptr) {
    throw WorkloadCheckFailed("gcbench: " + std::string(what) +
                              " is missing, expected a tree of depth " +
                              std::to_string(depth));
  }
  Root root(mutator_, tree);
  GcbenchTreeTally tally;
  tally_tree(mutator_, root, 0, depth, sites_.tree_node, what, tally);
  std::int64_t expected_nodes = gcbench_tree_size(depth);
  if (tally.nodes != expected_nodes) {
    throw WorkloadCheckFailed(
        "gcbench: " + std::string(what) + " of depth " + std::to_string(depth) +
        " has " + std::to_string(tally.nodes) + " nodes, expected " +
        std::to_string(expected_nodes));
  }
  std::uint64_t expected = expected_checksum(depth);
  if (tally.checksum != expected) {
    throw WorkloadCheckFailed(
        "gcbench: " + std::string(what) + " of depth " + std::to_string(depth) +
        " has checksum " + std::to_string(tally.checksum) + ", expected " +
        std::to_string(expected) + " (a node's i/j payload changed)");
  }
}

void GcbenchTrees::check_array(Object* array, std::int64_t size) {
  if (array == nullptr || array->site() != sites_.array ||
      array->payload_bytes() <
          static_cast<std::size_t>(size) * sizeof(double)) {
    throw WorkloadCheckFailed(
        "gcbench: the long-lived array is gone, expected " +
        std::to_string(size) + " doubles");
  }
  Root root(mutator_, array);
  // The original program's own test: one element, a[1000].
  std::int64_t spot = std::min<std::int64_t>(1000, size - 1);
  double spot_value = array->payload_as<double>()[spot];
  if (spot_value != expected_element(spot)) {
    throw WorkloadCheckFailed(
        "gcbench: long-lived array a[" + std::to_string(spot) + "] is " +
        std::to_string(spot_value) + ", expected 1.0/" + std::to_string(spot));
  }
  for (std::int64_t start = 0; start < size; start += kSafepointInterval) {
    mutator_.safepoint();
    const auto* elements = root.get()->payload_as<double>();
    std::int64_t end = std::min(size, start + kSafepointInterval);
    for (std::int64_t i = start; i < end; ++i) {
      if (elements[i] != expected_element(i)) {
        throw WorkloadCheckFailed("gcbench: long-lived array a[" +
                                  std::to_string(i) + "] is " +
                                  std::to_string(elements[i]) + ", expected " +
                                  std::to_string(expected_element(i)));
      }
    }
  }
}

GcbenchWorkload::GcbenchWorkload(GcbenchParams params) : params_(params) {}

std::unique_ptr<Workload> GcbenchWorkload::make(const ParamValues& params) {
  return std::make_unique<GcbenchWorkload>(gcbench_params(params));
}

WorkloadReport GcbenchWorkload::run(Mutator& mutator, std::uint64_t seed) {
  WorkloadReport report;
  auto print = [&report](std::string line) {
    report.output.push_back(std::move(line));
  };
  const int stretch_depth = static_cast<int>(params_.stretch_depth);
  const int long_lived_depth = static_cast<int>(params_.long_lived_depth);
  GcbenchTrees trees(mutator, static_cast<std::uint32_t>(params_.holes), seed);

  print("Garbage Collector Test");
  print("Stretching memory with a binary tree of depth " +
        std::to_string(stretch_depth));
  auto temporary = [&](Object* tree, int depth, std::string_view what) {
    if (!params_.check_temp_trees) return;
    trees.check_tree(tree, depth, what);
    ++report.checks_passed;
  };
  temporary(trees.make_tree(stretch_depth), stretch_depth, "stretch tree");

  print("Creating long-lived binary tree of depth " +
        std::to_string(long_lived_depth));
  Root long_lived(mutator, trees.make_populated_tree(long_lived_depth));
  print("Creating long-lived array of " + std::to_string(params_.array_size) +
        " doubles");
  Root array(mutator, trees.make_array(params_.array_size));

  for (int depth = static_cast<int>(params_.min_depth);
       depth <= params_.max_depth; depth += 2) {
    std::int64_t iterations = gcbench_num_iters(stretch_depth, depth);
    std::string trees_of_depth =
        std::to_string(iterations) + " trees of depth " + std::to_string(depth);
    print("Top down construction of " + trees_of_depth);
    for (std::int64_t i = 0; i < iterations; ++i) {
      temporary(trees.make_populated_tree(depth), depth,
                "top-down temporary tree");
    }
    print("Bottom up construction of " + trees_of_depth);
    for (std::int64_t i = 0; i < iterations; ++i) {
      temporary(trees.make_tree(depth), depth, "bottom-up temporary tree");
    }
  }

  trees.check_tree(long_lived.get(), long_lived_depth, "long-lived tree");
  ++report.checks_passed;
  trees.check_array(array.get(), params_.array_size);
  ++report.checks_passed;
  return report;
}

}  // namespace gclab
