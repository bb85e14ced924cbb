// The heap census counts what a recount of the graph finds, in both of its
// modes: from the marks at a collection's close, and from its own trace
// every N allocations; it ages what it traces, touches no mark, records no
// pause, gives a growing site a path from a root, groups garbage into the
// cycles a reference counter cannot free, and its end-of-run check keeps
// what a real final collection keeps.
#include "heap/census.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "heap/heap.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

using SiteCounts =
    std::map<std::uint16_t, std::pair<std::uint64_t, std::uint64_t>>;

// Objects and bytes per site of everything reachable from the heap's roots,
// found by a walk of the test's own.
SiteCounts recount(Heap& heap) {
  SiteCounts counts;
  std::set<Object*> seen;
  std::vector<Object*> stack;
  heap.for_each_root([&](Object** slot) {
    if (*slot != nullptr) stack.push_back(*slot);
  });
  while (!stack.empty()) {
    Object* object = stack.back();
    stack.pop_back();
    if (!seen.insert(object).second) continue;
    auto& [objects, bytes] = counts[object->site()];
    ++objects;
    bytes += object->size_bytes();
    for (std::size_t slot = 0; slot < object->num_refs(); ++slot) {
      if (Object* child = object->load_slot(slot)) stack.push_back(child);
    }
  }
  return counts;
}

SiteCounts counts_of(const std::vector<SiteTally>& sites) {
  SiteCounts counts;
  for (const SiteTally& site : sites) {
    counts[site.site] = {site.tally.objects, site.tally.bytes};
  }
  return counts;
}

ObjectShape shape(std::uint16_t site, std::uint16_t refs = 2,
                  std::uint32_t payload = 8) {
  return {.site = site, .num_refs = refs, .payload_bytes = payload};
}

// A graph of three sites, some of it garbage: a list of `kept` nodes of
// site `list` under `holder` (held by `root`), a tree below the first node,
// and a chain of garbage of `list` nodes.
void build_graph(Mutator& mutator, Root& root, std::uint16_t holder,
                 std::uint16_t list, std::uint16_t tree, int kept) {
  root = mutator.allocate(shape(holder));
  for (int i = 0; i < kept; ++i) {
    Object* node = mutator.allocate(shape(list));
    mutator.write(node, 0, mutator.read(root.get(), 0));
    mutator.write(root.get(), 0, node);
    Object* garbage = mutator.allocate(shape(list, 2, 40));
    (void)garbage;
  }
  Root first(mutator, mutator.read(root.get(), 0));
  for (int i = 0; i < 5; ++i) {
    Object* leaf = mutator.allocate(shape(tree, 0, 24));
    mutator.write(first.get(), 1, leaf);
  }
}

struct Sites {
  std::uint16_t holder, list, tree;
};

Sites register_sites(Heap& heap) {
  return {heap.register_site("test.holder"), heap.register_site("test.list"),
          heap.register_site("test.tree")};
}

TEST(CensusAtCollections, CountsWhatARecountOfTheGraphFinds) {
  for (const char* allocator : {"free-list", "size-class"}) {
    SCOPED_TRACE(allocator);
    auto heap = testing::make_heap(
        "mark-sweep", allocator,
        {.heap_bytes = 8 << 20, .verify = true, .census = {.enabled = true}});
    ASSERT_TRUE(heap->census()->at_collections());
    Sites sites = register_sites(*heap);
    Mutator mutator(*heap);
    Root root(mutator);
    build_graph(mutator, root, sites.holder, sites.list, sites.tree, 30);
    heap->collect(&mutator, GcCause::kExplicit);

    const std::vector<CensusRecord>& records = heap->census()->records();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].cycle, 0u);
    EXPECT_EQ(records[0].allocated_objects, 1u + 2 * 30 + 5);
    SiteCounts expected = recount(*heap);
    EXPECT_EQ(expected[sites.list].first, 30u);
    EXPECT_EQ(expected[sites.tree].first, 1u);  // the last leaf written
    EXPECT_EQ(counts_of(records[0].sites), expected);
    // Timed as a phase of the cycle it closed.
    const std::vector<PhaseRecord>& phases = heap->events().cycles()[0].phases;
    EXPECT_TRUE(std::any_of(
        phases.begin(), phases.end(),
        [](const PhaseRecord& phase) { return phase.name == "census"; }));
  }
}

// Where the marker ages survivors (size-class's side mark bits), a census
// at the close sees the collection just survived; a lazy sweep that ages
// them as it passes (free-list) has not passed them yet, so there they read
// one younger (heap/census.h).
TEST(CensusAtCollections, AgesAreTheCollectionsSurvived) {
  for (auto [allocator, lag] :
       {std::pair{"size-class", 0}, std::pair{"free-list", 1}}) {
    SCOPED_TRACE(allocator);
    auto heap = testing::make_heap(
        "mark-sweep", allocator,
        {.heap_bytes = 8 << 20, .census = {.enabled = true}});
    std::uint16_t site = heap->register_site("test.node");
    Mutator mutator(*heap);
    Root old_node(mutator, mutator.allocate(shape(site)));
    for (int i = 0; i < 3; ++i) heap->collect(&mutator, GcCause::kExplicit);
    Root young(mutator, mutator.allocate(shape(site, 0, 100)));
    heap->collect(&mutator, GcCause::kExplicit);

    // The old node has survived 4 collections, the young one 1.
    const CensusRecord& last = heap->census()->records().back();
    ASSERT_EQ(last.ages.size(), 2u);
    EXPECT_EQ(last.ages[0].age, 1 - lag);
    EXPECT_EQ(last.ages[0].tally.bytes, young.get()->size_bytes());
    EXPECT_EQ(last.ages[1].age, 4 - lag);
    EXPECT_EQ(last.ages[1].tally.objects, 1u);
  }
}

// Built with a census every `interval` allocations under `none`.
std::unique_ptr<Heap> interval_heap(std::uint64_t interval,
                                    int leak_growth_censuses = 0) {
  return testing::make_heap(
      "none", "bump",
      {.heap_bytes = 16 << 20,
       .census = {.enabled = true,
                  .interval_allocations = interval,
                  .leak_growth_censuses = leak_growth_censuses}});
}

TEST(CensusEveryNAllocations, CountsWhatARecountOfTheGraphFinds) {
  auto heap = interval_heap(200);
  ASSERT_FALSE(heap->census()->at_collections());
  Sites sites = register_sites(*heap);
  Mutator mutator(*heap);
  Root root(mutator);
  // 1 + 2 * 90 + 5 = 186 allocations; the census comes at the 200th.
  build_graph(mutator, root, sites.holder, sites.list, sites.tree, 90);
  SiteCounts expected = recount(*heap);
  for (int i = 0; i < 13; ++i) mutator.allocate(shape(sites.tree));
  EXPECT_TRUE(heap->census()->records().empty());
  mutator.allocate(shape(sites.tree));  // the 200th

  const std::vector<CensusRecord>& records = heap->census()->records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].cycle, std::nullopt);
  EXPECT_EQ(records[0].allocated_objects, 200u);
  EXPECT_EQ(counts_of(records[0].sites), expected);
  for (int i = 0; i < 400; ++i) mutator.allocate(shape(sites.tree));
  EXPECT_EQ(heap->census()->records().size(), 3u);
}

TEST(CensusEveryNAllocations, AgesWhatItReachesAndTouchesNoMarkAndNoPause) {
  auto heap = interval_heap(100);
  std::uint16_t site = heap->register_site("test.node");
  Mutator mutator(*heap);
  Root kept(mutator, mutator.allocate(shape(site)));
  Object* garbage = mutator.allocate(shape(site));
  for (int i = 0; i < 3 * 100 - 2; ++i) mutator.allocate(shape(site, 0, 0));
  ASSERT_EQ(heap->census()->records().size(), 3u);
  EXPECT_EQ(kept.get()->age(), 3) << "three censuses survived";
  EXPECT_EQ(garbage->age(), 0) << "unreachable: not aged";
  EXPECT_EQ(kept.get()->mark(), kUnmarked);
  EXPECT_EQ(heap->census()->records().back().ages.size(), 1u);
  EXPECT_TRUE(heap->events().pauses().empty());
  EXPECT_EQ(heap->events().gc_cpu_ns(), 0);
}

// Two mutators: whichever reaches N first takes the census and restarts
// the other's count, so censuses never come back to back.
// (One thread runs both, so the one not allocating is parked, as a
// mutator blocked elsewhere would be.)
TEST(CensusEveryNAllocations, EachCensusRestartsEveryMutatorsCount) {
  auto heap = interval_heap(100);
  Mutator first(*heap, 0);
  Mutator second(*heap, 1);
  auto allocate = [](Mutator& mutator, Mutator& idle, int count) {
    ParkedScope parked(idle);
    for (int i = 0; i < count; ++i) mutator.allocate(testing::kNodeShape);
  };
  allocate(second, first, 60);
  allocate(first, second, 100);
  ASSERT_EQ(heap->census()->records().size(), 1u);
  allocate(second, first, 99);
  EXPECT_EQ(heap->census()->records().size(), 1u)
      << "the second mutator's count restarted at the first census";
  allocate(second, first, 1);
  EXPECT_EQ(heap->census()->records().size(), 2u);
  EXPECT_EQ(first.counters().objects_allocated, 100u);
  EXPECT_EQ(second.counters().objects_allocated, 160u);
}

TEST(CensusLeakTracking, AGrowingSiteGetsAPathFromItsRoot) {
  auto heap = interval_heap(50, /*leak_growth_censuses=*/3);
  std::uint16_t holder = heap->register_site("test.holder");
  std::uint16_t link = heap->register_site("test.link");
  std::uint16_t leaked = heap->register_site("test.leaked");
  Mutator mutator(*heap);
  GlobalRoot global(mutator, mutator.allocate(shape(holder, 3)));
  mutator.write(global.get(), 2, mutator.allocate(shape(link)));
  for (int i = 0; i < 50 * 6; ++i) {
    if (i % 10 != 0) {
      mutator.allocate(shape(holder, 0, 0));  // garbage
      continue;
    }
    Object* node = mutator.allocate(shape(leaked));
    Object* list = mutator.read(global.get(), 2);
    mutator.write(node, 0, mutator.read(list, 1));
    mutator.write(list, 1, node);
  }
  std::vector<GrowingSite> growing = heap->census()->growing_sites();
  ASSERT_EQ(growing.size(), 1u);
  EXPECT_EQ(growing[0].site, leaked);
  EXPECT_TRUE(growing[0].growing_at_end);
  ASSERT_TRUE(growing[0].path);
  EXPECT_EQ(growing[0].path_census, heap->census()->records().back().index);
  const ObjectPath& path = *growing[0].path;
  EXPECT_EQ(path.root, RootKind::kGlobal);
  ASSERT_EQ(path.steps.size(), 3u);
  EXPECT_EQ(path.steps[0].site, holder);
  EXPECT_EQ(path.steps[0].slot, std::nullopt);
  EXPECT_EQ(path.steps[1].site, link);
  EXPECT_EQ(path.steps[1].slot, 2);
  EXPECT_EQ(path.steps[2].site, leaked);
  EXPECT_EQ(path.steps[2].slot, 1);
}

// Frees nothing and marks nothing, but says it collects: what a reference
// counter without cycle collection looks like to the census.
class CountingOnlyCollector final : public Collector {
 public:
  CollectorCapabilities capabilities() const override {
    return {.collects = true, .marks_reachable = false};
  }
  void collect(Mutator*, GcCause) override {}
};

TEST(CensusLeakTracking, GroupsGarbageIntoTheCyclesACounterCannotFree) {
  auto heap = testing::make_heap_with(
      [](Heap&) { return std::make_unique<CountingOnlyCollector>(); },
      "free-list",
      {.heap_bytes = 8 << 20,
       .census = {.enabled = true,
                  .interval_allocations = 100,
                  .leak_growth_censuses = 5}});
  std::uint16_t ring = heap->register_site("test.ring");
  std::uint16_t tree = heap->register_site("test.tree");
  Mutator mutator(*heap);
  Root live(mutator, mutator.allocate(shape(ring)));
  mutator.write(live.get(), 0, live.get());  // a live self-loop: not garbage
  {
    Root first(mutator, mutator.allocate(shape(ring)));
    Root last(mutator, first.get());
    for (int i = 0; i < 3; ++i) {
      Object* node = mutator.allocate(shape(ring));
      mutator.write(last.get(), 0, node);
      last = node;
    }
    mutator.write(last.get(), 0, first.get());  // a ring of 4
    Object* loner = mutator.allocate(shape(ring));
    mutator.write(loner, 1, loner);  // a self-loop of 1
    // A tree of 7 and a chain of 20: garbage, but no cycle.
    Root top(mutator, mutator.allocate(shape(tree)));
    for (std::size_t side : {0, 1}) {
      Object* inner = mutator.allocate(shape(tree));
      mutator.write(top.get(), side, inner);
      Root held(mutator, inner);
      for (std::size_t leaf : {0, 1}) {
        Object* node = mutator.allocate(shape(tree));
        mutator.write(held.get(), leaf, node);
      }
    }
    Root chain(mutator);
    for (int i = 0; i < 20; ++i) {
      Object* node = mutator.allocate(shape(tree));
      mutator.write(node, 0, chain.get());
      chain = node;
    }
  }
  // 33 allocations so far: the census comes among these.
  for (int i = 0; i < 100; ++i) mutator.allocate(shape(tree, 0, 0));
  ASSERT_EQ(heap->census()->records().size(), 1u);
  const std::optional<GarbageCycles>& cycles = heap->census()->garbage_cycles();
  ASSERT_TRUE(cycles);
  ASSERT_EQ(cycles->components.size(), 2u);
  EXPECT_EQ(cycles->components[0].total.objects, 4u);
  ASSERT_EQ(cycles->components[0].sites.size(), 1u);
  EXPECT_EQ(cycles->components[0].sites[0].site, ring);
  EXPECT_EQ(cycles->components[1].total.objects, 1u);
}

TEST(CensusEndOfRun, KeepsWhatAFinalCollectionKeeps) {
  auto heap = testing::make_heap(
      "mark-sweep", "free-list",
      {.heap_bytes = 8 << 20,
       .census = {.enabled = true, .leak_growth_censuses = 5}});
  Sites sites = register_sites(*heap);
  std::optional<GlobalRoot> global;
  {
    Mutator mutator(*heap);
    Root root(mutator);
    build_graph(mutator, root, sites.holder, sites.list, sites.tree, 20);
    global.emplace(mutator, mutator.read(root.get(), 0));  // a list node
    build_graph(mutator, root, sites.holder, sites.list, sites.tree, 10);
  }
  EndOfRunAllocation at_end = heap->census()->end_of_run();
  EXPECT_TRUE(at_end.collector_frees);
  EXPECT_TRUE(at_end.reachable_only);
  SiteCounts expected = recount(*heap);
  EXPECT_EQ(counts_of(at_end.sites), expected);
  // A real collection, once every mutator is gone, leaves the same.
  heap->collect(nullptr, GcCause::kExplicit);
  heap->finish_lazy_sweep();
  CensusCounts left;
  heap->allocator().visit_objects([&](Object* object) { left.count(object); });
  EXPECT_EQ(counts_of(left.sites()), expected);
}

TEST(CensusEndOfRun, UnderNoneEverythingStaysAllocated) {
  auto heap = interval_heap(1000, 5);
  Sites sites = register_sites(*heap);
  {
    Mutator mutator(*heap);
    Root root(mutator);
    build_graph(mutator, root, sites.holder, sites.list, sites.tree, 20);
  }
  EndOfRunAllocation at_end = heap->census()->end_of_run();
  EXPECT_FALSE(at_end.collector_frees);
  EXPECT_FALSE(at_end.reachable_only);
  SiteCounts counts = counts_of(at_end.sites);
  EXPECT_EQ(counts[sites.list].first, 40u) << "the garbage too";
  EXPECT_EQ(counts[sites.tree].first, 5u);
}

}  // namespace
}  // namespace gclab
