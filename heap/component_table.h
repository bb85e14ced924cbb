// Lookup in a component registry (collectors, allocators, workloads): each
// registry is one table of entries with a `name`, and an unknown name is a
// configuration error that lists the known ones.
#ifndef GCLAB_HEAP_COMPONENT_TABLE_H_
#define GCLAB_HEAP_COMPONENT_TABLE_H_

#include <span>
#include <string>
#include <string_view>

#include "heap/errors.h"

namespace gclab {

// Throws ConfigError("unknown <kind> 'x' (known: a, b)").
template <typename Entry>
const Entry& find_component(std::span<const Entry> table, std::string_view name,
                            std::string_view kind) {
  std::string known;
  for (const Entry& entry : table) {
    if (entry.name == name) return entry;
    if (!known.empty()) known += ", ";
    known += entry.name;
  }
  throw ConfigError("unknown " + std::string(kind) + " '" + std::string(name) +
                    "' (known: " + known + ")");
}

}  // namespace gclab

#endif  // GCLAB_HEAP_COMPONENT_TABLE_H_
