#include "workloads/synthetic_model.h"

#include <algorithm>
#include <utility>

namespace gclab::synthetic {
namespace {

// Prunings come no oftener than every this many additions.
constexpr std::size_t kFewest = 4096;

}  // namespace

std::vector<std::uint32_t> SyntheticModel::reachable() const {
  std::vector<std::uint32_t> order;
  trace([&](std::uint32_t index) { order.push_back(index); });
  return order;
}

std::vector<bool> SyntheticModel::reachable_marks() const {
  return trace([](std::uint32_t) {});
}

// A sliding compaction of the model: survivors keep their order. The next
// pruning waits for the model to grow fourfold, and for at least a table's
// worth of additions, since each pruning also walks the whole table.
void SyntheticModel::prune() {
  const std::vector<bool> marks = reachable_marks();
  std::vector<std::uint32_t> forward(objects_.size(), kNone);
  std::uint32_t kept = 0;
  for (std::size_t old = 0; old < objects_.size(); ++old) {
    if (marks[old]) forward[old] = kept++;
  }
  std::vector<ModelObject> objects;
  std::vector<std::uint32_t> slots;
  objects.reserve(kept);
  slots.reserve(std::size_t{kept} * refs_);
  for (std::size_t old = 0; old < objects_.size(); ++old) {
    if (!marks[old]) continue;
    objects.push_back(
        {objects_[old].id, objects_[old].size_bytes, slots.size()});
    for (std::size_t i = 0; i < refs_; ++i) {
      std::uint32_t child = slot(old, i);
      slots.push_back(child == kNone ? kNone : forward[child]);
    }
  }
  for (std::uint32_t& held : table_) {
    if (held != kNone) held = forward[held];
  }
  objects_ = std::move(objects);
  slots_ = std::move(slots);
  prune_at_ = std::max({4 * objects_.size(), table_.size(), kFewest});
}

}  // namespace gclab::synthetic
