#include "heap/fatal.h"

#include <cstdio>
#include <cstdlib>

#include "heap/object.h"

namespace gclab {

void fatal(std::string_view message) {
  std::fprintf(stderr, "gclab: fatal: %.*s\n", static_cast<int>(message.size()),
               message.data());
  std::fflush(stderr);
  std::abort();
}

void report_zero_sized_block(const std::byte* at) {
  char text[64];
  std::snprintf(text, sizeof text, "zero-sized block at %p in a heap walk",
                static_cast<const void*>(at));
  fatal(text);
}

}  // namespace gclab
