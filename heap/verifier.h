// The heap verifier (--verify): after every collection, with the world
// stopped, walk from the roots and check every reachable object.
//
// Checks, each named in the run's JSON so that it shows it ran:
//   allocated      every root and every reference slot points at the start of
//                  an object the allocator's walk reports as allocated (not
//                  into a free block, a filler, poisoned or unowned memory)
//   header         the object's header is sane: at least a header long, its
//                  slots fit, it lies inside the arena
//   mark           (tracing collectors) every reachable object carries the
//                  mark of the cycle that just ended
// A violation names the object, the slot and the cycle, and aborts the run:
// a collector that loses a live object has produced worthless numbers.
#ifndef GCLAB_HEAP_VERIFIER_H_
#define GCLAB_HEAP_VERIFIER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gclab {

class Heap;

struct VerificationStats {
  std::uint64_t heaps_verified = 0;  // after collections and at the end
  std::uint64_t objects_visited = 0;
  std::uint64_t mark_checks = 0;  // verifications that also checked marks
  // Verifications that also checked every reference count against the
  // graph (ref-count: collectors/ref_count_check.h).
  std::uint64_t count_checks = 0;
};

class HeapVerifier {
 public:
  // Returns a description of the first violation, or nothing. The world must
  // be stopped (or no mutator attached) and allocation buffers retired.
  std::optional<std::string> check(Heap& heap,
                                   std::optional<std::uint8_t> reachable_mark);

  const VerificationStats& stats() const { return stats_; }
  // A collector that checked its reference counts says so.
  void count_checked() { ++stats_.count_checks; }

 private:
  VerificationStats stats_;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_VERIFIER_H_
