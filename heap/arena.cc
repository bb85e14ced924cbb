#include "heap/arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
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

void pretouch(std::span<std::byte> memory) {
  if (memory.empty()) return;
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  auto first = reinterpret_cast<std::uintptr_t>(memory.data()) & ~(page - 1);
  auto end = reinterpret_cast<std::uintptr_t>(memory.data() + memory.size());
  if (madvise(reinterpret_cast<void*>(first), end - first,
              MADV_POPULATE_WRITE) == 0) {
    return;
  }
  // An older kernel: a write commits the page; writing back what is there
  // keeps whatever the allocator already wrote.
  for (std::uintptr_t address = first; address < end; address += page) {
    auto* byte = reinterpret_cast<volatile std::byte*>(
        std::max(address, reinterpret_cast<std::uintptr_t>(memory.data())));
    *byte = *byte;
  }
}

}  // namespace gclab
