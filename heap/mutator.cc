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
      countdown_reload_(stress_countdown_),
      barrier_active_(&heap.barrier_active()),
      poll_requested_(&heap.safepoints().poll_requested()),
      aborted_(&heap.aborted_flag()),
      allocation_mark_(&heap.allocation_mark()),
      mark_epoch_(&heap.mark_epoch_flag()),
      barrier_kind_(heap.options().barrier) {
  heap_.attach(*this);
}

Mutator::~Mutator() { heap_.detach(*this); }

std::byte* Mutator::allocate_slow(std::size_t bytes) {
  // The fast path counts an allocation only when the object fits its buffer;
  // count it here otherwise, so that --stress N means exactly every N.
  bool stress_due = stress_countdown_ == 0 || --stress_countdown_ == 0;
  if (stress_due) {
    objects_before_reload_ += countdown_reload_;
    stress_countdown_ = countdown_reload_ = stress_period(heap_);
  }
  bytes_before_cursor_ += buffer_.cursor - buffer_counted_;
  buffer_counted_ = buffer_.cursor;
  std::byte* at = heap_.allocate_slow(*this, bytes, stress_due);
  // The object is counted here whether it came from a new buffer (the
  // cursor is already past it) or was placed outside any buffer.
  bytes_before_cursor_ += bytes;
  buffer_counted_ = buffer_.cursor;
  return at;
}

std::byte* Mutator::bump_or_refill(Allocator& allocator, std::size_t bytes) {
  if (bytes <= buffer_.remaining()) {
    std::byte* at = buffer_.cursor;
    buffer_.cursor += bytes;
    return at;  // counted by allocate_slow, like any slow-path object
  }
  std::byte* at = allocator.allocate_slow(buffer_, bytes);
  // Whatever the allocator did to the buffer (retired its tail, which was
  // never allocated; carved a new one), nothing in it is counted yet.
  buffer_counted_ = buffer_.cursor;
  return at;
}

void Mutator::retire_buffer(Allocator& allocator) {
  bytes_before_cursor_ += buffer_.cursor - buffer_counted_;
  allocator.retire(buffer_);
  buffer_counted_ = buffer_.cursor;
}

MutatorCounters Mutator::counters() const {
  MutatorCounters counts = counters_;
  counts.objects_allocated =
      objects_before_reload_ + (countdown_reload_ - stress_countdown_);
  counts.bytes_allocated =
      bytes_before_cursor_ + (buffer_.cursor - buffer_counted_);
  return counts;
}

void Mutator::write_slow(Object* object, std::size_t slot, Object* value) {
  ++counters_.barrier_slow_paths;
  switch (barrier_kind_) {
    case BarrierKind::kNone:
      break;
    case BarrierKind::kDijkstra:
      shade(value);
      break;
    case BarrierKind::kYuasa:
      shade(object->load_slot(slot));
      break;
    case BarrierKind::kHybrid:
      shade(object->load_slot(slot));
      if (roots_unscanned_) shade(value);
      break;
  }
  object->store_slot(slot, value);
}

void Mutator::write_global_slow(Object** slot, Object* value) {
  ++counters_.barrier_slow_paths;
  std::atomic_ref<Object*> global(*slot);
  shade(global.load(std::memory_order_acquire));
  shade(value);
  global.store(value, std::memory_order_release);
}

void Mutator::shade(Object* object) {
  if (object == nullptr ||
      object->is_marked(mark_epoch_->load(std::memory_order_relaxed))) {
    return;
  }
  ++counters_.barrier_shaded;
  if (barrier_buffer_.push(object)) flush_barrier_buffer();
}

void Mutator::flush_barrier_buffer() {
  if (barrier_buffer_.empty()) return;
  ++counters_.barrier_buffer_flushes;
  heap_.barrier_sink().accept(barrier_buffer_.contents());
  barrier_buffer_.clear();
}

void Mutator::enter_safepoint() { heap_.enter_safepoint(*this); }

ParkedScope::ParkedScope(Mutator& mutator) : mutator_(mutator) {
  mutator_.heap().safepoints().park(mutator_);
}

ParkedScope::~ParkedScope() { mutator_.heap().safepoints().unpark(mutator_); }

}  // namespace gclab
