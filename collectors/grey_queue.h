// GreyQueue: the concurrent marker's shared work list — packets of objects
// to mark, from root scans, barrier buffers, and GC threads or assisting
// mutators giving away part of their mark stack.
//
// One mutex guards the packets. It is taken once per packet, never per
// object: barrier buffers arrive BarrierBuffer::kCapacity objects at a time,
// donations half a mark stack at a time. `empty` is a relaxed read of the
// packet count, for idle GC threads to poll without the lock.
#ifndef GCLAB_COLLECTORS_GREY_QUEUE_H_
#define GCLAB_COLLECTORS_GREY_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "collectors/mark_drain.h"
#include "heap/barrier.h"

namespace gclab {

class GreyQueue final : public BarrierSink {
 public:
  void push(MarkStack&& packet);
  // Pushes `objects` in packets of at most kRootPacket.
  void push_all(std::span<Object* const> objects);
  // Moves one packet into `out` (which must be empty); false when none.
  bool pop(MarkStack& out);
  bool empty() const { return packets_.load(std::memory_order_relaxed) == 0; }

  // A full (or flushed) barrier buffer.
  void accept(std::span<Object* const> shaded) override;
  // Barrier buffers accepted since the last call.
  std::uint64_t take_barrier_buffer_count() {
    return barrier_buffers_.exchange(0, std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t kRootPacket = 64;

  std::mutex mutex_;
  std::vector<MarkStack> queue_;
  std::atomic<std::size_t> packets_{0};
  std::atomic<std::uint64_t> barrier_buffers_{0};
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_GREY_QUEUE_H_
