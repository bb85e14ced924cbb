#include "collectors/concurrent_marker.h"

#include <tbb/task_group.h>

#include <mutex>
#include <thread>
#include <utility>

#include "heap/gc_events.h"

namespace gclab {

ConcurrentMarker::ConcurrentMarker(int threads, SideMarkBitmap* side_marks)
    : threads_(threads), arena_(threads), side_marks_(side_marks) {}

MarkResult ConcurrentMarker::work(std::uint8_t epoch) {
  MarkResult result;
  MarkStack stack;
  auto donate = [this](MarkStack&& donated) {
    queue_.push(std::move(donated));
  };
  active_.fetch_add(1, std::memory_order_acq_rel);
  for (;;) {
    if (queue_.pop(stack)) {
      result.add(drain(stack, epoch, side_marks_, donate));
      continue;
    }
    active_.fetch_sub(1, std::memory_order_acq_rel);
    for (;;) {
      if (!queue_.empty()) {
        active_.fetch_add(1, std::memory_order_acq_rel);
        break;
      }
      if (active_.load(std::memory_order_acquire) == 0) return result;
      std::this_thread::yield();
    }
  }
}

MarkResult ConcurrentMarker::mark(std::uint8_t epoch,
                                  std::span<std::int64_t> cpu_by_thread,
                                  PhaseTimer& phase) {
  MarkResult total;
  std::mutex total_mutex;  // guards total, cpu_by_thread and phase
  const GcEventRecorder& clock = phase.clock();
  arena_.execute([&] {
    tbb::task_group workers;
    for (int i = 0; i < threads_; ++i) {
      workers.run([&] {
        std::int64_t start_ns = clock.now_ns();
        std::int64_t cpu_start = thread_cpu_ns();
        MarkResult result = work(epoch);
        std::int64_t cpu = thread_cpu_ns() - cpu_start;
        std::int64_t end_ns = clock.now_ns();
        int slot = tbb::this_task_arena::current_thread_index();
        std::lock_guard lock(total_mutex);
        total.add(result);
        if (slot >= 0 &&
            static_cast<std::size_t>(slot) < cpu_by_thread.size()) {
          cpu_by_thread[slot] += cpu;
        }
        if (clock.records_gc_threads()) {
          phase.add_gc_thread_interval(slot, start_ns, end_ns);
        }
      });
    }
    workers.wait();
  });
  return total;
}

MarkResult ConcurrentMarker::assist(std::uint8_t epoch, std::size_t budget) {
  MarkResult result;
  MarkStack stack;
  auto donate = [this](MarkStack&& donated) {
    queue_.push(std::move(donated));
  };
  while (result.bytes < budget && queue_.pop(stack)) {
    result.add(drain(stack, epoch, side_marks_, donate, budget - result.bytes));
    queue_.push(std::move(stack));
    stack.clear();
  }
  return result;
}

}  // namespace gclab
