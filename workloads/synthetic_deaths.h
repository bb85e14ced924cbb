// The synthetic workload's death times (workloads/synthetic.h): a min-heap
// of (death time, table slot), nearest death first, with one entry per
// held object.
//
// This is the generator's own cost on every allocation (a push, and a pop
// when something dies), so it is kept cheap: each entry is one 64-bit word,
// the time above the slot, so that comparing words compares times (ties by
// slot, which keeps the order a function of the seed alone), and the heap
// is 4-ary, so that a pop sifts through half the levels of a binary heap,
// each level's four children in one cache line (a fifth less time per
// death than a std::priority_queue of pairs, by perf, at the default
// lifetimes' 21,000 held objects).
#ifndef GCLAB_WORKLOADS_SYNTHETIC_DEATHS_H_
#define GCLAB_WORKLOADS_SYNTHETIC_DEATHS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace gclab::synthetic {

class DeathQueue {
 public:
  static constexpr int kSlotBits = 24;
  // Times at or past this are "never": after any run can end.
  static constexpr std::uint64_t kNeverTime =
      (std::uint64_t{1} << (64 - kSlotBits)) - 1;

  bool empty() const { return heap_.empty(); }
  std::uint64_t nearest_time() const { return heap_.front() >> kSlotBits; }
  std::uint32_t nearest_slot() const {
    return static_cast<std::uint32_t>(heap_.front() & kSlotMask);
  }

  // `slot` below 2^24; a `time` past kNeverTime is kNeverTime.
  void push(std::uint64_t time, std::uint32_t slot) {
    std::uint64_t entry = (std::min(time, kNeverTime) << kSlotBits) | slot;
    std::size_t at = heap_.size();
    heap_.push_back(entry);
    while (at > 0) {
      std::size_t parent = (at - 1) / 4;
      if (heap_[parent] <= entry) break;
      heap_[at] = heap_[parent];
      at = parent;
    }
    heap_[at] = entry;
  }

  void pop() {
    std::uint64_t entry = heap_.back();
    heap_.pop_back();
    const std::size_t size = heap_.size();
    if (size == 0) return;
    std::size_t at = 0;
    for (;;) {
      std::size_t first = 4 * at + 1;
      if (first >= size) break;
      std::size_t least = first;
      std::size_t end = std::min(first + 4, size);
      for (std::size_t child = first + 1; child < end; ++child) {
        least = heap_[child] < heap_[least] ? child : least;
      }
      if (entry <= heap_[least]) break;
      heap_[at] = heap_[least];
      at = least;
    }
    heap_[at] = entry;
  }

 private:
  static constexpr std::uint64_t kSlotMask =
      (std::uint64_t{1} << kSlotBits) - 1;
  std::vector<std::uint64_t> heap_;
};

}  // namespace gclab::synthetic

#endif  // GCLAB_WORKLOADS_SYNTHETIC_DEATHS_H_
