// The one table of allocators: adding an allocator is one file pair and one
// line in registry.cc.
#ifndef GCLAB_ALLOCATORS_REGISTRY_H_
#define GCLAB_ALLOCATORS_REGISTRY_H_

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "heap/allocator.h"
#include "heap/params.h"

namespace gclab {

struct AllocatorEntry {
  std::string_view name;
  std::string_view description;
  AllocatorCapabilities capabilities;
  std::span<const ParamSpec> params;
  std::unique_ptr<Allocator> (*make)(std::size_t heap_bytes,
                                     const ParamValues& params);
};

std::span<const AllocatorEntry> allocator_registry();
// Throws ConfigError naming the known allocators.
const AllocatorEntry& find_allocator(std::string_view name);

}  // namespace gclab

#endif  // GCLAB_ALLOCATORS_REGISTRY_H_
