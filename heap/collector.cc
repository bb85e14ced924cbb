#include "heap/collector.h"

#include "heap/allocator.h"
#include "heap/object.h"

namespace gclab {

std::string_view to_string(GcCause cause) {
  switch (cause) {
    case GcCause::kAllocationFailure:
      return "allocation-failure";
    case GcCause::kTrigger:
      return "trigger";
    case GcCause::kStress:
      return "stress";
    case GcCause::kExplicit:
      return "explicit";
  }
  return "unknown";
}

std::string missing_capability(const CollectorCapabilities& collector,
                               const AllocatorCapabilities& allocator) {
  if (collector.needs_sweepable_allocator && !allocator.sweepable) {
    return "needs an allocator that can sweep";
  }
  if (collector.needs_lazy_sweep && !allocator.lazy_sweep) {
    return "needs an allocator that sweeps lazily";
  }
  if (collector.needs_contiguous_allocator && !allocator.contiguous) {
    return "needs a contiguous allocator it can compact";
  }
  if (collector.needs_object_free && !allocator.frees_objects) {
    return "needs an allocator that frees single objects";
  }
  return "";
}

}  // namespace gclab
