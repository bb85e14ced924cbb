#include "collectors/parallel_marker.h"

#include <tbb/parallel_for_each.h>

#include <atomic>
#include <utility>
#include <vector>

namespace gclab {
namespace {

// Roots are handed out in packets of this many.
constexpr std::size_t kRootPacket = 64;

// A task that starts less than this after its thread's previous one ended
// extends that one's stretch: the gap is TBB handing the thread its next
// task, not the thread waiting for work.
constexpr std::int64_t kStretchGapNs = 1'000;

// One GC thread's busy stretches during one mark, [start, end) in the
// phase's clock; written by that thread alone, each on its own cache line.
struct alignas(64) ThreadStretches {
  struct Stretch {
    std::int64_t start_ns;
    std::int64_t end_ns;
  };
  std::vector<Stretch> stretches;

  void add(std::int64_t start_ns, std::int64_t end_ns) {
    if (!stretches.empty() &&
        start_ns - stretches.back().end_ns < kStretchGapNs) {
      stretches.back().end_ns = end_ns;
      return;
    }
    stretches.push_back({start_ns, end_ns});
  }
};

}  // namespace

ParallelMarker::ParallelMarker(int threads, SideMarkBitmap* side_marks)
    : threads_(threads), arena_(threads), side_marks_(side_marks) {}

MarkResult ParallelMarker::mark_from_roots(Heap& heap, std::uint8_t epoch,
                                           PhaseTimer& phase) {
  roots_.clear();
  heap.for_each_root([this](Object** slot) { roots_.push_back(*slot); });
  return mark(roots_, epoch, phase);
}

MarkResult ParallelMarker::mark(std::span<Object* const> roots,
                                std::uint8_t epoch, PhaseTimer& phase) {
  std::vector<MarkStack> packets;
  for (Object* root : roots) {
    if (root == nullptr) continue;
    if (packets.empty() || packets.back().size() == kRootPacket) {
      packets.emplace_back();
    }
    packets.back().push_back(root);
  }
  std::atomic<std::size_t> objects{0};
  std::atomic<std::size_t> bytes{0};
  auto mark_task = [&](MarkStack& stack, tbb::feeder<MarkStack>& feeder) {
    MarkResult result = drain(
        stack, epoch, side_marks_,
        [&feeder](MarkStack&& donated) { feeder.add(std::move(donated)); });
    objects.fetch_add(result.objects, std::memory_order_relaxed);
    bytes.fetch_add(result.bytes, std::memory_order_relaxed);
  };
  const GcEventRecorder& clock = phase.clock();
  std::vector<ThreadStretches> by_thread;
  arena_.execute([&] {
    if (!clock.records_gc_threads()) {
      tbb::parallel_for_each(packets.begin(), packets.end(), mark_task);
      return;
    }
    by_thread.resize(threads_);
    tbb::parallel_for_each(
        packets.begin(), packets.end(),
        [&](MarkStack& stack, tbb::feeder<MarkStack>& feeder) {
          std::int64_t start_ns = clock.now_ns();
          mark_task(stack, feeder);
          // Inside this arena the slot is always one of its threads_.
          by_thread[tbb::this_task_arena::current_thread_index()].add(
              start_ns, clock.now_ns());
        });
  });
  for (std::size_t thread = 0; thread < by_thread.size(); ++thread) {
    for (const ThreadStretches::Stretch& stretch :
         by_thread[thread].stretches) {
      phase.add_gc_thread_interval(static_cast<int>(thread), stretch.start_ns,
                                   stretch.end_ns);
    }
  }
  return {objects.load(), bytes.load()};
}

}  // namespace gclab
