// Safepoints and stop-the-world for any number of mutator threads.
//
// Each registered mutator is Running, AtSafepoint or Parked. A stop request
// waits until no mutator is Running: running mutators notice the request at
// their next poll (allocation slow path or explicit Mutator::safepoint) and
// block; parked mutators (blocked in a queue, joining threads, exiting) are
// already out of the way and cannot leave the parked state while the world is
// stopped. So a collector that holds the world stopped may read every
// mutator's roots and allocation buffer. Every state change happens under one
// mutex, which also orders the mutators' writes before the collector's reads.
//
// Only one stop is in progress at a time: a second requester (another mutator
// whose allocation failed at the same moment) simply blocks like any other
// mutator and then retries its allocation.
//
// Handshakes (ragged safepoints) stop no one: `handshake(action)` has every
// mutator run `action` on itself at its next poll, one at a time, while the
// others run on; for a parked mutator the caller runs it, holding the lock
// so that the mutator cannot unpark meanwhile. A mutator that parks or
// deregisters with a handshake pending answers it first. Mutators poll one
// flag for both: poll_requested is set while a stop or a handshake is
// pending. Handshakes are a concurrent collector's, whose own thread is then
// the only one to stop the world, so a stop and a handshake never overlap.
//
// Waiting: a stopping thread spins for up to kStopSpinNs before it sleeps on
// the condition variable, and a stopped mutator for up to kResumeSpinNs,
// since waking a sleeping thread costs tens of microseconds on these
// machines — more than a concurrent collector's whole pause. Only while the
// mutators and the stopping thread have a core each.
//
// Design note: docs/design.md#safepoints-and-handshakes.
#ifndef GCLAB_HEAP_SAFEPOINT_H_
#define GCLAB_HEAP_SAFEPOINT_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

namespace gclab {

class Mutator;

enum class MutatorState { kRunning, kAtSafepoint, kParked };

class SafepointCoordinator {
 public:
  static constexpr std::int64_t kStopSpinNs = 200'000;
  static constexpr std::int64_t kResumeSpinNs = 100'000;

  void register_mutator(Mutator& mutator);
  void deregister_mutator(Mutator& mutator);

  // Mutator side: mutators poll this flag and call `poll` when it is set,
  // which answers a pending handshake and blocks while a stop is requested.
  const std::atomic<bool>& poll_requested() const { return poll_requested_; }
  void poll(Mutator& mutator);
  void park(Mutator& mutator);
  void unpark(Mutator& mutator);

  // Collector side. Returns false (after waiting for the other stop to end)
  // when another thread already holds or is acquiring the world.
  bool begin_stop(Mutator* requester);
  void end_stop(Mutator* requester);

  // Runs `action` for every registered mutator (see above) and returns
  // when all have run it.
  void handshake(const std::function<void(Mutator&)>& action);

  // Whether a stop is in effect: requested, and no mutator running.
  bool world_stopped() const {
    return stop_requested_.load(std::memory_order_acquire) &&
           running_.load(std::memory_order_acquire) == 0;
  }

  // Valid only while the world is stopped.
  std::span<Mutator* const> mutators() const { return mutators_; }

 private:
  void wait_for_resume(std::unique_lock<std::mutex>& lock);
  void answer_handshake(Mutator& mutator, std::unique_lock<std::mutex>& lock);
  void update_poll_locked();
  bool cores_to_spare() const;  // under mutex_

  std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> poll_requested_{false};
  std::vector<Mutator*> mutators_;
  // Changed under mutex_; atomic so that a waiter can spin on it.
  std::atomic<std::size_t> running_{0};
  const std::function<void(Mutator&)>* handshake_action_ = nullptr;
  std::size_t handshakes_pending_ = 0;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_SAFEPOINT_H_
