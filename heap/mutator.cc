#include "heap/mutator.h"

#include <limits>

#include "heap/heap.h"

namespace gclab {
namespace {

std::uint64_t stress_period(const Heap& heap) {
  std::uint64_t interval = heap.options().stress_interval;
  return interval == 0 ? std::numeric_limits<std::uint64_t>::max() : interval;
}

}  // namespace

Mutator::Mutator(Heap& heap)
    : heap_(heap),
      stress_countdown_(stress_period(heap)),
      barrier_active_(&heap.barrier_active()),
      stop_requested_(&heap.safepoints().stop_requested()),
      aborted_(&heap.aborted_flag()),
      allocation_mark_(&heap.allocation_mark()) {
  heap_.attach(*this);
}

Mutator::~Mutator() { heap_.detach(*this); }

std::byte* Mutator::allocate_slow(std::size_t bytes) {
  // The fast path counts an allocation only when the object fits its buffer;
  // count it here otherwise, so that --stress N means exactly every N.
  bool stress_due = stress_countdown_ == 0 || --stress_countdown_ == 0;
  if (stress_due) stress_countdown_ = stress_period(heap_);
  return heap_.allocate_slow(*this, bytes, stress_due);
}

void Mutator::write_slow(Object* object, std::size_t slot, Object* value) {
  ++counters_.barrier_slow_paths;
  heap_.collector().write_barrier_slow(*this, object, slot, value);
}

void Mutator::enter_safepoint() { heap_.enter_safepoint(*this); }

ParkedScope::ParkedScope(Mutator& mutator) : mutator_(mutator) {
  mutator_.heap().safepoints().park(mutator_);
}

ParkedScope::~ParkedScope() { mutator_.heap().safepoints().unpark(mutator_); }

}  // namespace gclab
