#include "collectors/ref_count_check.h"

#include <cstdio>
#include <unordered_map>
#include <vector>

#include "heap/ref_count_word.h"

namespace gclab {

std::optional<std::string> check_reference_counts(Heap& heap,
                                                  std::uint32_t stuck_word) {
  std::unordered_map<Object*, std::uint64_t> references;
  Allocator& allocator = heap.allocator();
  allocator.visit_objects([&](Object* object) {
    for (std::size_t i = 0; i < object->num_refs(); ++i) {
      if (Object* child = object->load_slot(i)) ++references[child];
    }
  });
  heap.for_each_root([&](Object** slot) {
    if (*slot != nullptr) ++references[*slot];
  });
  std::optional<std::string> error;
  std::vector<std::string> sites = heap.site_names();
  allocator.visit_objects([&](Object* object) {
    if (error) return;
    std::uint32_t word = object->gc_word().load(std::memory_order_relaxed);
    if (word >= stuck_word) return;
    auto it = references.find(object);
    std::uint64_t expected = it == references.end() ? 0 : it->second;
    if (ref_count::count(word) == expected) return;
    char address[24];
    std::snprintf(address, sizeof address, "%p", static_cast<void*>(object));
    std::string site = object->site() < sites.size()
                           ? sites[object->site()]
                           : std::to_string(object->site());
    error = "object " + std::string(address) + " (site " + site +
            ") has reference count " + std::to_string(ref_count::count(word)) +
            " but " + std::to_string(expected) + " references in the graph";
  });
  return error;
}

}  // namespace gclab
