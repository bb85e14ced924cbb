#include "heap/census_trace.h"

#include <algorithm>
#include <atomic>

#include "heap/heap.h"

namespace gclab {

CensusTrace::CensusTrace(Heap& heap, Order order, Aging aging,
                         Workspace& workspace)
    : visited_(workspace.visited_), reached_(workspace.reached_) {
  auto from_root = [&](Object* object, RootOrigin origin) {
    if (object == nullptr || visited_.test(object)) return;
    roots_.push_back(origin);
    reach(object, kNoParent, static_cast<std::uint32_t>(roots_.size() - 1));
  };
  for (Mutator* mutator : heap.safepoints().mutators()) {
    mutator->for_each_root([&](Object** slot) {
      from_root(*slot, {RootKind::kMutator, mutator->index()});
    });
  }
  heap.for_each_global_root([&](Object** slot) {
    from_root(std::atomic_ref<Object*>(*slot).load(std::memory_order_acquire),
              {RootKind::kGlobal, std::nullopt});
  });
  if (order == Order::kBreadthFirst) {
    // reached_ is the queue: each object's children go in behind it.
    for (std::size_t next = 0; next < reached_.size(); ++next) {
      scan(static_cast<std::uint32_t>(next), aging, nullptr);
    }
    return;
  }
  std::vector<std::uint32_t>& stack = workspace.stack_;
  for (std::size_t root = reached_.size(); root-- > 0;) {
    stack.push_back(static_cast<std::uint32_t>(root));
  }
  while (!stack.empty()) {
    std::uint32_t next = stack.back();
    stack.pop_back();
    scan(next, aging, &stack);
  }
}

void CensusTrace::scan(std::uint32_t index, Aging aging,
                       std::vector<std::uint32_t>* stack) {
  Object* object = reached_[index].object;
  if (aging == Aging::kAgeReached) object->survive_collection();
  counts_.count(object);
  std::uint16_t site = object->site();
  if (site >= first_of_site_.size()) {
    first_of_site_.resize(site + 1, kNoParent);
  }
  if (first_of_site_[site] == kNoParent) first_of_site_[site] = index;
  for (std::size_t slot = 0; slot < object->num_refs(); ++slot) {
    Object* child = object->load_slot(slot);
    if (child == nullptr || visited_.test(child)) continue;
    if (stack != nullptr) {
      stack->push_back(static_cast<std::uint32_t>(reached_.size()));
    }
    reach(child, index, static_cast<std::uint32_t>(slot));
  }
}

CensusTrace::~CensusTrace() {
  for (const Reached& entry : reached_) visited_.clear(entry.object);
  reached_.clear();
}

void CensusTrace::reach(Object* object, std::uint32_t parent,
                        std::uint32_t via) {
  visited_.set(object);
  reached_.push_back({object, parent, via});
}

std::optional<ObjectPath> CensusTrace::path_to_site(std::uint16_t site) const {
  if (site >= first_of_site_.size() || first_of_site_[site] == kNoParent) {
    return std::nullopt;
  }
  // From the object back to its root, then turned round.
  std::vector<PathStep> steps;
  std::uint32_t at = first_of_site_[site];
  for (;;) {
    const Reached& entry = reached_[at];
    if (entry.parent == kNoParent) {
      steps.push_back({entry.object->site(), std::nullopt});
      break;
    }
    steps.push_back(
        {entry.object->site(), static_cast<std::uint16_t>(entry.via)});
    at = entry.parent;
  }
  std::reverse(steps.begin(), steps.end());
  const RootOrigin& origin = roots_[reached_[at].via];
  ObjectPath path{.root = origin.kind, .mutator = origin.mutator};
  constexpr std::size_t kEnds = ObjectPath::kPathEndSteps;
  if (steps.size() > 2 * kEnds) {
    path.elided_steps = steps.size() - 2 * kEnds;
    steps.erase(steps.begin() + kEnds, steps.end() - kEnds);
  }
  path.steps = std::move(steps);
  return path;
}

}  // namespace gclab
