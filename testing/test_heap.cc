#include "testing/test_heap.h"

#include <gtest/gtest.h>

#include "allocators/registry.h"
#include "collectors/registry.h"

namespace gclab::testing {

std::unique_ptr<Heap> make_heap(
    std::string_view collector, std::string_view allocator, HeapOptions options,
    const std::map<std::string, std::string>& allocator_params,
    std::string_view trigger) {
  const AllocatorEntry& allocator_entry = find_allocator(allocator);
  const CollectorEntry& collector_entry = find_collector(collector);
  ParamValues allocator_values(allocator_entry.params, allocator_params);
  ParamValues collector_values(collector_entry.params, {});
  return std::make_unique<Heap>(
      options, allocator_entry.make(options.heap_bytes, allocator_values),
      parse_trigger(trigger),
      [&](Heap& heap) { return collector_entry.make(heap, collector_values); });
}

std::unique_ptr<Heap> make_heap_with(
    const CollectorFactory& collector, std::string_view allocator,
    HeapOptions options,
    const std::map<std::string, std::string>& allocator_params,
    std::string_view trigger) {
  const AllocatorEntry& allocator_entry = find_allocator(allocator);
  ParamValues allocator_values(allocator_entry.params, allocator_params);
  return std::make_unique<Heap>(
      options, allocator_entry.make(options.heap_bytes, allocator_values),
      parse_trigger(trigger), collector);
}

std::unique_ptr<Heap> make_unreclaimed_heap() {
  return make_heap("none", "bump", {.heap_bytes = 64 << 20});
}

std::unique_ptr<Heap> make_stressed_heap() {
  return make_heap(
      "mark-sweep", "free-list",
      {.heap_bytes = 4 << 20, .verify = true, .stress_interval = 300});
}

Object* build_tree(Mutator& mutator, int depth, std::uint64_t value) {
  Root node(mutator, mutator.allocate(kNodeShape));
  *node.get()->payload_as<std::uint64_t>() = value;
  if (depth > 0) {
    Root left(mutator, build_tree(mutator, depth - 1, value));
    Object* right = build_tree(mutator, depth - 1, value);
    mutator.write(node.get(), 0, left.get());
    mutator.write(node.get(), 1, right);
  }
  return node.get();
}

std::size_t count_tree(Mutator& mutator, Object* root, std::uint64_t value) {
  if (root == nullptr) return 0;
  if (*root->payload_as<std::uint64_t>() != value) {
    ADD_FAILURE() << "node " << root << " holds "
                  << *root->payload_as<std::uint64_t>() << ", expected "
                  << value;
  }
  return 1 + count_tree(mutator, mutator.read(root, 0), value) +
         count_tree(mutator, mutator.read(root, 1), value);
}

}  // namespace gclab::testing
