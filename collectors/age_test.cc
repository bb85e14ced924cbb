// Ages are right under every collector x allocator pair the harness
// accepts: once the last cycle's sweep is finished, an object's age is the
// number of collections it survived (heap/object.h), whoever ages it — the
// sweep passing it, the compactor moving it, or, where the sweep never reads
// objects (size-class), the marker. The heap census reports survivor ages,
// so they must not depend on the pair.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "allocators/registry.h"
#include "collectors/registry.h"
#include "heap/heap.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

using Pair = std::pair<std::string, std::string>;

std::vector<Pair> collecting_pairs() {
  std::vector<Pair> pairs;
  for (const CollectorEntry& collector : collector_registry()) {
    // A counting collection never visits the survivors; under ref-count an
    // age counts the censuses an object survived instead.
    if (!collector.default_capabilities().collects ||
        collector.default_capabilities().counts_references) {
      continue;
    }
    for (const AllocatorEntry& allocator : allocator_registry()) {
      if (!missing_capability(collector.default_capabilities(),
                              allocator.capabilities)
               .empty()) {
        continue;
      }
      pairs.emplace_back(collector.name, allocator.name);
    }
  }
  return pairs;
}

class Age : public ::testing::TestWithParam<Pair> {};

TEST_P(Age, CountsTheCollectionsAnObjectSurvived) {
  const auto& [collector, allocator] = GetParam();
  const CollectorEntry& entry = find_collector(collector);
  auto heap =
      testing::make_heap(collector, allocator,
                         {.heap_bytes = std::size_t{8} << 20,
                          .gc_threads = 2,
                          .verify = true,
                          .barrier = parse_barrier(entry.default_barrier)});
  Mutator mutator(*heap);
  Root old_object(mutator, mutator.allocate(testing::kNodeShape));
  Root old_child(mutator, mutator.allocate(testing::kNodeShape));
  mutator.write(old_object.get(), 0, old_child.get());
  old_child = nullptr;  // reachable only through the old object
  for (int i = 0; i < 3; ++i) heap->collect(&mutator, GcCause::kExplicit);
  Root young(mutator, mutator.allocate(testing::kNodeShape));
  for (int i = 0; i < 2; ++i) heap->collect(&mutator, GcCause::kExplicit);

  heap->collector().finish();
  Heap::WorldStop world(*heap, &mutator, PauseKind::kFull);
  heap->finish_lazy_sweep();
  EXPECT_EQ(old_object.get()->age(), 5);
  EXPECT_EQ(mutator.read(old_object.get(), 0)->age(), 5);
  EXPECT_EQ(young.get()->age(), 2);
}

INSTANTIATE_TEST_SUITE_P(EveryCollectingPair, Age,
                         ::testing::ValuesIn(collecting_pairs()),
                         [](const ::testing::TestParamInfo<Pair>& info) {
                           std::string name =
                               info.param.first + "_" + info.param.second;
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace gclab
