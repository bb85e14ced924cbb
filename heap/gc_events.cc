#include "heap/gc_events.h"

namespace gclab {

std::string_view to_string(PauseKind kind) {
  switch (kind) {
    case PauseKind::kFull:
      return "full";
    case PauseKind::kInitialMark:
      return "initial-mark";
    case PauseKind::kRemark:
      return "remark";
    case PauseKind::kHandshake:
      return "handshake";
    case PauseKind::kAssist:
      return "assist";
    case PauseKind::kCount:
      return "count";
    case PauseKind::kStall:
      return "stall";
  }
  return "unknown";
}

}  // namespace gclab
