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
// Breadth first, so the parent links give every reached object a shortest
// path from a root: path_to_site follows them from the first object of a
// site the trace reached back to its root. The roots are each mutator's
// (innermost first, mutator by mutator) and then the global roots, as
// Heap::for_each_root visits them, so that a path can name the kind of root
// it starts from.
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
 public:
  enum class Aging { kNone, kAgeReached };

  // Traces at once; with kAgeReached, each object reached survives one
  // more census (Object::survive_collection) before it is counted.
  CensusTrace(Heap& heap, Aging aging);

  // What the trace reached, by site and by age.
  const CensusCounts& counts() const { return counts_; }
  bool reached(const Object* object) const {
    return visited_.contains(object) && visited_.test(object);
  }
  // A shortest path from a root to an object of `site`, or none when the
  // trace reached no object of it.
  std::optional<ObjectPath> path_to_site(std::uint16_t site) const;

 private:
  static constexpr std::uint32_t kNoParent = UINT32_MAX;

  struct Reached {
    Object* object;
    std::uint32_t parent;  // index in reached_, or kNoParent for a root's
    std::uint32_t via;     // the parent's slot, or the root's index in roots_
  };
  struct RootOrigin {
    RootKind kind;
    std::optional<int> mutator;
  };

  void reach(Object* object, std::uint32_t parent, std::uint32_t via,
             Aging aging);

  GranuleBitmap visited_;
  std::vector<Reached> reached_;  // in the order reached: the BFS queue
  std::vector<RootOrigin> roots_;
  // Per site, the index in reached_ of the first object of it reached.
  std::vector<std::uint32_t> first_of_site_;
  CensusCounts counts_;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_CENSUS_TRACE_H_
