#include "collectors/checkmark.h"

#include <cstdio>

namespace gclab {
namespace {

std::string describe(const Object* object) {
  char text[96];
  std::snprintf(text, sizeof text, "object at %p (site %u, %zu bytes)",
                static_cast<const void*>(object), object->site(),
                object->size_bytes());
  return text;
}

}  // namespace

Checkmark::Checkmark(std::span<std::byte> arena) : visited_(arena) {}

bool Checkmark::visit(Object* object) {
  if (visited_.test(object)) return false;
  visited_.set(object);
  return true;
}

std::optional<std::string> Checkmark::check(std::span<Object* const> roots,
                                            std::uint8_t epoch) {
  visited_.clear_all();
  reachable_bytes_ = 0;
  stack_.clear();
  for (Object* root : roots) {
    if (root != nullptr) stack_.push_back(root);
  }
  while (!stack_.empty()) {
    Object* object = stack_.back();
    stack_.pop_back();
    if (!visited_.contains(object)) {
      char text[96];
      std::snprintf(text, sizeof text,
                    "checkmark: a reference to %p, outside the heap",
                    static_cast<const void*>(object));
      return text;
    }
    if (!visit(object)) continue;
    if (!object->is_marked(epoch)) {
      return "checkmark: " + describe(object) +
             " is reachable but the concurrent mark left it unmarked, so the "
             "sweep would free it";
    }
    reachable_bytes_ += object->size_bytes();
    for (std::size_t i = 0, n = object->num_refs(); i < n; ++i) {
      if (Object* child = object->load_slot(i)) stack_.push_back(child);
    }
  }
  return std::nullopt;
}

}  // namespace gclab
