#include "heap/heap.h"

#include <algorithm>
#include <ctime>

#include "heap/errors.h"
#include "heap/fatal.h"

namespace gclab {

Heap::Heap(HeapOptions options, std::unique_ptr<Allocator> allocator,
           std::unique_ptr<Trigger> trigger, const CollectorFactory& collector)
    : options_(options),
      allocator_(std::move(allocator)),
      trigger_(std::move(trigger)) {
  collector_ = collector(*this);
  if (options_.census.enabled) {
    census_ = std::make_unique<HeapCensus>(*this, options_.census,
                                           collector_->capabilities());
  }
  if (options_.barrier != BarrierKind::kNone &&
      !collector_->capabilities().concurrent) {
    set_barrier_active(true);
  }
}

Heap::~Heap() { collector_->finish(); }

std::uint16_t Heap::register_site(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = std::find(site_names_.begin(), site_names_.end(), name);
  if (it != site_names_.end()) {
    return static_cast<std::uint16_t>(it - site_names_.begin());
  }
  if (site_names_.size() > UINT16_MAX) {
    throw ConfigError("too many allocation sites");
  }
  site_names_.emplace_back(name);
  return static_cast<std::uint16_t>(site_names_.size() - 1);
}

std::vector<std::string> Heap::site_names() const {
  std::lock_guard lock(mutex_);
  return site_names_;
}

void Heap::add_global_root(Object** slot) {
  std::lock_guard lock(mutex_);
  global_roots_.push_back(slot);
}

void Heap::remove_global_root(Object** slot) {
  std::lock_guard lock(mutex_);
  auto it = std::find(global_roots_.begin(), global_roots_.end(), slot);
  if (it == global_roots_.end()) fatal("removing an unknown global root");
  global_roots_.erase(it);
}

void Heap::for_each_root(const std::function<void(Object**)>& visit) {
  for (Mutator* mutator : safepoints_.mutators()) {
    mutator->for_each_root(visit);
  }
  for_each_global_root(visit);
}

void Heap::for_each_global_root(const std::function<void(Object**)>& visit) {
  std::lock_guard lock(mutex_);
  for (Object** slot : global_roots_) visit(slot);
}

void Heap::collect(Mutator* requester, GcCause cause) {
  collector_->collect(requester, cause);
}

Heap::WorldStop::WorldStop(Heap& heap, Mutator* requester, PauseKind kind,
                           Buffers buffers)
    : heap_(heap),
      requester_(requester),
      kind_(kind),
      start_ns_(heap.events_.now_ns()),
      start_cpu_ns_(process_cpu_ns()) {
  stopped_ = heap_.safepoints_.begin_stop(requester);
  stopped_ns_ = heap_.events_.now_ns();
  if (!stopped_) return;
  // Read once the world is ours, so that no other thread closes a cycle
  // meanwhile: a stop-the-world collector opens this cycle next, a
  // concurrent one has it open.
  cycle_ = heap_.events_.next_cycle_index();
  if (buffers == Buffers::kKeep) return;
  for (Mutator* mutator : heap_.safepoints_.mutators()) {
    mutator->retire_buffer(*heap_.allocator_);
  }
}

Heap::WorldStop::WorldStop(Heap& heap, Mutator* requester, Unrecorded)
    : WorldStop(heap, requester, PauseKind::kFull) {
  kind_.reset();
}

// With every mutator stopped, the process's CPU time during the pause is the
// collector's (the waiting mutators use none), so GC CPU is measured exactly
// without per-thread clocks in the GC workers.
Heap::WorldStop::~WorldStop() {
  if (!stopped_) return;
  if (!kind_) {
    heap_.safepoints_.end_stop(requester_);
    return;
  }
  std::int64_t end_ns = heap_.events_.now_ns();
  heap_.events_.add_gc_cpu_ns(process_cpu_ns() - start_cpu_ns_);
  heap_.events_.record_pause({.start_ns = start_ns_,
                              .duration_ns = end_ns - start_ns_,
                              .kind = *kind_,
                              .time_to_safepoint_ns = stopped_ns_ - start_ns_,
                              .cycle = cycle_});
  heap_.safepoints_.end_stop(requester_);
}

std::uint8_t Heap::flip_mark_epoch() {
  std::uint8_t epoch = mark_epoch() == 1 ? 2 : 1;
  mark_epoch_.store(epoch, std::memory_order_relaxed);
  return epoch;
}

void Heap::finish_lazy_sweep() {
  if (!allocator_->capabilities().lazy_sweep) return;
  events_.amend_last_cycle_sweep(allocator_->finish_sweep());
}

std::byte* Heap::allocate_slow(Mutator& mutator, std::size_t bytes,
                               bool stress_due, bool census_due) {
  enter_safepoint(mutator);
  if (census_due) census_->take_between_collections(mutator);
  if (stress_due) {
    collect(&mutator, GcCause::kStress);
  } else if (trigger_->should_collect(*allocator_)) {
    collect(&mutator, GcCause::kTrigger);
  }
  if (std::byte* at = refill(mutator, bytes)) return at;
  // Two tries: another mutator may take what the first collection freed
  // before this one retries; a second collection settles whether the heap is
  // really too small.
  for (int attempt = 0; attempt < 2; ++attempt) {
    collect(&mutator, GcCause::kAllocationFailure);
    if (std::byte* at = refill(mutator, bytes)) return at;
  }
  throw HeapExhausted(std::string(kHeapExhaustedMessage) + " (" +
                      allocator_->describe_failure(bytes) + ")");
}

// Only a failed attempt asks whether a sweep is pending. When none is, one
// more attempt settles it: a sweep that another thread (a background
// sweeper) finished during the failed attempt has listed memory that
// attempt may not have seen.
std::byte* Heap::refill(Mutator& mutator, std::size_t bytes) {
  if (std::byte* at = mutator.bump_or_refill(*allocator_, bytes)) return at;
  while (allocator_->sweep_pending()) {
    enter_safepoint(mutator);
    if (std::byte* at = mutator.bump_or_refill(*allocator_, bytes)) return at;
  }
  return mutator.bump_or_refill(*allocator_, bytes);
}

void Heap::enter_safepoint(Mutator& mutator) {
  if (aborted()) throw RunAborted();
  if (!safepoints_.poll_requested().load(std::memory_order_acquire)) return;
  safepoints_.poll(mutator);
  if (aborted()) throw RunAborted();
}

void Heap::abort_run() { aborted_.store(true, std::memory_order_relaxed); }

void Heap::set_reference_counting(const RefCounting& counting) {
  counting_ = counting;
  set_barrier_active(true);
}

void Heap::attach(Mutator& mutator) {
  safepoints_.register_mutator(mutator);
  if (counting_.hooks != nullptr) counting_.hooks->attach(mutator);
}

void Heap::detach(Mutator& mutator) {
  if (counting_.hooks != nullptr) counting_.hooks->detach(mutator);
  mutator.retire_buffer(*allocator_);
  // What it shaded may be all that keeps a snapshot object grey.
  mutator.flush_barrier_buffer();
  safepoints_.deregister_mutator(mutator);
  std::lock_guard lock(mutex_);
  detached_totals_.add(mutator.counters());
}

MutatorCounters Heap::mutator_totals() const {
  std::lock_guard lock(mutex_);
  return detached_totals_;
}

GlobalRoot::GlobalRoot(Heap& heap) : heap_(heap) {
  heap_.add_global_root(&object_);
}

GlobalRoot::GlobalRoot(Mutator& mutator, Object* object)
    : GlobalRoot(mutator.heap()) {
  set(mutator, object);
}

// Under ref-count the root's reference is counted; a root may outlive the
// mutator that set it (state shared by a run's mutators is dropped by the
// last to leave), so its reference is dropped through the collector.
GlobalRoot::~GlobalRoot() {
  const RefCounting& counting = heap_.reference_counting();
  if (counting.hooks != nullptr && object_ != nullptr) {
    counting.hooks->drop_reference(object_);
  }
  if (TraceRecorder* recorder = heap_.trace_recorder()) {
    recorder->global_dropped(&object_);
  }
  heap_.remove_global_root(&object_);
}

void GlobalRoot::set(Mutator& mutator, Object* object) {
  mutator.write_global(&object_, object);
}

}  // namespace gclab
