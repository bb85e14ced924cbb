// Garbage cycles: the part of a heap's garbage that a reference counter can
// never free, found as the strongly connected components of the graph that
// unreachable objects form through their slots.
//
// Every object of a component with a cycle — more than one object, or one
// whose slot points at itself — is referenced from inside the component, so
// its count never drops to zero however the rest of the heap changes. An
// acyclic component (a tree, a chain) is not reported: its root's count is
// zero once it is unreachable, so a reference counter frees it, root first,
// by itself; seen at a census it is only garbage not freed yet (deferred
// decrements), not a leak. Components are found with Tarjan's algorithm,
// iteratively (an explicit stack of frames, never recursion: a garbage list
// may be millions of objects long).
//
// The census (heap/census.h) calls this under a collector that frees
// objects but whose marks say nothing (ref-count with --cycles=none); under
// `none`, unreachable objects are simply not collected yet, and nothing is
// called a cycle.
//
// Design note: docs/design.md#the-heap-census.
#ifndef GCLAB_HEAP_GARBAGE_CYCLES_H_
#define GCLAB_HEAP_GARBAGE_CYCLES_H_

#include <vector>

#include "heap/census_counts.h"
#include "heap/object.h"

namespace gclab {

struct GarbageComponent {
  Tally total;
  std::vector<SiteTally> sites{};  // in site order
};

// The components of `garbage` (unreachable objects, in any order; their
// slots may point anywhere) that contain a cycle, most bytes first. Edges
// to objects outside `garbage` are ignored.
std::vector<GarbageComponent> garbage_cycles(std::vector<Object*> garbage);

}  // namespace gclab

#endif  // GCLAB_HEAP_GARBAGE_CYCLES_H_
