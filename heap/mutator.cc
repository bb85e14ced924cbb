#include "heap/mutator.h"

#include <algorithm>
#include <limits>

#include "heap/heap.h"

namespace gclab {
namespace {

constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

// What a recording mutator's barrier flag reads: every store takes the
// recorded path.
constinit const std::atomic<bool> kRecordingBarrier{true};

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
      // Recording takes every allocation's slow path, which records it.
      countdown_(heap.trace_recorder() != nullptr
                     ? 1
                     : std::min(stress_left_, census_left_)),
      countdown_reload_(countdown_),
      size_classed_(heap.allocator().capabilities().size_classes),
      path_(heap.reference_counting().hooks != nullptr
                ? AllocationPath::kCounted
            : size_classed_ ? AllocationPath::kSizeClass
                            : AllocationPath::kBump),
      counting_(heap.reference_counting()),
      side_marks_(heap.allocator().side_marks()),
      barrier_active_(heap.trace_recorder() != nullptr
                          ? &kRecordingBarrier
                          : &heap.barrier_active()),
      heap_barrier_active_(&heap.barrier_active()),
      recorder_(heap.trace_recorder()),
      observes_roots_(counts_references() || recorder_ != nullptr),
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
  if (bytes < kStepwiseZeroingBytes) {
    Object* object = Object::format(at, bytes, shape, mark);
    if (recorder_ != nullptr) recorder_->allocated(object, shape);
    return object;
  }
  Object* object = Object::format_all_but_payload(at, bytes, shape, mark);
  if (recorder_ != nullptr) recorder_->allocated(object, shape);
  return zero_payload_stepwise(object);
}

void Mutator::reload_countdown() {
  countdown_ = countdown_reload_ =
      recorder_ != nullptr ? 1 : std::min(stress_left_, census_left_);
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
// Its Root is the mutator's own, not the workload's, so no trace records it.
Object* Mutator::zero_payload_stepwise(Object* object) {
  internal_root_ = true;
  Object* zeroed;
  {
    Root held(*this, object);
    std::size_t payload = object->payload_bytes();
    for (std::size_t done = 0; done < payload;) {
      std::size_t step = std::min(kZeroingStep, payload - done);
      __builtin_memset(held.get()->payload().data() + done, 0, step);
      done += step;
      if (done < payload) safepoint();
    }
    zeroed = held.get();
  }
  internal_root_ = false;
  return zeroed;
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

void Mutator::write_recorded(Object* object, std::size_t slot, Object* value) {
  recorder_->wrote(object, slot, value);
  if (!heap_barrier_active_->load(std::memory_order_relaxed)) {
    object->store_slot(slot, value);
  } else if (counts_references()) {
    store_counted(object->slot(slot), value);
  } else {
    write_slow(object, slot, value);
  }
}

void Mutator::write_global_recorded(Object** slot, Object* value) {
  recorder_->global_set(slot, value);
  if (!heap_barrier_active_->load(std::memory_order_relaxed)) {
    std::atomic_ref<Object*>(*slot).store(value, std::memory_order_release);
  } else if (counts_references()) {
    store_counted(std::atomic_ref<Object*>(*slot), value);
  } else {
    write_global_slow(slot, value);
  }
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
