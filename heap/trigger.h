// When a collection starts: a small component of its own, not code inside each
// collector, so every collector can run under every policy.
//
//   on-failure       collect only when an allocation cannot be satisfied
//   occupancy:F      also collect when the allocator's in-use bytes reach F of
//                    the heap (0 < F <= 1), as CMS's initiating occupancy
//   gogc:N           Go's GOGC: the heap goal is live x (1 + N/100), where
//                    live is what the last collection left in use; before
//                    the first collection, and never below, the goal is Go's
//                    4 MiB minimum heap. A stop-the-world collector collects
//                    at the goal. A concurrent one must finish marking by the
//                    goal, so the trigger paces it: it starts the cycle early
//                    by what the mutators allocated while the last one marked
//                    (the runway), bounded to between 0.7 and 0.95 of the way
//                    from live to the goal, as Go's pacer bounds its trigger
//                    (Knyszek's 2021 pacer redesign). Mutators that still
//                    reach the goal while marking assist the marker.
//
// The heap asks `should_collect` on every allocation slow path (one buffer
// refill, i.e. every few tens of KiB), never on the fast path.
//
// Design note: docs/design.md#triggers.
#ifndef GCLAB_HEAP_TRIGGER_H_
#define GCLAB_HEAP_TRIGGER_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "heap/allocator.h"

namespace gclab {

class Trigger {
 public:
  virtual ~Trigger() = default;
  virtual bool should_collect(const Allocator& allocator) = 0;
  // Tells the trigger what a collection left behind and how much the
  // mutators allocated while it marked (zero when the world was stopped).
  virtual void after_collection(const AllocatorStats& after,
                                std::size_t allocated_while_marking) = 0;
  // The in-use bytes at which should_collect turns true, if there is such a
  // point.
  virtual std::optional<std::size_t> trigger_bytes(
      const Allocator& allocator) const = 0;
  // The in-use bytes a concurrent cycle should finish marking by, for a
  // trigger that sets one (gogc).
  virtual std::optional<std::size_t> heap_goal() const { return {}; }
  // The effective specification, as `parse_trigger` accepts it.
  virtual std::string spec() const = 0;
};

// Parses "on-failure", "occupancy:F" or "gogc:N"; throws ConfigError
// otherwise.
std::unique_ptr<Trigger> parse_trigger(std::string_view spec);

}  // namespace gclab

#endif  // GCLAB_HEAP_TRIGGER_H_
