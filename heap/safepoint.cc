#include "heap/safepoint.h"

#include <algorithm>

#include "heap/fatal.h"
#include "heap/mutator.h"

namespace gclab {

void SafepointCoordinator::wait_for_resume(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [this] {
    return !stop_requested_.load(std::memory_order_relaxed);
  });
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

void SafepointCoordinator::block(Mutator& mutator) {
  std::unique_lock lock(mutex_);
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
  if (requester != nullptr) {
    requester->state_ = MutatorState::kAtSafepoint;
    --running_;
  }
  changed_.wait(lock, [this] { return running_ == 0; });
  return true;
}

void SafepointCoordinator::end_stop(Mutator* requester) {
  std::unique_lock lock(mutex_);
  stop_requested_.store(false, std::memory_order_release);
  if (requester != nullptr) {
    requester->state_ = MutatorState::kRunning;
    ++running_;
  }
  changed_.notify_all();
}

}  // namespace gclab
