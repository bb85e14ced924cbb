// CensusTrace: a census's own walk of what is reachable, breadth first from
// every root, with a visited bitmap of its own (one bit per granule of the
// allocator's arena) and a parent link for every object it reaches.
//
// It never reads or writes mark epochs or side mark bits: a collector may
// be in the middle of a lazy sweep, which reads the marks of the last cycle,
// and a reference counter's backup trace uses the epochs too. What it
// writes to objects is at most their age, when asked (Aging::kAgeReached:
// under a collector whose marks say nothing, the census is what ages
// survivors, so that an age there counts censuses survived).
//
// Breadth first when paths are wanted, so that the parent links give every
// reached object a shortest path from a root: path_to_site follows them
// from the first object of a site the trace reached back to its root.
// Depth first otherwise, which is about 30% faster here (binary-trees
// under none: a tree built bottom up lies in post-order, which a depth-first
// walk follows page by page and a breadth-first one crosses at every
// step); its paths are still paths, only not the shortest. The roots are each
// mutator's (innermost first, mutator by mutator) and then the global roots, as
// Heap::for_each_root visits them, so that a path can name the kind of root
// it starts from.
//
// The bitmap and the queue live in a Workspace that the census keeps from
// one trace to the next: a fresh bitmap over a large arena would fault its
// pages in anew at every census (about 9 us a page here; it was most of a
// census's time under none), and a trace clears just the bits it set.
//
// The world must be stopped, or no mutator attached (after the run, when
// only global roots are left), and buffers retired.
//
// Design note: docs/design.md#the-heap-census.
#ifndef GCLAB_HEAP_CENSUS_TRACE_H_
#define GCLAB_HEAP_CENSUS_TRACE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "heap/census_counts.h"
#include "heap/granule_bitmap.h"
#include "heap/object.h"

namespace gclab {

class Heap;

enum class RootKind { kMutator, kGlobal };

// One object on a path: its site, and the slot of the previous object that
// holds it (none for the first object, which a root holds).
struct PathStep {
  std::uint16_t site = 0;
  std::optional<std::uint16_t> slot{};
};

// A path from a root to an object, root end first. A long path keeps its
// first and last kPathEndSteps steps and counts the rest in elided_steps.
struct ObjectPath {
  static constexpr std::size_t kPathEndSteps = 32;

  RootKind root = RootKind::kMutator;
  std::optional<int> mutator{};  // Mutator::index, for a mutator root
  std::vector<PathStep> steps{};
  std::size_t elided_steps = 0;
};

class CensusTrace {
  struct Reached {
    Object* object;
    std::uint32_t parent;  // index in reached_, or kNoParent for a root's
    std::uint32_t via;     // the parent's slot, or the root's index in roots_
  };

 public:
  enum class Order { kBreadthFirst, kDepthFirst };
  enum class Aging { kNone, kAgeReached };

  // What one trace at a time borrows: all clear between traces.
  class Workspace {
   public:
    explicit Workspace(std::span<std::byte> arena) : visited_(arena) {}

   private:
    friend class CensusTrace;
    GranuleBitmap visited_;
    std::vector<Reached> reached_;      // in the order found
    std::vector<std::uint32_t> stack_;  // depth first: indices in reached_
  };

  // Traces at once; with kAgeReached, each object reached survives one
  // more census (Object::survive_collection) before it is counted.
  CensusTrace(Heap& heap, Order order, Aging aging, Workspace& workspace);
  // Clears what it set in the workspace.
  ~CensusTrace();
  CensusTrace(const CensusTrace&) = delete;
  CensusTrace& operator=(const CensusTrace&) = delete;

  // What the trace reached, by site and by age.
  const CensusCounts& counts() const { return counts_; }
  bool reached(const Object* object) const {
    return visited_.contains(object) && visited_.test(object);
  }
  // How many objects it reached.
  std::size_t size() const { return reached_.size(); }
  // A shortest path from a root to an object of `site`, or none when the
  // trace reached no object of it.
  std::optional<ObjectPath> path_to_site(std::uint16_t site) const;

 private:
  static constexpr std::uint32_t kNoParent = UINT32_MAX;

  struct RootOrigin {
    RootKind kind;
    std::optional<int> mutator;
  };

  // Marks `object` found, through `via` of `parent`.
  void reach(Object* object, std::uint32_t parent, std::uint32_t via);
  // Counts (and ages) the object at `index` and finds its children, onto
  // `stack` when depth first.
  void scan(std::uint32_t index, Aging aging,
            std::vector<std::uint32_t>* stack);

  GranuleBitmap& visited_;
  std::vector<Reached>& reached_;
  std::vector<RootOrigin> roots_;
  // Per site, the index in reached_ of the first object of it reached.
  std::vector<std::uint32_t> first_of_site_;
  CensusCounts counts_;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_CENSUS_TRACE_H_
