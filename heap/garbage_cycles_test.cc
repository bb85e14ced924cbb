// Garbage cycles: a ring is one component with a cycle; a tree, a chain and
// a lone object are none; a self-loop is one; two rings joined by one edge
// are two; a ring of 200,000 needs no deep recursion.
#include "heap/garbage_cycles.h"

#include <gtest/gtest.h>

#include <vector>

#include "heap/heap.h"
#include "testing/test_heap.h"

namespace gclab {
namespace {

class GarbageCyclesTest : public ::testing::Test {
 protected:
  // Objects of the unreclaimed heap, never rooted: the test is their graph.
  Object* node(std::uint16_t site = 0) {
    Object* object =
        mutator_.allocate({.site = site, .num_refs = 2, .payload_bytes = 8});
    made_.push_back(object);
    return object;
  }
  std::vector<Object*> ring(std::size_t length, std::uint16_t site = 0) {
    std::vector<Object*> nodes;
    for (std::size_t i = 0; i < length; ++i) nodes.push_back(node(site));
    for (std::size_t i = 0; i < length; ++i) {
      mutator_.write(nodes[i], 0, nodes[(i + 1) % length]);
    }
    return nodes;
  }

  std::unique_ptr<Heap> heap_ = testing::make_unreclaimed_heap();
  Mutator mutator_{*heap_};
  std::vector<Object*> made_;
};

TEST_F(GarbageCyclesTest, ARingIsOneCycleWithItsSites) {
  std::vector<Object*> nodes = ring(5, 3);
  mutator_.write(nodes[2], 1, node(4));  // hangs off the ring: no cycle
  std::vector<GarbageComponent> found = garbage_cycles(made_);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].total.objects, 5u);
  EXPECT_EQ(found[0].total.bytes, 5 * nodes[0]->size_bytes());
  ASSERT_EQ(found[0].sites.size(), 1u);
  EXPECT_EQ(found[0].sites[0].site, 3);
}

TEST_F(GarbageCyclesTest, ATreeAChainAndALoneObjectAreNoCycles) {
  Object* root = node();
  for (std::size_t side : {0, 1}) {
    Object* inner = node();
    mutator_.write(root, side, inner);
    mutator_.write(inner, 0, node());
    mutator_.write(inner, 1, node());
  }
  Object* previous = node();
  for (int i = 0; i < 10; ++i) {
    Object* next = node();
    mutator_.write(previous, 0, next);
    previous = next;
  }
  node();
  EXPECT_TRUE(garbage_cycles(made_).empty());
}

TEST_F(GarbageCyclesTest, ASelfLoopIsACycle) {
  Object* loner = node();
  mutator_.write(loner, 1, loner);
  std::vector<GarbageComponent> found = garbage_cycles(made_);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].total.objects, 1u);
}

TEST_F(GarbageCyclesTest, TwoRingsJoinedOneWayAreTwoLargestFirst) {
  std::vector<Object*> small = ring(2, 1);
  std::vector<Object*> large = ring(6, 2);
  mutator_.write(small[0], 1, large[0]);
  std::vector<GarbageComponent> found = garbage_cycles(made_);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].total.objects, 6u);
  EXPECT_EQ(found[1].total.objects, 2u);
  // Joined both ways they are one.
  mutator_.write(large[3], 1, small[1]);
  found = garbage_cycles(made_);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].total.objects, 8u);
  EXPECT_EQ(found[0].sites.size(), 2u);
}

TEST_F(GarbageCyclesTest, EdgesLeavingTheGarbageAreIgnored) {
  std::vector<Object*> nodes = ring(3);
  Object* outside = mutator_.allocate(testing::kNodeShape);  // not garbage
  mutator_.write(outside, 0, nodes[0]);
  mutator_.write(nodes[1], 1, outside);
  EXPECT_EQ(garbage_cycles(made_).size(), 1u);
}

TEST_F(GarbageCyclesTest, ALongRingNeedsNoDeepRecursion) {
  ring(200'000);
  std::vector<GarbageComponent> found = garbage_cycles(made_);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].total.objects, 200'000u);
}

}  // namespace
}  // namespace gclab
