#include "heap/garbage_cycles.h"

#include <algorithm>
#include <cstdint>
#include <map>

namespace gclab {
namespace {

constexpr std::uint32_t kUnvisited = UINT32_MAX;

class Tarjan {
 public:
  explicit Tarjan(std::vector<Object*> objects)
      : objects_(std::move(objects)),
        index_(objects_.size(), kUnvisited),
        low_(objects_.size(), 0),
        on_stack_(objects_.size(), false) {
    std::sort(objects_.begin(), objects_.end());
  }

  std::vector<GarbageComponent> cyclic_components() {
    for (std::uint32_t v = 0; v < objects_.size(); ++v) {
      if (index_[v] == kUnvisited) visit_from(v);
    }
    std::sort(found_.begin(), found_.end(),
              [](const GarbageComponent& a, const GarbageComponent& b) {
                return a.total.bytes > b.total.bytes;
              });
    return std::move(found_);
  }

 private:
  struct Frame {
    std::uint32_t node;
    std::size_t next_slot;
  };

  // The index of `object` among objects_, or kUnvisited when it is none.
  std::uint32_t node_of(const Object* object) const {
    auto it = std::lower_bound(objects_.begin(), objects_.end(), object);
    if (it == objects_.end() || *it != object) return kUnvisited;
    return static_cast<std::uint32_t>(it - objects_.begin());
  }

  void open(std::uint32_t node) {
    index_[node] = low_[node] = next_index_++;
    stack_.push_back(node);
    on_stack_[node] = true;
    frames_.push_back({node, 0});
  }

  void visit_from(std::uint32_t root) {
    open(root);
    while (!frames_.empty()) {
      Frame& frame = frames_.back();
      const std::uint32_t node = frame.node;
      Object* object = objects_[node];
      if (frame.next_slot < object->num_refs()) {
        std::uint32_t child = node_of(object->load_slot(frame.next_slot++));
        if (child == kUnvisited) continue;
        if (index_[child] == kUnvisited) {
          open(child);  // `frame` is not used past this point
        } else if (on_stack_[child]) {
          low_[node] = std::min(low_[node], index_[child]);
        }
        continue;
      }
      frames_.pop_back();
      if (!frames_.empty()) {
        std::uint32_t parent = frames_.back().node;
        low_[parent] = std::min(low_[parent], low_[node]);
      }
      if (low_[node] == index_[node]) close_component(node);
    }
  }

  // Pops the component whose root is `node`, keeping it if it has a cycle.
  void close_component(std::uint32_t node) {
    std::vector<std::uint32_t> members;
    std::uint32_t member;
    do {
      member = stack_.back();
      stack_.pop_back();
      on_stack_[member] = false;
      members.push_back(member);
    } while (member != node);
    if (members.size() == 1 && !points_at_itself(objects_[node])) return;
    GarbageComponent component;
    std::map<std::uint16_t, Tally> by_site;
    for (std::uint32_t m : members) {
      const Object* object = objects_[m];
      component.total.add(object->size_bytes());
      by_site[object->site()].add(object->size_bytes());
    }
    for (const auto& [site, tally] : by_site) {
      component.sites.push_back({site, tally});
    }
    found_.push_back(std::move(component));
  }

  static bool points_at_itself(Object* object) {
    for (std::size_t slot = 0; slot < object->num_refs(); ++slot) {
      if (object->load_slot(slot) == object) return true;
    }
    return false;
  }

  std::vector<Object*> objects_;  // sorted by address
  std::vector<std::uint32_t> index_;
  std::vector<std::uint32_t> low_;
  std::vector<bool> on_stack_;
  std::vector<std::uint32_t> stack_;
  std::vector<Frame> frames_;
  std::uint32_t next_index_ = 0;
  std::vector<GarbageComponent> found_;
};

}  // namespace

std::vector<GarbageComponent> garbage_cycles(std::vector<Object*> garbage) {
  return Tarjan(std::move(garbage)).cyclic_components();
}

}  // namespace gclab
