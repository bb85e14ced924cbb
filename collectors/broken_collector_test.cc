// Proves the verifier has teeth: a mark-sweep variant that skips one
// reference slot while marking must be caught by --verify, both by the mark
// check and, when that is not asked for, by the allocated-object check (the
// skipped object has been swept).
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "heap/collection_cycle.h"
#include "heap/heap.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

// Marks like mark-sweep but never follows slot 1: every right child is lost.
class SkipsSlotOneCollector final : public Collector {
 public:
  SkipsSlotOneCollector(Heap& heap, bool check_marks)
      : heap_(heap), check_marks_(check_marks) {}

  CollectorCapabilities capabilities() const override {
    return {.needs_sweepable_allocator = true};
  }

  void collect(Mutator* requester, GcCause cause) override {
    Heap::WorldStop world(heap_, requester, PauseKind::kFull);
    if (!world.stopped()) return;
    CollectionCycle cycle(heap_, cause);
    // Through the cycle, the epoch is what every reachable object must
    // carry when it closes; without the mark check, the heap's own flip.
    std::uint8_t epoch =
        check_marks_ ? cycle.flip_mark_epoch() : heap_.flip_mark_epoch();
    std::vector<Object*> stack;
    heap_.for_each_root([&](Object** slot) {
      if (*slot != nullptr && (*slot)->try_mark(epoch)) stack.push_back(*slot);
    });
    while (!stack.empty()) {
      Object* object = stack.back();
      stack.pop_back();
      Object* child = object->num_refs() > 0 ? object->load_slot(0) : nullptr;
      if (child != nullptr && child->try_mark(epoch)) stack.push_back(child);
    }
    // Without the mark check the sweep must run, so that the lost object is
    // really freed and the allocated-object check has something to find.
    if (!check_marks_) heap_.allocator().sweep(epoch, /*poison=*/true);
  }

 private:
  Heap& heap_;
  bool check_marks_;
};

// Builds a tree, drops nothing, collects: the lost right children are
// reachable, so verification must abort the run.
void collect_with_broken_marker(bool check_marks) {
  auto heap = testing::make_heap_with(
      [&](Heap& h) {
        return std::make_unique<SkipsSlotOneCollector>(h, check_marks);
      },
      "free-list", HeapOptions{.heap_bytes = 1 << 20, .verify = true});
  Mutator mutator(*heap);
  Root tree(mutator, testing::build_tree(mutator, 3));
  heap->collect(&mutator, GcCause::kExplicit);
}

TEST(BrokenCollectorDeathTest, MarkCheckReportsTheSkippedSlot) {
  EXPECT_DEATH(collect_with_broken_marker(true),
               "verification failed after collection 0: slot 1 of object "
               "0x[0-9a-f]+ .* reachable but was not marked");
}

TEST(BrokenCollectorDeathTest, AllocatedCheckReportsTheSweptObject) {
  EXPECT_DEATH(collect_with_broken_marker(false),
               "verification failed after collection 0: slot 1 of object "
               "0x[0-9a-f]+ .* not an allocated object");
}

TEST(BrokenCollectorDeathTest, CorrectMarkingPassesTheSameChecks) {
  auto heap = testing::make_heap("mark-sweep", "free-list",
                                 {.heap_bytes = 1 << 20, .verify = true});
  Mutator mutator(*heap);
  Root tree(mutator, testing::build_tree(mutator, 3));
  heap->collect(&mutator, GcCause::kExplicit);
  EXPECT_EQ(heap->verifier().stats().heaps_verified, 1u);
  EXPECT_EQ(heap->verifier().stats().objects_visited, testing::tree_nodes(3));
}

}  // namespace
}  // namespace gclab
