// Shared test helpers: small heaps built from the registries, and object
// graphs built through the Mutator API (so that barriers and roots are
// exercised exactly as workloads exercise them).
#ifndef GCLAB_TESTING_TEST_HEAP_H_
#define GCLAB_TESTING_TEST_HEAP_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "heap/heap.h"
#include "heap/mutator.h"

namespace gclab::testing {

// A heap with the named collector and allocator (registry names) and the
// on-failure trigger unless `trigger` says otherwise.
std::unique_ptr<Heap> make_heap(
    std::string_view collector, std::string_view allocator, HeapOptions options,
    const std::map<std::string, std::string>& allocator_params = {},
    std::string_view trigger = "on-failure");

// The same with a collector the test builds itself (a deliberately broken
// one, say).
std::unique_ptr<Heap> make_heap_with(
    const CollectorFactory& collector, std::string_view allocator,
    HeapOptions options,
    const std::map<std::string, std::string>& allocator_params = {},
    std::string_view trigger = "on-failure");

// Bump allocation and no collection (64 MiB): every object a test allocates
// stays in the heap, in allocation order, for the test to inspect.
std::unique_ptr<Heap> make_unreclaimed_heap();

// mark-sweep over free-list in 4 MiB, collecting every 300 allocations and
// verifying each collection: code that forgot a Root loses a live object here.
std::unique_ptr<Heap> make_stressed_heap();

// Node shape used by the graph builders: two slots and an 8-byte payload
// holding a caller-chosen value.
inline constexpr ObjectShape kNodeShape{
    .site = 0, .num_refs = 2, .payload_bytes = 8};

// A complete binary tree of `depth` levels below the root (2^(depth+1)-1
// nodes); each node's payload holds `value`.
Object* build_tree(Mutator& mutator, int depth, std::uint64_t value = 0);

// Nodes reachable from `root` through both slots; fails the test (via
// ADD_FAILURE) if a payload differs from `value`.
std::size_t count_tree(Mutator& mutator, Object* root, std::uint64_t value = 0);

inline std::size_t tree_nodes(int depth) {
  return (std::size_t{1} << (depth + 1)) - 1;
}

}  // namespace gclab::testing

#endif  // GCLAB_TESTING_TEST_HEAP_H_
