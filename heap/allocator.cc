#include "heap/allocator.h"

#include "heap/fatal.h"

namespace gclab {

// The harness never pairs a collector with an allocator that lacks what it
// needs, so reaching one of these defaults is a gclab bug.
SweepResult Allocator::sweep(std::uint8_t, bool) {
  fatal("sweep called on an allocator that cannot sweep");
}

void Allocator::begin_lazy_sweep(std::uint8_t, std::size_t, bool) {
  fatal("begin_lazy_sweep called on an allocator that cannot sweep lazily");
}

SweepResult Allocator::finish_sweep() {
  fatal("finish_sweep called on an allocator that cannot sweep lazily");
}

bool Allocator::background_sweep_step() {
  fatal(
      "background_sweep_step called on an allocator that cannot sweep "
      "lazily");
}

void Allocator::free_object(Object*, bool) {
  fatal("free_object called on an allocator that cannot free objects");
}

void Allocator::visit_objects(const std::function<void(Object*)>& visit) {
  for_each_object(visit);
}

void Allocator::reset_top(std::byte*) {
  fatal("reset_top called on a non-contiguous allocator");
}

std::string Allocator::describe_failure(std::size_t bytes) const {
  AllocatorStats s = stats();
  if (s.free_bytes >= bytes) {
    return "fragmented: largest free block " +
           std::to_string(s.largest_free_block) + " < request " +
           std::to_string(bytes) + ", free " + std::to_string(s.free_bytes);
  }
  return "in use " + std::to_string(s.in_use_bytes) + " + request " +
         std::to_string(bytes) + " > heap " + std::to_string(s.heap_bytes);
}

}  // namespace gclab
