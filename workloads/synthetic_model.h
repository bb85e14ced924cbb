// The synthetic workload's shadow model (workloads/synthetic.h): in C++
// memory, the objects its table may still reach (id and size), every
// reference slot as a model index, and what each table slot holds. The run
// updates it at every store it makes into the heap, so at any moment the
// model's graph is the heap's graph as the workload built it.
//
// Invariant: every object the table reaches in the heap has exactly one
// model object, and every slot of it, in the model, names the model object
// of what the heap slot holds. What the table no longer reaches is never
// stored again, so pruning it loses nothing the model will be asked about.
#ifndef GCLAB_WORKLOADS_SYNTHETIC_MODEL_H_
#define GCLAB_WORKLOADS_SYNTHETIC_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace gclab::synthetic {

// A model slot or table slot that holds nothing.
inline constexpr std::uint32_t kNone =
    std::numeric_limits<std::uint32_t>::max();

struct ModelObject {
  std::uint64_t id;
  std::uint64_t size_bytes;
  std::size_t first_slot;  // into SyntheticModel's slots
};

class SyntheticModel {
 public:
  SyntheticModel(std::size_t table_slots, std::size_t refs)
      : refs_(refs), table_(table_slots, kNone) {}

  // A new object, its slots empty; returns its model index.
  std::uint32_t add(std::uint64_t id, std::uint64_t size_bytes) {
    auto index = static_cast<std::uint32_t>(objects_.size());
    objects_.push_back({id, size_bytes, slots_.size()});
    slots_.insert(slots_.end(), refs_, kNone);
    return index;
  }
  const ModelObject& object(std::uint32_t index) const {
    return objects_[index];
  }
  std::uint32_t& slot(std::uint32_t index, std::size_t slot) {
    return slots_[objects_[index].first_slot + slot];
  }
  std::uint32_t slot(std::uint32_t index, std::size_t slot) const {
    return slots_[objects_[index].first_slot + slot];
  }
  std::uint32_t& table(std::size_t slot) { return table_[slot]; }
  std::uint32_t table(std::size_t slot) const { return table_[slot]; }

  // The model indices the table reaches, each once, table slot by table
  // slot, depth first.
  std::vector<std::uint32_t> reachable() const;
  // The same as marks, one per model index.
  std::vector<bool> reachable_marks() const;

  // Drops what the table no longer reaches, once the model has grown to
  // four times what was reachable at the last pruning (so a trace of the
  // reachable set is amortised over three times as many additions:
  // constant time per object).
  void maybe_prune() {
    if (objects_.size() >= prune_at_) prune();
  }

 private:
  void prune();
  // Depth first from each table slot in turn, calling visit(index) once
  // for each model object reached; returns the marks.
  template <typename Visit>
  std::vector<bool> trace(Visit visit) const {
    std::vector<bool> seen(objects_.size());
    std::vector<std::uint32_t> stack;
    for (std::uint32_t held : table_) {
      if (held == kNone || seen[held]) continue;
      seen[held] = true;
      stack.push_back(held);
      while (!stack.empty()) {
        std::uint32_t index = stack.back();
        stack.pop_back();
        visit(index);
        for (std::size_t i = 0; i < refs_; ++i) {
          std::uint32_t child = slot(index, i);
          if (child != kNone && !seen[child]) {
            seen[child] = true;
            stack.push_back(child);
          }
        }
      }
    }
    return seen;
  }

  const std::size_t refs_;
  std::vector<ModelObject> objects_;
  std::vector<std::uint32_t> slots_;
  std::vector<std::uint32_t> table_;
  std::size_t prune_at_ = 0;
};

}  // namespace gclab::synthetic

#endif  // GCLAB_WORKLOADS_SYNTHETIC_MODEL_H_
