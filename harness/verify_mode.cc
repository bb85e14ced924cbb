#include "harness/verify_mode.h"

namespace gclab {

std::string_view to_string(VerifyMode mode) {
  switch (mode) {
    case VerifyMode::kOff:
      return "off";
    case VerifyMode::kEnd:
      return "end";
    case VerifyMode::kEvery:
      return "every";
  }
  return "off";
}

}  // namespace gclab
