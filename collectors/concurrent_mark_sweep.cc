#include "collectors/concurrent_mark_sweep.h"

#include <string>
#include <utility>

#include "heap/fatal.h"
#include "heap/gc_events.h"
#include "heap/mutator.h"

namespace gclab {

ConcurrentMarkSweepCollector::ConcurrentMarkSweepCollector(Heap& heap,
                                                           Mode mode)
    : heap_(heap),
      mode_(mode),
      barrier_(heap.options().barrier),
      marker_(heap.options().gc_threads, heap.allocator().side_marks()) {
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
        if (requester != nullptr) assist(*requester);
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
// second with one that started after it. In the stop-the-world mode the
// cycle's own "full" pause covers the wait, so only the concurrent mode
// records a stall.
void ConcurrentMarkSweepCollector::wait_for_cycle(Mutator* requester,
                                                  GcCause cause, bool fresh) {
  std::optional<MutatorPause> stall;
  if (requester != nullptr && cause == GcCause::kAllocationFailure &&
      mode_ == Mode::kConcurrent) {
    // The cycle it waits for is known once the target is (below).
    stall.emplace(heap_.events(), PauseKind::kStall, requester->index(),
                  heap_.events().next_cycle_index());
  }
  std::optional<ParkedScope> parked;
  if (requester != nullptr) parked.emplace(*requester);
  std::unique_lock lock(mutex_);
  if (finishing_) return;
  std::uint64_t target =
      running_ && !fresh ? cycles_started_ : cycles_started_ + 1;
  // Every cycle started is recorded, in order, so the target-th has index
  // target - 1.
  if (stall) stall->set_cycle(static_cast<std::uint32_t>(target - 1));
  if (!requested_ && cycles_started_ < target) {
    requested_ = true;
    requested_cause_ = cause;
    changed_.notify_all();
  }
  changed_.wait(lock,
                [&] { return cycles_completed_ >= target || finishing_; });
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

void ConcurrentMarkSweepCollector::assist(Mutator& requester) {
  std::optional<std::size_t> goal = heap_.trigger().heap_goal();
  if (!goal || heap_.allocator().in_use_bytes() < *goal) return;
  // While marking, the next cycle to be recorded is the one marking.
  MutatorPause pause(heap_.events(), PauseKind::kAssist, requester.index(),
                     heap_.events().next_cycle_index());
  MarkResult marked = marker_.assist(heap_.mark_epoch(), kAssistBudget);
  if (marked.bytes == 0) {
    pause.discard();  // nothing queued: the GC threads hold it
    return;
  }
  assist_marked_bytes_.fetch_add(marked.bytes, std::memory_order_relaxed);
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
    run_cycle(cause);
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

void ConcurrentMarkSweepCollector::run_cycle(GcCause cause) {
  std::optional<Heap::WorldStop> whole_cycle;
  if (mode_ == Mode::kStopTheWorld) {
    whole_cycle.emplace(heap_, nullptr, PauseKind::kFull);
    if (!whole_cycle->stopped()) {
      fatal("concurrent-mark-sweep: the world was taken");
    }
  }
  // Allocator statistics walk free lists, so in the concurrent mode the
  // cycle opens outside the pauses.
  CollectionCycle cycle(heap_, cause);
  CycleRecord& record = cycle.record();
  record.trigger_bytes = heap_.trigger().trigger_bytes(heap_.allocator());
  record.goal_bytes = heap_.trigger().heap_goal();
  // Marking's CPU time is counted per GC thread only beside the mutators;
  // in one pause, the pause's process CPU time already counts it.
  if (mode_ == Mode::kConcurrent) {
    record.gc_thread_mark_ns.assign(marker_.threads(), 0);
  }

  std::uint8_t epoch;
  {
    // Nothing here walks the heap: the sweep being finished lies wholly
    // above the mutators' buffers.
    std::optional<Heap::WorldStop> world;
    stop_world(world, PauseKind::kInitialMark, Heap::Buffers::kKeep);
    epoch = initial_mark(cycle);
  }
  if (barrier_ != BarrierKind::kYuasa) grey_roots_by_handshake(cycle);

  // Remark ends marking only if it finds nothing left to do: work that
  // turned up since the last round goes back to concurrent marking, as in
  // Go's mark termination, so that the pause stays short. The last of
  // kRemarkAttempts finishes in the pause whatever it finds, so marking
  // ends.
  MarkResult marked;
  std::optional<Heap::WorldStop> remark_pause;
  bool marking_over = false;
  for (int attempt = 1; !marking_over; ++attempt) {
    remark_pause.reset();
    mark(cycle, epoch, marked);
    stop_world(remark_pause, PauseKind::kRemark);
    marking_over = remark(cycle, epoch, attempt == kRemarkAttempts, marked);
  }
  end_marking(cycle, epoch, marked);
  cycle.close();
}

void ConcurrentMarkSweepCollector::stop_world(
    std::optional<Heap::WorldStop>& world, PauseKind kind,
    Heap::Buffers buffers) {
  if (mode_ == Mode::kStopTheWorld) return;
  world.emplace(heap_, nullptr, kind, buffers);
  if (!world->stopped()) fatal("concurrent-mark-sweep: the world was taken");
}

std::uint8_t ConcurrentMarkSweepCollector::initial_mark(
    CollectionCycle& cycle) {
  {
    PhaseTimer phase = cycle.phase("finish-sweep");
    heap_.finish_lazy_sweep();
  }
  PhaseTimer phase = cycle.phase("initial-mark");
  in_use_at_start_ = heap_.allocator().in_use_bytes();
  std::uint8_t epoch = cycle.flip_mark_epoch();
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
  return epoch;
}

// Each mutator greys its own roots at its next poll, the others running on;
// on the mutator's own thread that is its pause. The driver runs it for a
// parked mutator, and for every mutator when the world is stopped (--stw).
void ConcurrentMarkSweepCollector::grey_roots_by_handshake(
    CollectionCycle& cycle) {
  PhaseTimer phase = cycle.phase("root-handshake");
  heap_.safepoints().handshake([this, &cycle](Mutator& mutator) {
    std::optional<MutatorPause> pause;
    if (std::this_thread::get_id() != driver_id_) {
      pause.emplace(heap_.events(), PauseKind::kHandshake, mutator.index(),
                    cycle.index());
    }
    grey_roots_of(mutator);
    mutator.set_roots_unscanned(false);
  });
}

void ConcurrentMarkSweepCollector::mark(CollectionCycle& cycle,
                                        std::uint8_t epoch,
                                        MarkResult& marked) {
  PhaseTimer phase =
      cycle.phase(mode_ == Mode::kConcurrent ? "concurrent-mark" : "mark");
  std::vector<std::int64_t>& cpu_by_thread = cycle.record().gc_thread_mark_ns;
  std::int64_t cpu_before = 0;
  for (std::int64_t ns : cpu_by_thread) cpu_before += ns;
  for (;;) {
    marked.add(marker_.mark(epoch, cpu_by_thread, phase));
    heap_.safepoints().handshake(
        [](Mutator& mutator) { mutator.flush_barrier_buffer(); });
    if (marker_.queue().empty()) break;
  }
  std::int64_t cpu = 0;
  for (std::int64_t ns : cpu_by_thread) cpu += ns;
  heap_.events().add_gc_cpu_ns(cpu - cpu_before);
}

bool ConcurrentMarkSweepCollector::remark(CollectionCycle& cycle,
                                          std::uint8_t epoch, bool last_attempt,
                                          MarkResult& marked) {
  PhaseTimer phase = cycle.phase("remark");
  MarkStack work = remark_work(epoch);
  bool found_work = !work.empty() || !marker_.queue().empty();
  marker_.queue().push_all(work);
  if (found_work && !last_attempt) return false;
  marked.add(marker_.mark(epoch, {}, phase));
  return true;
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

void ConcurrentMarkSweepCollector::end_marking(CollectionCycle& cycle,
                                               std::uint8_t epoch,
                                               const MarkResult& marked) {
  Allocator& allocator = heap_.allocator();
  CycleRecord& record = cycle.record();
  marking_.store(false, std::memory_order_release);
  heap_.set_barrier_active(false);
  heap_.set_barrier_sink(nullptr);
  heap_.set_allocation_mark(kUnmarked);
  std::size_t in_use = allocator.in_use_bytes();
  record.allocated_black_bytes =
      in_use > in_use_at_start_ ? in_use - in_use_at_start_ : 0;
  cycle.count_marked(marked.objects, marked.bytes);
  record.barrier_buffers = marker_.queue().take_barrier_buffer_count();
  record.assist_marked_bytes =
      assist_marked_bytes_.load(std::memory_order_relaxed);
  const std::size_t kept = marked.bytes + record.allocated_black_bytes;
  if (checkmark_) {
    PhaseTimer phase = cycle.phase("checkmark");
    std::size_t reachable = checkmark(cycle, epoch);
    record.floating_garbage_bytes = kept > reachable ? kept - reachable : 0;
  }
  const bool poison = heap_.options().verify;
  {
    PhaseTimer phase = cycle.phase("begin-sweep");
    allocator.begin_lazy_sweep(epoch, kept, poison);
  }
  if (mode_ == Mode::kStopTheWorld) {
    PhaseTimer phase = cycle.phase("sweep");
    cycle.count_swept(allocator.finish_sweep());
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

std::size_t ConcurrentMarkSweepCollector::checkmark(
    const CollectionCycle& cycle, std::uint8_t epoch) {
  roots_.clear();
  heap_.for_each_root([this](Object** slot) { roots_.push_back(*slot); });
  if (auto violation = checkmark_->check(roots_, epoch)) {
    fatal("verification failed in collection " + std::to_string(cycle.index()) +
          " (" + std::string(to_string(barrier_)) + " barrier): " + *violation);
  }
  return checkmark_->reachable_bytes();
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
