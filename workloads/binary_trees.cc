#include "workloads/binary_trees.h"

#include <algorithm>
#include <string>

#include "heap/errors.h"
#include "heap/heap.h"

namespace gclab {
namespace {

constexpr std::size_t kLeft = 0;
constexpr std::size_t kRight = 1;
constexpr ObjectShape node_shape(std::uint16_t site) {
  return {.site = site, .num_refs = 2, .payload_bytes = 0};
}

// Keeps the path in Roots so that polling a safepoint at every node is safe
// under a moving collector.
std::int64_t count_nodes(Mutator& mutator, Root& node, int levels_left) {
  mutator.safepoint();
  std::int64_t nodes = 1;
  for (std::size_t slot : {kLeft, kRight}) {
    Object* child_object = mutator.read(node.get(), slot);
    if (child_object == nullptr) continue;
    if (levels_left == 0) {
      throw WorkloadCheckFailed(
          "binary-trees: a tree has nodes below its depth");
    }
    Root child(mutator, child_object);
    nodes += count_nodes(mutator, child, levels_left - 1);
  }
  return nodes;
}

}  // namespace

std::int64_t binary_trees_expected_check(int depth) {
  return (std::int64_t{1} << (depth + 1)) - 1;
}

Object* bottom_up_tree(Mutator& mutator, std::uint16_t site, int depth) {
  if (depth <= 0) return mutator.allocate(node_shape(site));
  Root left(mutator, bottom_up_tree(mutator, site, depth - 1));
  Root right(mutator, bottom_up_tree(mutator, site, depth - 1));
  Object* node = mutator.allocate(node_shape(site));
  mutator.write(node, kLeft, left.get());
  mutator.write(node, kRight, right.get());
  return node;
}

std::int64_t item_check(Mutator& mutator, Object* tree, int depth) {
  if (tree == nullptr) return 0;
  Root root(mutator, tree);
  return count_nodes(mutator, root, depth);
}

void verify_check(std::int64_t check, int depth, std::int64_t trees,
                  std::string_view what) {
  std::int64_t expected = trees * binary_trees_expected_check(depth);
  if (check != expected) {
    throw WorkloadCheckFailed(
        "binary-trees: " + std::string(what) + " check is " +
        std::to_string(check) + ", expected " + std::to_string(expected) +
        " (" + std::to_string(trees) + " trees of " +
        std::to_string(binary_trees_expected_check(depth)) + " nodes)");
  }
}

BinaryTreesWorkload::BinaryTreesWorkload(int max_depth, int min_depth)
    : max_depth_(max_depth), min_depth_(min_depth) {
  if (min_depth < 0 || min_depth > kBinaryTreesMaxDepth - 2) {
    throw ConfigError("binary-trees: min-depth is " +
                      std::to_string(min_depth) + ", expected 0.." +
                      std::to_string(kBinaryTreesMaxDepth - 2));
  }
  if (max_depth < min_depth + 2 || max_depth > kBinaryTreesMaxDepth) {
    throw ConfigError(
        "binary-trees: max-depth is " + std::to_string(max_depth) +
        ", expected " + std::to_string(min_depth + 2) + ".." +
        std::to_string(kBinaryTreesMaxDepth) + " (at least min-depth + 2)");
  }
}

std::unique_ptr<Workload> BinaryTreesWorkload::make(const ParamValues& params) {
  std::int64_t max_depth = params.get_int("max-depth");
  std::int64_t min_depth = params.get_int("min-depth");
  // Out-of-range values must not wrap when narrowed to int.
  auto clamp = [](std::int64_t value) {
    return static_cast<int>(std::min<std::int64_t>(
        std::max<std::int64_t>(value, -1), kBinaryTreesMaxDepth + 1));
  };
  return std::make_unique<BinaryTreesWorkload>(clamp(max_depth),
                                               clamp(min_depth));
}

WorkloadReport BinaryTreesWorkload::run(Mutator& mutator, std::uint64_t) {
  WorkloadReport report;
  const std::uint16_t site = mutator.heap().register_site("binary-trees.node");

  const int stretch_depth = max_depth_ + 1;
  std::int64_t stretch_check = item_check(
      mutator, bottom_up_tree(mutator, site, stretch_depth), stretch_depth);
  verify_check(stretch_check, stretch_depth, 1, "stretch tree");
  ++report.checks_passed;
  report.output.push_back("stretch tree of depth " +
                          std::to_string(stretch_depth) +
                          "\t check: " + std::to_string(stretch_check));

  Root long_lived(mutator, bottom_up_tree(mutator, site, max_depth_));

  for (int depth = min_depth_; depth <= max_depth_; depth += 2) {
    std::int64_t iterations = std::int64_t{1}
                              << (max_depth_ - depth + min_depth_);
    std::int64_t check = 0;
    for (std::int64_t i = 0; i < iterations; ++i) {
      check += item_check(mutator, bottom_up_tree(mutator, site, depth), depth);
    }
    verify_check(check, depth, iterations,
                 "trees of depth " + std::to_string(depth));
    ++report.checks_passed;
    report.output.push_back(std::to_string(iterations) + "\t trees of depth " +
                            std::to_string(depth) +
                            "\t check: " + std::to_string(check));
  }

  std::int64_t long_lived_check =
      item_check(mutator, long_lived.get(), max_depth_);
  verify_check(long_lived_check, max_depth_, 1, "long lived tree");
  ++report.checks_passed;
  report.output.push_back("long lived tree of depth " +
                          std::to_string(max_depth_) +
                          "\t check: " + std::to_string(long_lived_check));
  return report;
}

}  // namespace gclab
