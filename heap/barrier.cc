#include "heap/barrier.h"

#include <string>

#include "heap/errors.h"

namespace gclab {

std::string_view to_string(BarrierKind kind) {
  switch (kind) {
    case BarrierKind::kNone:
      return "none";
    case BarrierKind::kDijkstra:
      return "dijkstra";
    case BarrierKind::kYuasa:
      return "yuasa";
    case BarrierKind::kHybrid:
      return "hybrid";
  }
  return "unknown";
}

std::span<const BarrierKind> barrier_kinds() {
  static constexpr BarrierKind kKinds[] = {
      BarrierKind::kNone, BarrierKind::kDijkstra, BarrierKind::kYuasa,
      BarrierKind::kHybrid};
  return kKinds;
}

BarrierKind parse_barrier(std::string_view name) {
  std::string expected;
  for (BarrierKind kind : barrier_kinds()) {
    if (name == to_string(kind)) return kind;
    expected += (expected.empty() ? "" : ", ") + std::string(to_string(kind));
  }
  throw ConfigError("bad --barrier '" + std::string(name) +
                    "': expected one of " + expected);
}

}  // namespace gclab
