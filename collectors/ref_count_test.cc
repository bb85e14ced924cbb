// ref-count's own cases: what counting frees at once and what only a cycle
// collection frees (rings, doubly linked lists, trees with parent pointers,
// under trial deletion and the backup trace; leaked under cycles=none),
// sticky counts, a long list freed without deep recursion, counts that a
// recount from the graph confirms, and the --verify check catching a store
// that skipped the counting barrier. The matrix (harness/
// collector_matrix_test.cc) runs every workload under it.
#include "collectors/ref_count.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "collectors/ref_count_check.h"
#include "heap/ref_count_word.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

constexpr ObjectShape kNode{.site = 0, .num_refs = 2, .payload_bytes = 8};

struct Built {
  std::unique_ptr<Heap> heap;
  RefCountCollector* collector = nullptr;
};

Built make_counting_heap(std::string_view allocator, RefCountOptions options,
                         bool verify = true) {
  Built built;
  built.heap = testing::make_heap_with(
      [&](Heap& heap) {
        auto collector = std::make_unique<RefCountCollector>(heap, options);
        built.collector = collector.get();
        return collector;
      },
      allocator, {.heap_bytes = 16 << 20, .verify = verify});
  return built;
}

// `mutator`: the test's own, attached on this thread, or null once it is
// gone.
std::size_t allocated_objects(Heap& heap, Mutator* mutator) {
  Heap::WorldStop world(heap, mutator, PauseKind::kFull);
  std::size_t objects = 0;
  heap.allocator().visit_objects([&](Object*) { ++objects; });
  return objects;
}

// Counts recomputed here from the graph, independently of
// check_reference_counts: every slot of every allocated object and every
// root, against the count each object carries.
void expect_exact_counts(Heap& heap, Mutator* mutator,
                         std::uint32_t stuck_word) {
  Heap::WorldStop world(heap, mutator, PauseKind::kFull);
  std::unordered_map<Object*, std::uint32_t> expected;
  std::vector<Object*> objects;
  heap.allocator().visit_objects([&](Object* object) {
    objects.push_back(object);
    for (std::size_t i = 0; i < object->num_refs(); ++i) {
      if (Object* child = object->load_slot(i)) ++expected[child];
    }
  });
  heap.for_each_root([&](Object** slot) {
    if (*slot != nullptr) ++expected[*slot];
  });
  for (Object* object : objects) {
    std::uint32_t word = object->gc_word().load();
    if (word >= stuck_word) continue;
    EXPECT_EQ(ref_count::count(word), expected[object]) << "at " << object;
  }
}

// A ring of `n` nodes through slot 0.
Object* build_ring(Mutator& mutator, int n) {
  Root first(mutator, mutator.allocate(kNode));
  Root last(mutator, first.get());
  for (int i = 1; i < n; ++i) {
    Object* node = mutator.allocate(kNode);
    mutator.write(last.get(), 0, node);
    last = node;
  }
  mutator.write(last.get(), 0, first.get());
  return first.get();
}

// A doubly linked list: slot 0 next, slot 1 previous.
Object* build_doubly_linked(Mutator& mutator, int n) {
  Root head(mutator, mutator.allocate(kNode));
  Root tail(mutator, head.get());
  for (int i = 1; i < n; ++i) {
    Root node(mutator, mutator.allocate(kNode));
    mutator.write(tail.get(), 0, node.get());
    mutator.write(node.get(), 1, tail.get());
    tail = node.get();
  }
  return head.get();
}

// A complete binary tree whose nodes point back at their parents: slots 0
// and 1 the children, slot 2 the parent.
constexpr ObjectShape kTreeNode{.site = 0, .num_refs = 3, .payload_bytes = 0};
Object* build_parented_tree(Mutator& mutator, int depth) {
  Root node(mutator, mutator.allocate(kTreeNode));
  if (depth > 0) {
    for (std::size_t side = 0; side < 2; ++side) {
      Root child(mutator, build_parented_tree(mutator, depth - 1));
      mutator.write(child.get(), 2, node.get());
      mutator.write(node.get(), side, child.get());
    }
  }
  return node.get();
}

using Shape = Object* (*)(Mutator&, int);
struct CycleCase {
  std::string allocator;
  CycleCollection cycles;
  std::string shape;
};

Shape shape_named(const std::string& name) {
  if (name == "ring") return build_ring;
  if (name == "doubly_linked") return build_doubly_linked;
  return build_parented_tree;
}
std::size_t shape_objects(const std::string& name) {
  return name == "parented_tree" ? testing::tree_nodes(7) : 128;
}
int shape_size(const std::string& name) {
  return name == "parented_tree" ? 7 : 128;
}

class GarbageCycles : public ::testing::TestWithParam<CycleCase> {};

TEST_P(GarbageCycles, AreReclaimedOnlyByACycleCollection) {
  const CycleCase& c = GetParam();
  Built built = make_counting_heap(c.allocator, {.cycles = c.cycles});
  Heap& heap = *built.heap;
  const RefCountStats& stats = built.collector->stats();
  {
    Mutator mutator(heap);
    Root kept(mutator, build_ring(mutator, 4));  // reachable: must stay
    {
      Root garbage(mutator, shape_named(c.shape)(mutator, shape_size(c.shape)));
    }
    // Counting alone cannot free a cycle: the dropped root leaves every
    // member's count above zero.
    heap.collect(&mutator, GcCause::kExplicit);
    std::size_t after = allocated_objects(heap, &mutator);
    if (c.cycles == CycleCollection::kNone) {
      EXPECT_EQ(after, 4 + shape_objects(c.shape));
      EXPECT_EQ(stats.freed_by_cycles_objects, 0u);
    } else {
      EXPECT_EQ(after, 4u);
      EXPECT_EQ(stats.freed_by_cycles_objects, shape_objects(c.shape));
    }
    expect_exact_counts(heap, &mutator, built.collector->stuck_word());
    // The kept ring is intact.
    Object* node = kept.get();
    for (int i = 0; i < 4; ++i) node = mutator.read(node, 0);
    EXPECT_EQ(node, kept.get());
  }
  heap.collector().finish();
  // The kept ring's root is gone too: a cycle again.
  EXPECT_EQ(stats.freed_by_counting_objects, 0u);
}

std::vector<CycleCase> cycle_cases() {
  std::vector<CycleCase> cases;
  for (std::string allocator : {"free-list", "size-class", "tlsf"}) {
    for (CycleCollection cycles :
         {CycleCollection::kTrialDeletion, CycleCollection::kBackupTrace,
          CycleCollection::kNone}) {
      for (std::string shape : {"ring", "doubly_linked", "parented_tree"}) {
        cases.push_back({allocator, cycles, shape});
      }
    }
  }
  return cases;
}

std::string_view cycles_name(CycleCollection cycles) {
  switch (cycles) {
    case CycleCollection::kTrialDeletion:
      return "trial_deletion";
    case CycleCollection::kBackupTrace:
      return "backup_trace";
    case CycleCollection::kNone:
      return "none";
  }
  return "";
}

INSTANTIATE_TEST_SUITE_P(EveryMode, GarbageCycles,
                         ::testing::ValuesIn(cycle_cases()),
                         [](const ::testing::TestParamInfo<CycleCase>& info) {
                           std::string name =
                               info.param.allocator + "_" +
                               std::string(cycles_name(info.param.cycles)) +
                               "_" + info.param.shape;
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

// Without a candidate buffer the whole tree goes at the next allocation.
// With one, the inner nodes were buffered as possible cycle roots (a Root
// dropped their counts to one while they were built) and, released, wait
// for the buffer to free them, as Bacon & Rajan's Release does: still
// counted as freed by counting.
TEST(RefCount, FreesAnAcyclicStructureAtTheNextAllocation) {
  for (CycleCollection cycles :
       {CycleCollection::kNone, CycleCollection::kTrialDeletion}) {
    Built built =
        make_counting_heap("tlsf", {.cycles = cycles, .log_limit = 1});
    Heap& heap = *built.heap;
    const RefCountStats& stats = built.collector->stats();
    Mutator mutator(heap);
    { Root tree(mutator, testing::build_tree(mutator, 6)); }
    EXPECT_EQ(stats.freed_by_counting_objects, 0u)
        << "a raw pointer may hold it until the next allocation";
    Root next(mutator, mutator.allocate(kNode));
    if (cycles == CycleCollection::kNone) {
      EXPECT_EQ(stats.freed_by_counting_objects, testing::tree_nodes(6));
    } else {
      EXPECT_LT(stats.freed_by_counting_objects, testing::tree_nodes(6));
      heap.collect(&mutator, GcCause::kExplicit);
      EXPECT_EQ(stats.freed_by_counting_objects, testing::tree_nodes(6));
    }
    EXPECT_EQ(stats.freed_by_cycles_objects, 0u);
    EXPECT_EQ(allocated_objects(heap, &mutator), 1u);
  }
}

// A raw pointer read from the slot being overwritten stays valid until the
// next allocation: the object waits in the zero count table.
TEST(RefCount, KeepsAnObjectMovedThroughARawPointer) {
  Built built = make_counting_heap("free-list", {.log_limit = 1});
  Heap& heap = *built.heap;
  Mutator mutator(heap);
  Root from(mutator, mutator.allocate(kNode));
  Root to(mutator, mutator.allocate(kNode));
  mutator.write(from.get(), 0, mutator.allocate(kNode));
  Object* moved = mutator.read(from.get(), 0);
  mutator.write(from.get(), 0, nullptr);  // its count falls to zero
  mutator.write(to.get(), 1, moved);      // and rises again
  Root next(mutator, mutator.allocate(kNode));
  EXPECT_EQ(built.collector->stats().freed_by_counting_objects, 0u);
  EXPECT_EQ(mutator.read(to.get(), 1), moved);
  heap.collect(&mutator, GcCause::kExplicit);  // verifies
  expect_exact_counts(heap, &mutator, built.collector->stuck_word());
}

// 200,000 nodes freed by one dropped root: recursion would need a native
// stack frame per node.
TEST(RefCount, FreesALongListWithoutDeepRecursion) {
  Built built = make_counting_heap("size-class", {}, /*verify=*/false);
  Heap& heap = *built.heap;
  Mutator mutator(heap);
  constexpr int kLength = 200'000;
  {
    Root head(mutator, mutator.allocate(kNode));
    Root tail(mutator, head.get());
    for (int i = 1; i < kLength; ++i) {
      Object* node = mutator.allocate(kNode);
      mutator.write(tail.get(), 0, node);
      tail = node;
    }
  }
  heap.collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(built.collector->stats().freed_by_counting_objects,
            std::uint64_t{kLength});
  EXPECT_EQ(allocated_objects(heap, &mutator), 0u);
}

// With two count bits a count sticks at 3: the object is never freed by
// counting nor by trial deletion (it looks referenced from outside), only
// by the backup trace, which also recounts what it keeps.
TEST(RefCount, StickyCountsNeverWrapAndOnlyTheBackupTraceReclaims) {
  for (CycleCollection cycles :
       {CycleCollection::kTrialDeletion, CycleCollection::kBackupTrace}) {
    Built built =
        make_counting_heap("tlsf", {.cycles = cycles, .count_bits = 2});
    Heap& heap = *built.heap;
    Mutator mutator(heap);
    {
      Root popular(mutator, mutator.allocate(kNode));
      Root holder(mutator, mutator.allocate(
                               {.site = 0, .num_refs = 5, .payload_bytes = 0}));
      for (std::size_t i = 0; i < 5; ++i) {
        mutator.write(holder.get(), i, popular.get());
      }
      EXPECT_EQ(mutator.counters().rc_stuck, 1u);
      EXPECT_GE(popular.get()->gc_word().load(), built.collector->stuck_word());
    }
    heap.collect(&mutator, GcCause::kExplicit);
    std::size_t left = allocated_objects(heap, &mutator);
    if (cycles == CycleCollection::kBackupTrace) {
      EXPECT_EQ(left, 0u);
    } else {
      EXPECT_EQ(left, 1u) << "the stuck object leaks; the holder is freed";
    }
  }
}

// Random stores among rooted and unrooted nodes, with cycles made and
// broken: after each collection every count equals the graph's.
TEST(RefCount, CountsAreExactAfterRandomMutation) {
  for (CycleCollection cycles :
       {CycleCollection::kTrialDeletion, CycleCollection::kBackupTrace,
        CycleCollection::kNone}) {
    Built built = make_counting_heap(
        "free-list", {.cycles = cycles, .cycle_buffer = 64, .log_limit = 16});
    Heap& heap = *built.heap;
    Mutator mutator(heap);
    std::mt19937 random(7);
    Root table(mutator, mutator.allocate(
                            {.site = 0, .num_refs = 32, .payload_bytes = 0}));
    for (int step = 0; step < 20'000; ++step) {
      std::size_t slot = random() % 32;
      Object* target = mutator.read(table.get(), random() % 32);
      switch (random() % 4) {
        case 0:
          mutator.write(table.get(), slot, mutator.allocate(kNode));
          break;
        case 1:
          if (target != nullptr) {
            mutator.write(target, random() % 2,
                          mutator.read(table.get(), random() % 32));
          }
          break;
        case 2:
          mutator.write(table.get(), slot, nullptr);
          break;
        default:
          mutator.write(table.get(), slot, target);
          break;
      }
      if (step % 2000 == 0) heap.collect(&mutator, GcCause::kExplicit);
    }
    heap.collect(&mutator, GcCause::kExplicit);
    expect_exact_counts(heap, &mutator, built.collector->stuck_word());
    EXPECT_GT(heap.verifier().stats().count_checks, 0u);
  }
}

// A broken barrier, in the test only: a store that skipped the counting
// (an increment missing), then an overwrite that skipped it (a decrement
// missing). The --verify recount names the object.
TEST(RefCountDeathTest, VerifyCatchesAMissingIncrement) {
  EXPECT_DEATH(
      {
        Built built = make_counting_heap("tlsf", {});
        Mutator mutator(*built.heap);
        Root holder(mutator, mutator.allocate(kNode));
        Root child(mutator, mutator.allocate(kNode));
        holder.get()->store_slot(0, child.get());  // no increment
        built.heap->collect(&mutator, GcCause::kExplicit);
      },
      "has reference count 1 but 2 references in the graph");
}

TEST(RefCountDeathTest, VerifyCatchesAMissingDecrement) {
  EXPECT_DEATH(
      {
        Built built = make_counting_heap("tlsf", {});
        Mutator mutator(*built.heap);
        Root holder(mutator, mutator.allocate(kNode));
        Root child(mutator, mutator.allocate(kNode));
        mutator.write(holder.get(), 0, child.get());
        holder.get()->store_slot(0, nullptr);  // no decrement
        built.heap->collect(&mutator, GcCause::kExplicit);
      },
      "has reference count 2 but 1 references in the graph");
}

TEST(RefCount, ChecksCountsAgainstItsOwnRecount) {
  Built built = make_counting_heap("size-class", {}, /*verify=*/false);
  Mutator mutator(*built.heap);
  Root holder(mutator, mutator.allocate(kNode));
  Root child(mutator, mutator.allocate(kNode));
  mutator.write(holder.get(), 0, child.get());
  {
    Heap::WorldStop world(*built.heap, &mutator, PauseKind::kFull);
    EXPECT_EQ(
        check_reference_counts(*built.heap, built.collector->stuck_word()),
        std::nullopt);
    holder.get()->store_slot(1, child.get());  // no increment
    EXPECT_NE(
        check_reference_counts(*built.heap, built.collector->stuck_word()),
        std::nullopt);
    holder.get()->store_slot(1, nullptr);
  }
}

}  // namespace
}  // namespace gclab
