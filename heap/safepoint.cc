#include "heap/safepoint.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "heap/fatal.h"
#include "heap/mutator.h"

namespace gclab {

namespace {

// Spins until `done` or `limit_ns` have passed; returns `done()`.
template <typename Done>
bool spin_until(Done&& done, std::int64_t limit_ns) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0;; ++i) {
    if (done()) return true;
    __builtin_ia32_pause();
    if (i % 64 == 0 && std::chrono::steady_clock::now() - start >
                           std::chrono::nanoseconds(limit_ns)) {
      return done();
    }
  }
}

}  // namespace

// Spinning only pays while every thread involved has a core: with more
// threads than cores a spinner takes the core the thread it waits for needs.
bool SafepointCoordinator::cores_to_spare() const {
  static const unsigned cores =
      std::max(1u, std::thread::hardware_concurrency());
  return mutators_.size() + 1 <= cores;
}

void SafepointCoordinator::wait_for_resume(std::unique_lock<std::mutex>& lock) {
  auto resumed = [this] {
    return !stop_requested_.load(std::memory_order_acquire);
  };
  if (resumed()) return;
  if (cores_to_spare()) {
    lock.unlock();
    spin_until(resumed, kResumeSpinNs);
    lock.lock();
  }
  changed_.wait(lock, resumed);
}

void SafepointCoordinator::update_poll_locked() {
  poll_requested_.store(stop_requested_.load(std::memory_order_relaxed) ||
                            handshakes_pending_ > 0,
                        std::memory_order_release);
}

// The action runs without the lock: it may take other locks (the marker's
// queue), and the mutator is running, so nothing else changes its state.
void SafepointCoordinator::answer_handshake(
    Mutator& mutator, std::unique_lock<std::mutex>& lock) {
  if (!mutator.handshake_pending_) return;
  const std::function<void(Mutator&)>& action = *handshake_action_;
  lock.unlock();
  action(mutator);
  lock.lock();
  mutator.handshake_pending_ = false;
  if (--handshakes_pending_ == 0) {
    update_poll_locked();
    changed_.notify_all();
  }
}

void SafepointCoordinator::handshake(
    const std::function<void(Mutator&)>& action) {
  std::unique_lock lock(mutex_);
  handshake_action_ = &action;
  for (Mutator* mutator : mutators_) {
    if (mutator->state_ == MutatorState::kRunning) {
      mutator->handshake_pending_ = true;
      ++handshakes_pending_;
    } else {
      action(*mutator);
    }
  }
  update_poll_locked();
  changed_.wait(lock, [this] { return handshakes_pending_ == 0; });
  handshake_action_ = nullptr;
}

void SafepointCoordinator::register_mutator(Mutator& mutator) {
  std::unique_lock lock(mutex_);
  wait_for_resume(lock);
  mutators_.push_back(&mutator);
  mutator.state_ = MutatorState::kRunning;
  ++running_;
}

void SafepointCoordinator::deregister_mutator(Mutator& mutator) {
  std::unique_lock lock(mutex_);
  answer_handshake(mutator, lock);
  if (mutator.state_ == MutatorState::kRunning) {
    // Leaving counts as reaching a safepoint: a pending stop may be waiting
    // for us, and our roots must stay put until it is over.
    mutator.state_ = MutatorState::kAtSafepoint;
    --running_;
    changed_.notify_all();
  }
  wait_for_resume(lock);
  auto it = std::find(mutators_.begin(), mutators_.end(), &mutator);
  if (it == mutators_.end()) fatal("deregistering an unknown mutator");
  mutators_.erase(it);
}

void SafepointCoordinator::poll(Mutator& mutator) {
  std::unique_lock lock(mutex_);
  answer_handshake(mutator, lock);
  if (!stop_requested_.load(std::memory_order_relaxed)) return;
  mutator.state_ = MutatorState::kAtSafepoint;
  --running_;
  changed_.notify_all();
  wait_for_resume(lock);
  mutator.state_ = MutatorState::kRunning;
  ++running_;
}

void SafepointCoordinator::park(Mutator& mutator) {
  std::unique_lock lock(mutex_);
  answer_handshake(mutator, lock);
  mutator.state_ = MutatorState::kParked;
  --running_;
  changed_.notify_all();
}

void SafepointCoordinator::unpark(Mutator& mutator) {
  std::unique_lock lock(mutex_);
  wait_for_resume(lock);
  mutator.state_ = MutatorState::kRunning;
  ++running_;
}

bool SafepointCoordinator::begin_stop(Mutator* requester) {
  std::unique_lock lock(mutex_);
  if (stop_requested_.load(std::memory_order_relaxed)) {
    // Someone else is collecting: behave like any mutator at a safepoint.
    if (requester != nullptr) {
      requester->state_ = MutatorState::kAtSafepoint;
      --running_;
      changed_.notify_all();
    }
    wait_for_resume(lock);
    if (requester != nullptr) {
      requester->state_ = MutatorState::kRunning;
      ++running_;
    }
    return false;
  }
  stop_requested_.store(true, std::memory_order_release);
  update_poll_locked();
  if (requester != nullptr) {
    requester->state_ = MutatorState::kAtSafepoint;
    --running_;
  }
  auto stopped = [this] {
    return running_.load(std::memory_order_acquire) == 0;
  };
  if (!stopped() && cores_to_spare()) {
    lock.unlock();
    spin_until(stopped, kStopSpinNs);
    lock.lock();
  }
  changed_.wait(lock, stopped);
  return true;
}

void SafepointCoordinator::end_stop(Mutator* requester) {
  std::unique_lock lock(mutex_);
  stop_requested_.store(false, std::memory_order_release);
  update_poll_locked();
  if (requester != nullptr) {
    requester->state_ = MutatorState::kRunning;
    ++running_;
  }
  changed_.notify_all();
}

}  // namespace gclab
