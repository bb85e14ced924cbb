#include "collectors/grey_queue.h"

#include <algorithm>
#include <utility>

namespace gclab {

void GreyQueue::push(MarkStack&& packet) {
  if (packet.empty()) return;
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(packet));
  packets_.store(queue_.size(), std::memory_order_relaxed);
}

void GreyQueue::push_all(std::span<Object* const> objects) {
  while (!objects.empty()) {
    std::size_t count = std::min(objects.size(), kRootPacket);
    push(MarkStack(objects.begin(), objects.begin() + count));
    objects = objects.subspan(count);
  }
}

bool GreyQueue::pop(MarkStack& out) {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return false;
  out = std::move(queue_.back());
  queue_.pop_back();
  packets_.store(queue_.size(), std::memory_order_relaxed);
  return true;
}

void GreyQueue::accept(std::span<Object* const> shaded) {
  barrier_buffers_.fetch_add(1, std::memory_order_relaxed);
  push(MarkStack(shaded.begin(), shaded.end()));
}

}  // namespace gclab
