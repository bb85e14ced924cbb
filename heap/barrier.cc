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

BarrierKind parse_barrier(std::string_view name) {
  for (BarrierKind kind : {BarrierKind::kNone, BarrierKind::kDijkstra,
                           BarrierKind::kYuasa, BarrierKind::kHybrid}) {
    if (name == to_string(kind)) return kind;
  }
  throw ConfigError("bad --barrier '" + std::string(name) +
                    "': expected none, dijkstra, yuasa or hybrid");
}

}  // namespace gclab
