// The mark loop every marker shares: the stop-the-world ParallelMarker, the
// concurrent marker's GC threads and mutators assisting them.
//
// `drain` empties a private mark stack depth-first through a small prefetch
// FIFO. An object is marked (its header mark set to the cycle's epoch with
// a compare-and-swap) when it leaves the FIFO, and scanned only by the
// thread whose compare-and-swap won, so every object is scanned exactly once
// however many threads reach it. With side mark bits, whose sweep never
// reads objects, the same compare-and-swap ages it (heap/object.h). Every
// kDonationInterval scanned objects, a stack holding more than one entry
// gives its older half (the roots of the largest unexplored subgraphs, for a
// depth-first traversal) to `donate`, where idle threads find it.
//
// Children are pushed without looking at them (that look is the cache miss
// the FIFO hides), so an object reachable from several places is pushed more
// than once but scanned once. Objects already marked — allocated black, or
// reached before — are skipped on pop.
#ifndef GCLAB_COLLECTORS_MARK_DRAIN_H_
#define GCLAB_COLLECTORS_MARK_DRAIN_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "heap/object.h"
#include "heap/side_mark_bitmap.h"

namespace gclab {

using MarkStack = std::vector<Object*>;

struct MarkResult {
  std::size_t objects = 0;
  std::size_t bytes = 0;

  void add(const MarkResult& other) {
    objects += other.objects;
    bytes += other.bytes;
  }
};

// Small enough that a second thread finds work quickly on a deep tree, large
// enough that a donation costs little next to the objects it scans.
inline constexpr std::size_t kDonationInterval = 256;

// Objects leave the mark stack through this FIFO: each is prefetched as it
// enters and scanned only after kPrefetchDistance more have entered, so the
// cache miss on its header overlaps with scanning the others (Boehm's mark
// prefetching; Cher, Hosking and Vijaykumar 2004). Marking is latency-bound
// without it: a missing pointer-chasing load costs ~290 ns on these machines.
class PrefetchFifo {
 public:
  static constexpr std::size_t kPrefetchDistance = 8;

  bool full() const { return size_ == kPrefetchDistance; }
  bool empty() const { return size_ == 0; }
  void push(Object* object) {
    __builtin_prefetch(object, /*rw=*/1);
    items_[(head_ + size_++) % kPrefetchDistance] = object;
  }
  Object* pop() {
    Object* object = items_[head_];
    head_ = (head_ + 1) % kPrefetchDistance;
    --size_;
    return object;
  }

 private:
  Object* items_[kPrefetchDistance];
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// Drains `stack` (see above), handing donations to `donate(MarkStack&&)`.
// Stops once `budget` bytes were scanned, leaving the unscanned rest on
// `stack` (an assisting mutator does only its share). The winner of each
// mark also sets its bit in `side_marks`, when the allocator keeps one.
template <typename Donate>
MarkResult drain(MarkStack& stack, std::uint8_t epoch,
                 SideMarkBitmap* side_marks, Donate&& donate,
                 std::size_t budget = std::numeric_limits<std::size_t>::max()) {
  PrefetchFifo fifo;
  MarkResult result;
  std::size_t since_donation = 0;
  for (;;) {
    while (!fifo.full() && !stack.empty()) {
      fifo.push(stack.back());
      stack.pop_back();
    }
    if (fifo.empty()) break;
    if (result.bytes >= budget) {
      while (!fifo.empty()) stack.push_back(fifo.pop());
      break;
    }
    Object* object = fifo.pop();
    // One test of side_marks per object: the allocator that keeps them
    // sweeps without reading objects, so the mark ages them too.
    if (side_marks == nullptr) {
      if (!object->try_mark(epoch)) continue;
    } else {
      if (!object->try_mark_and_age(epoch)) continue;
      side_marks->set(object);
    }
    ++result.objects;
    result.bytes += object->size_bytes();
    for (std::size_t i = 0, n = object->num_refs(); i < n; ++i) {
      if (Object* child = object->load_slot(i)) stack.push_back(child);
    }
    if (++since_donation >= kDonationInterval && stack.size() > 1) {
      since_donation = 0;
      std::size_t half = stack.size() / 2;
      donate(MarkStack(stack.begin(), stack.begin() + half));
      stack.erase(stack.begin(), stack.begin() + half);
    }
  }
  return result;
}

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_MARK_DRAIN_H_
