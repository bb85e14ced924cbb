#include "heap/mutator.h"

#include <algorithm>
#include <limits>

#include "heap/heap.h"

namespace gclab {
namespace {

constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

std::uint64_t stress_period(const Heap& heap) {
  std::uint64_t interval = heap.options().stress_interval;
  return interval == 0 ? kNever : interval;
}

std::uint64_t census_period(Heap& heap) {
  HeapCensus* census = heap.census();
  if (census == nullptr || census->at_collections()) return kNever;
  return census->allocation_interval();
}

}  // namespace

Mutator::Mutator(Heap& heap, int index)
    : heap_(heap),
      stress_period_(stress_period(heap)),
      census_period_(census_period(heap)),
      stress_left_(stress_period_),
      census_left_(census_period_),
      countdown_(std::min(stress_left_, census_left_)),
      countdown_reload_(countdown_),
      size_classed_(heap.allocator().capabilities().size_classes),
      path_(heap.reference_counting().hooks != nullptr
                ? AllocationPath::kCounted
            : size_classed_ ? AllocationPath::kSizeClass
                            : AllocationPath::kBump),
      counting_(heap.reference_counting()),
      side_marks_(heap.allocator().side_marks()),
      barrier_active_(&heap.barrier_active()),
      poll_requested_(&heap.safepoints().poll_requested()),
      aborted_(&heap.aborted_flag()),
      allocation_mark_(&heap.allocation_mark()),
      mark_epoch_(&heap.mark_epoch_flag()),
      barrier_kind_(heap.options().barrier),
      index_(index) {
  heap_.attach(*this);
}

Mutator::~Mutator() { heap_.detach(*this); }

Object* Mutator::allocate_slow(ObjectShape shape) {
  std::size_t bytes = shape.size_bytes();
  // The fast path counts an allocation only when the object fits its buffer;
  // count it here otherwise, so that --stress N means exactly every N.
  bool stress_due = false;
  bool census_due = false;
  if (countdown_ == 0 || --countdown_ == 0) {
    objects_before_reload_ += countdown_reload_;
    stress_left_ -= countdown_reload_;
    census_left_ -= countdown_reload_;
    stress_due = stress_left_ == 0;
    census_due = census_left_ == 0;
    if (stress_due) stress_left_ = stress_period_;
    if (census_due) census_left_ = census_period_;
    reload_countdown();
  }
  bytes_before_cursor_ += buffer_.cursor - buffer_counted_;
  buffer_counted_ = buffer_.cursor;
  std::byte* at = heap_.allocate_slow(*this, bytes, stress_due, census_due);
  // The object is counted here whether it came from a new buffer (the
  // cursor is already past it) or was placed outside any buffer.
  std::uint8_t mark = allocation_mark_->load(std::memory_order_relaxed);
  if (size_classed_) {
    class_bytes_ += bytes;
    rounding_waste_ += size_class_footprint(bytes) - bytes;
    if (mark != kUnmarked) side_marks_->set(at);
  } else {
    bytes_before_cursor_ += bytes;
    buffer_counted_ = buffer_.cursor;
  }
  if (bytes < kStepwiseZeroingBytes)
    return Object::format(at, bytes, shape, mark);
  return zero_payload_stepwise(
      Object::format_all_but_payload(at, bytes, shape, mark));
}

void Mutator::reload_countdown() {
  countdown_ = countdown_reload_ = std::min(stress_left_, census_left_);
}

// Stopped, the mutator is past any slow path that found its countdown at
// zero, so the countdown is at least 1 and the stress count keeps at least
// one allocation to go.
void Mutator::restart_census_count() {
  std::uint64_t done = countdown_reload_ - countdown_;
  objects_before_reload_ += done;
  stress_left_ -= done;
  census_left_ = census_period_;
  reload_countdown();
}

// The header and slots are final before the first poll, so a collector that
// meets the object meanwhile (it is rooted) sees a valid object; only its
// payload, which no collector reads, is still being cleared. A moving
// collector may move it at a poll, so the Root is read again after each.
Object* Mutator::zero_payload_stepwise(Object* object) {
  Root held(*this, object);
  std::size_t payload = object->payload_bytes();
  for (std::size_t done = 0; done < payload;) {
    std::size_t step = std::min(kZeroingStep, payload - done);
    __builtin_memset(held.get()->payload().data() + done, 0, step);
    done += step;
    if (done < payload) safepoint();
  }
  return held.get();
}

std::byte* Mutator::bump_or_refill(Allocator& allocator, std::size_t bytes) {
  AllocationBuffer& buffer = buffer_for(bytes);
  std::size_t step = size_classed_ ? size_class_footprint(bytes) : bytes;
  if (step <= buffer.remaining()) {
    std::byte* at = buffer.cursor;
    buffer.cursor += step;
    return at;  // counted by allocate_slow, like any slow-path object
  }
  std::byte* at = allocator.allocate_slow(buffer, bytes);
  // Whatever the allocator did to the buffer (retired its tail, which was
  // never allocated; carved a new one), nothing in it is counted yet.
  buffer_counted_ = buffer_.cursor;
  return at;
}

void Mutator::retire_buffer(Allocator& allocator) {
  if (size_classed_) {
    for (AllocationBuffer& run : class_runs_) {
      if (run.limit != nullptr) allocator.retire(run);
    }
    return;
  }
  bytes_before_cursor_ += buffer_.cursor - buffer_counted_;
  allocator.retire(buffer_);
  buffer_counted_ = buffer_.cursor;
}

MutatorCounters Mutator::counters() const {
  MutatorCounters counts = counters_;
  counts.objects_allocated =
      objects_before_reload_ + (countdown_reload_ - countdown_);
  counts.bytes_allocated =
      bytes_before_cursor_ + (buffer_.cursor - buffer_counted_) + class_bytes_;
  counts.rounding_waste_bytes = rounding_waste_;
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
