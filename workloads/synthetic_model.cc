#include "workloads/synthetic_model.h"

#include <algorithm>
#include <utility>

namespace gclab::synthetic {
namespace {

// Prunings come no oftener than every this many additions.
constexpr std::size_t kFewest = 4096;

}  // namespace

std::vector<std::uint32_t> SyntheticModel::reachable() const {
  std::vector<bool> seen(objects_.size());
  std::vector<std::uint32_t> order;
  std::vector<std::uint32_t> stack;
  for (std::uint32_t held : table_) {
    if (held == kNone || seen[held]) continue;
    seen[held] = true;
    stack.push_back(held);
    while (!stack.empty()) {
      std::uint32_t index = stack.back();
      stack.pop_back();
      order.push_back(index);
      for (std::size_t i = 0; i < refs_; ++i) {
        std::uint32_t child = slot(index, i);
        if (child != kNone && !seen[child]) {
          seen[child] = true;
          stack.push_back(child);
        }
      }
    }
  }
  return order;
}

// A sliding compaction of the model: survivors keep their order. The next
// pruning waits for the model to double, and for at least a table's worth
// of additions, since each pruning also walks the whole table.
void SyntheticModel::prune() {
  std::vector<std::uint32_t> kept = reachable();
  std::sort(kept.begin(), kept.end());
  std::vector<std::uint32_t> forward(objects_.size(), kNone);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    forward[kept[i]] = static_cast<std::uint32_t>(i);
  }
  std::vector<ModelObject> objects;
  std::vector<std::uint32_t> slots;
  objects.reserve(kept.size());
  slots.reserve(kept.size() * refs_);
  for (std::uint32_t old : kept) {
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
  prune_at_ = std::max({2 * objects_.size(), table_.size(), kFewest});
}

}  // namespace gclab::synthetic
