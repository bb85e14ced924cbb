#include "collectors/parallel_marker.h"

#include <tbb/parallel_for_each.h>

#include <atomic>
#include <utility>
#include <vector>

namespace gclab {
namespace {

// Roots are handed out in packets of this many.
constexpr std::size_t kRootPacket = 64;

}  // namespace

ParallelMarker::ParallelMarker(int threads, SideMarkBitmap* side_marks)
    : threads_(threads), arena_(threads), side_marks_(side_marks) {}

MarkResult ParallelMarker::mark_from_roots(Heap& heap, std::uint8_t epoch) {
  roots_.clear();
  heap.for_each_root([this](Object** slot) { roots_.push_back(*slot); });
  return mark(roots_, epoch);
}

MarkResult ParallelMarker::mark(std::span<Object* const> roots,
                                std::uint8_t epoch) {
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
  arena_.execute([&] {
    tbb::parallel_for_each(
        packets.begin(), packets.end(),
        [&](MarkStack& stack, tbb::feeder<MarkStack>& feeder) {
          MarkResult result =
              drain(stack, epoch, side_marks_, [&feeder](MarkStack&& donated) {
                feeder.add(std::move(donated));
              });
          objects.fetch_add(result.objects, std::memory_order_relaxed);
          bytes.fetch_add(result.bytes, std::memory_order_relaxed);
        });
  });
  return {objects.load(), bytes.load()};
}

}  // namespace gclab
