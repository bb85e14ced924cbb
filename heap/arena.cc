#include "heap/arena.h"

#include <sys/mman.h>

#include <string>

#include "heap/errors.h"

namespace gclab {

Arena::Arena(std::size_t bytes) : bytes_(bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    throw ConfigError("cannot reserve a heap of " + std::to_string(bytes) +
                      " bytes");
  }
  base_ = static_cast<std::byte*>(p);
}

Arena::~Arena() { munmap(base_, bytes_); }

}  // namespace gclab
