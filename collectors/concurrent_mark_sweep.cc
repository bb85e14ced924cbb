#include "collectors/concurrent_mark_sweep.h"

#include <algorithm>
#include <string>
#include <utility>

#include "heap/errors.h"
#include "heap/fatal.h"
#include "heap/gc_events.h"
#include "heap/mutator.h"

namespace gclab {

ConcurrentMarkSweepCollector::ConcurrentMarkSweepCollector(Heap& heap,
                                                           Mode mode)
    : ConcurrentMarkSweepCollector(heap, mode, TestingHooks{}) {}

ConcurrentMarkSweepCollector::ConcurrentMarkSweepCollector(Heap& heap,
                                                           TestingHooks hooks)
    : ConcurrentMarkSweepCollector(heap, Mode::kConcurrent, std::move(hooks)) {}

ConcurrentMarkSweepCollector::ConcurrentMarkSweepCollector(Heap& heap,
                                                           Mode mode,
                                                           TestingHooks hooks)
    : heap_(heap),
      mode_(mode),
      barrier_(heap.options().barrier),
      marker_(heap.options().gc_threads, heap.allocator().side_marks()),
      roots_greyed_hook_(std::move(hooks.roots_greyed)) {
  if (!hooks.missing_barrier && barrier_ == BarrierKind::kNone) {
    throw ConfigError(
        "concurrent-mark-sweep needs a write barrier: --barrier "
        "dijkstra|yuasa|hybrid");
  }
  if (!heap_.allocator().capabilities().lazy_sweep) {
    throw ConfigError(
        "concurrent-mark-sweep sweeps concurrently: it needs an allocator "
        "that sweeps lazily (free-list, tlsf, size-class)");
  }
  if (heap_.options().verify) checkmark_.emplace(heap_.allocator().arena());
  driver_ = std::thread([this] { drive(); });
  driver_id_ = driver_.get_id();
}

ConcurrentMarkSweepCollector::~ConcurrentMarkSweepCollector() { finish(); }

std::unique_ptr<Collector> ConcurrentMarkSweepCollector::create(
    Heap& heap, const ParamValues& params) {
  return std::make_unique<ConcurrentMarkSweepCollector>(
      heap, params.get_flag("stw") ? Mode::kStopTheWorld : Mode::kConcurrent);
}

void ConcurrentMarkSweepCollector::finish() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
    requested_ = false;
  }
  changed_.notify_all();
  if (driver_.joinable()) driver_.join();
}

void ConcurrentMarkSweepCollector::collect(Mutator* requester, GcCause cause) {
  if (mode_ == Mode::kStopTheWorld) {
    // Every phase stops the world, so the requester would stop anyway: it
    // waits, as under a stop-the-world collector.
    wait_for_cycle(requester, cause, /*fresh=*/cause == GcCause::kExplicit);
    return;
  }
  switch (cause) {
    case GcCause::kTrigger:
      // Asked on every slow path once in-use bytes passed the trigger point,
      // so also all through the cycle the trigger started.
      if (marking_.load(std::memory_order_acquire)) {
        if (requester != nullptr) assist();
      } else {
        request_cycle(cause);
      }
      return;
    case GcCause::kStress:
      request_cycle(cause);
      wait_for_start(requester);
      return;
    case GcCause::kAllocationFailure:
      wait_for_cycle(requester, cause, /*fresh=*/false);
      return;
    case GcCause::kExplicit:
      wait_for_cycle(requester, cause, /*fresh=*/true);
      return;
  }
}

// A stress request during a cycle queues the next one, so that a stressed
// run marks back to back and mutation overlaps marking all through it; a
// trigger's request during a cycle is the same goal, already being served.
void ConcurrentMarkSweepCollector::request_cycle(GcCause cause) {
  {
    std::lock_guard lock(mutex_);
    if (requested_ || finishing_) return;
    if (running_ && cause != GcCause::kStress) return;
    requested_ = true;
    requested_cause_ = cause;
  }
  changed_.notify_all();
}

// The heap asks twice before it gives up on an allocation: the first wait
// ends with the cycle in progress (whose sweep then frees memory), the
// second with one that started after it.
void ConcurrentMarkSweepCollector::wait_for_cycle(Mutator* requester,
                                                  GcCause cause, bool fresh) {
  std::int64_t start_ns = heap_.events().now_ns();
  std::int64_t start_cpu = thread_cpu_ns();
  {
    std::optional<ParkedScope> parked;
    if (requester != nullptr) parked.emplace(*requester);
    std::unique_lock lock(mutex_);
    if (finishing_) return;
    std::uint64_t target =
        running_ && !fresh ? cycles_started_ : cycles_started_ + 1;
    if (!requested_ && cycles_started_ < target) {
      requested_ = true;
      requested_cause_ = cause;
      changed_.notify_all();
    }
    changed_.wait(lock,
                  [&] { return cycles_completed_ >= target || finishing_; });
  }
  // In the stop-the-world mode the cycle's own "full" pause covers the wait.
  if (requester != nullptr && cause == GcCause::kAllocationFailure &&
      mode_ == Mode::kConcurrent) {
    std::int64_t end_ns = heap_.events().now_ns();
    heap_.events().record_pause({start_ns, end_ns - start_ns, "stall"});
    heap_.events().add_gc_cpu_ns(thread_cpu_ns() - start_cpu);
  }
}

// A stress request made while no cycle runs waits (parked) until one has
// started, so that --stress N gives a collection within every N allocations
// even in a run shorter than the driver's wake-up; one made during a cycle
// returns at once, so that mutation overlaps the marking.
void ConcurrentMarkSweepCollector::wait_for_start(Mutator* requester) {
  std::optional<ParkedScope> parked;
  std::unique_lock lock(mutex_);
  if (running_ || !requested_) return;
  std::uint64_t started = cycles_started_;
  lock.unlock();
  if (requester != nullptr) parked.emplace(*requester);
  lock.lock();
  changed_.wait(lock, [&] { return cycles_started_ > started || finishing_; });
}

void ConcurrentMarkSweepCollector::assist() {
  std::optional<std::size_t> goal = heap_.trigger().heap_goal();
  if (!goal || heap_.allocator().in_use_bytes() < *goal) return;
  std::int64_t start_ns = heap_.events().now_ns();
  std::int64_t start_cpu = thread_cpu_ns();
  MarkResult marked = marker_.assist(heap_.mark_epoch(), kAssistBudget);
  if (marked.bytes == 0) return;  // nothing queued: the GC threads hold it
  assist_marked_bytes_.fetch_add(marked.bytes, std::memory_order_relaxed);
  std::int64_t end_ns = heap_.events().now_ns();
  heap_.events().record_pause({start_ns, end_ns - start_ns, "assist"});
  heap_.events().add_gc_cpu_ns(thread_cpu_ns() - start_cpu);
}

void ConcurrentMarkSweepCollector::drive() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return requested_ || finishing_; });
    if (finishing_) return;
    requested_ = false;
    running_ = true;
    ++cycles_started_;
    GcCause cause = requested_cause_;
    changed_.notify_all();
    lock.unlock();
    if (mode_ == Mode::kStopTheWorld) {
      run_stop_the_world_cycle(cause);
    } else {
      run_cycle(cause);
    }
    lock.lock();
    running_ = false;
    ++cycles_completed_;
    changed_.notify_all();
    if (mode_ == Mode::kConcurrent) {
      lock.unlock();
      sweep_in_background();
      lock.lock();
    }
  }
}

void ConcurrentMarkSweepCollector::grey_roots_of(Mutator& mutator) {
  MarkStack roots;
  mutator.for_each_root([&roots](Object** slot) {
    if (*slot != nullptr) roots.push_back(*slot);
  });
  marker_.queue().push_all(roots);
}

void ConcurrentMarkSweepCollector::grey_global_roots() {
  roots_.clear();
  heap_.for_each_global_root([this](Object** slot) {
    if (Object* object =
            std::atomic_ref<Object*>(*slot).load(std::memory_order_acquire)) {
      roots_.push_back(object);
    }
  });
  marker_.queue().push_all(roots_);
}

std::size_t ConcurrentMarkSweepCollector::checkmark(std::uint8_t epoch) {
  roots_.clear();
  heap_.for_each_root([this](Object** slot) { roots_.push_back(*slot); });
  if (auto violation = checkmark_->check(roots_, epoch)) {
    fatal("verification failed in collection " +
          std::to_string(heap_.events().next_cycle_index()) + " (" +
          std::string(to_string(barrier_)) + " barrier): " + *violation);
  }
  return checkmark_->reachable_bytes();
}

void ConcurrentMarkSweepCollector::run_cycle(GcCause cause) {
  GcEventRecorder& events = heap_.events();
  Allocator& allocator = heap_.allocator();
  // Allocator statistics walk the free list, so they are taken outside the
  // pauses (with --verify, inside: the verifier needs the world stopped).
  CycleRecord cycle = events.begin_cycle(cause, allocator);
  cycle.trigger_bytes = heap_.trigger().trigger_bytes(allocator);
  cycle.goal_bytes = heap_.trigger().heap_goal();
  cycle.gc_thread_mark_ns.assign(marker_.threads(), 0);
  std::uint8_t epoch;
  std::size_t in_use_at_start;
  MarkResult marked;

  {
    // Nothing here walks the heap: the sweep being finished lies wholly
    // above the mutators' buffers.
    Heap::WorldStop world(heap_, nullptr, "initial-mark", Heap::Buffers::kKeep);
    if (!world.stopped()) fatal("concurrent-mark-sweep: the world was taken");
    {
      PhaseTimer phase(events, cycle, "finish-sweep");
      heap_.finish_lazy_sweep();
    }
    PhaseTimer phase(events, cycle, "initial-mark");
    in_use_at_start = allocator.in_use_bytes();
    epoch = heap_.flip_mark_epoch();
    heap_.set_allocation_mark(epoch);
    heap_.set_barrier_sink(&marker_.queue());
    heap_.set_barrier_active(true);
    assist_marked_bytes_.store(0, std::memory_order_relaxed);
    marking_.store(true, std::memory_order_release);
    grey_global_roots();
    for (Mutator* mutator : heap_.safepoints().mutators()) {
      if (barrier_ == BarrierKind::kYuasa) {
        grey_roots_of(*mutator);
      } else {
        mutator->set_roots_unscanned(barrier_ == BarrierKind::kHybrid);
      }
    }
  }

  if (barrier_ != BarrierKind::kYuasa) {
    PhaseTimer phase(events, cycle, "root-handshake");
    heap_.safepoints().handshake([this](Mutator& mutator) {
      bool own_thread = std::this_thread::get_id() != driver_id_;
      std::int64_t start_ns = heap_.events().now_ns();
      grey_roots_of(mutator);
      mutator.set_roots_unscanned(false);
      if (own_thread) {
        heap_.events().record_pause(
            {start_ns, heap_.events().now_ns() - start_ns, "handshake"});
      }
    });
  }

  if (roots_greyed_hook_) roots_greyed_hook_();

  // Remark ends marking only if it finds nothing left to do: work that
  // turned up since the last round (barrier buffers, an assist's leftovers,
  // dijkstra's unmarked roots) goes back to concurrent marking, as in Go's
  // mark termination, so that the pause stays short. The last of
  // kRemarkAttempts finishes in the pause whatever it finds, so marking ends.
  for (int attempt = 1;; ++attempt) {
    concurrent_mark(epoch, cycle, marked);
    Heap::WorldStop world(heap_, nullptr, "remark");
    if (!world.stopped()) fatal("concurrent-mark-sweep: the world was taken");
    {
      PhaseTimer phase(events, cycle, "remark");
      MarkStack work = remark_work(epoch);
      bool more = !work.empty() || !marker_.queue().empty();
      marker_.queue().push_all(work);
      if (more && attempt < kRemarkAttempts) continue;
      marked.add(marker_.mark(epoch, {}));
      marking_.store(false, std::memory_order_release);
      heap_.set_barrier_active(false);
      heap_.set_barrier_sink(nullptr);
      heap_.set_allocation_mark(kUnmarked);
    }
    std::size_t in_use = allocator.in_use_bytes();
    cycle.allocated_black_bytes =
        in_use > in_use_at_start ? in_use - in_use_at_start : 0;
    cycle.marked_objects = marked.objects;
    cycle.marked_bytes = marked.bytes;
    cycle.barrier_buffers = marker_.queue().take_barrier_buffer_count();
    cycle.assist_marked_bytes =
        assist_marked_bytes_.load(std::memory_order_relaxed);
    if (checkmark_) {
      PhaseTimer phase(events, cycle, "checkmark");
      std::size_t kept = marked.bytes + cycle.allocated_black_bytes;
      std::size_t reachable = checkmark(epoch);
      cycle.floating_garbage_bytes = kept > reachable ? kept - reachable : 0;
    }
    {
      PhaseTimer phase(events, cycle, "begin-sweep");
      allocator.begin_lazy_sweep(epoch,
                                 marked.bytes + cycle.allocated_black_bytes,
                                 heap_.options().verify);
    }
    if (heap_.options().verify) {
      cycle.after = allocator.stats();
      cycle.duration_ns = events.now_ns() - cycle.start_ns;
      heap_.finish_cycle(std::move(cycle), epoch);
      return;
    }
    break;
  }
  cycle.after = allocator.stats();
  cycle.duration_ns = events.now_ns() - cycle.start_ns;
  heap_.finish_cycle(std::move(cycle), epoch);
}

void ConcurrentMarkSweepCollector::concurrent_mark(std::uint8_t epoch,
                                                   CycleRecord& cycle,
                                                   MarkResult& marked) {
  PhaseTimer phase(heap_.events(), cycle, "concurrent-mark");
  std::int64_t cpu_before = 0;
  for (std::int64_t ns : cycle.gc_thread_mark_ns) cpu_before += ns;
  for (;;) {
    marked.add(marker_.mark(epoch, cycle.gc_thread_mark_ns));
    heap_.safepoints().handshake(
        [](Mutator& mutator) { mutator.flush_barrier_buffer(); });
    if (marker_.queue().empty()) break;
  }
  std::int64_t cpu = 0;
  for (std::int64_t ns : cycle.gc_thread_mark_ns) cpu += ns;
  heap_.events().add_gc_cpu_ns(cpu - cpu_before);
}

MarkStack ConcurrentMarkSweepCollector::remark_work(std::uint8_t epoch) {
  MarkStack work;
  auto take = [&work, epoch](Object* object) {
    if (object != nullptr && !object->is_marked(epoch)) work.push_back(object);
  };
  bool rescan_roots =
      barrier_ != BarrierKind::kYuasa && barrier_ != BarrierKind::kHybrid;
  for (Mutator* mutator : heap_.safepoints().mutators()) {
    BarrierBuffer& buffer = mutator->barrier_buffer();
    for (Object* object : buffer.contents()) take(object);
    buffer.clear();
    if (rescan_roots) {
      mutator->for_each_root([&take](Object** slot) { take(*slot); });
    }
  }
  return work;
}

void ConcurrentMarkSweepCollector::run_stop_the_world_cycle(GcCause cause) {
  GcEventRecorder& events = heap_.events();
  Allocator& allocator = heap_.allocator();
  Heap::WorldStop world(heap_, nullptr, "full");
  if (!world.stopped()) fatal("concurrent-mark-sweep: the world was taken");
  CycleRecord cycle = events.begin_cycle(cause, allocator);
  cycle.trigger_bytes = heap_.trigger().trigger_bytes(allocator);
  cycle.goal_bytes = heap_.trigger().heap_goal();
  std::uint8_t epoch = heap_.flip_mark_epoch();
  MarkResult marked;
  {
    PhaseTimer phase(events, cycle, "mark");
    grey_global_roots();
    for (Mutator* mutator : heap_.safepoints().mutators()) {
      grey_roots_of(*mutator);
    }
    marked = marker_.mark(epoch, {});
  }
  cycle.marked_objects = marked.objects;
  cycle.marked_bytes = marked.bytes;
  if (checkmark_) {
    PhaseTimer phase(events, cycle, "checkmark");
    std::size_t reachable = checkmark(epoch);
    cycle.floating_garbage_bytes =
        marked.bytes > reachable ? marked.bytes - reachable : 0;
  }
  {
    PhaseTimer phase(events, cycle, "sweep");
    SweepResult swept = allocator.sweep(epoch, heap_.options().verify);
    cycle.freed_objects = swept.freed_objects;
    cycle.freed_bytes = swept.freed_bytes;
  }
  cycle.after = allocator.stats();
  cycle.duration_ns = events.now_ns() - cycle.start_ns;
  heap_.finish_cycle(std::move(cycle), epoch);
}

void ConcurrentMarkSweepCollector::sweep_in_background() {
  std::int64_t start_cpu = thread_cpu_ns();
  Allocator& allocator = heap_.allocator();
  while (allocator.background_sweep_step()) {
    std::lock_guard lock(mutex_);
    if (finishing_) break;
  }
  heap_.events().amend_last_cycle_concurrent_sweep(thread_cpu_ns() - start_cpu);
}

}  // namespace gclab
