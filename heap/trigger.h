// When a collection starts: a small component of its own, not code inside each
// collector, so every collector can run under every policy.
//
//   on-failure       collect only when an allocation cannot be satisfied
//   occupancy:F      also collect when the allocator's in-use bytes reach F of
//                    the heap (0 < F <= 1), as CMS's initiating occupancy
//   gogc:N           Go's GOGC: also collect when in-use bytes reach the heap
//                    goal, live x (1 + N/100), where live is what the last
//                    collection left in use; before the first collection, and
//                    never below, the goal is Go's 4 MiB minimum heap
//
// The heap asks `should_collect` on every allocation slow path (one buffer
// refill, i.e. every few tens of KiB), never on the fast path.
#ifndef GCLAB_HEAP_TRIGGER_H_
#define GCLAB_HEAP_TRIGGER_H_

#include <memory>
#include <string>
#include <string_view>

#include "heap/allocator.h"

namespace gclab {

class Trigger {
 public:
  virtual ~Trigger() = default;
  virtual bool should_collect(const Allocator& allocator) = 0;
  // Tells the trigger what a collection left behind.
  virtual void after_collection(const AllocatorStats& after) = 0;
  // The effective specification, as `parse_trigger` accepts it.
  virtual std::string spec() const = 0;
};

// Parses "on-failure", "occupancy:F" or "gogc:N"; throws ConfigError
// otherwise.
std::unique_ptr<Trigger> parse_trigger(std::string_view spec);

}  // namespace gclab

#endif  // GCLAB_HEAP_TRIGGER_H_
