// The --verify check of reference counts: every count recomputed from the
// graph and compared with the count kept. A count's references are the heap
// slots of every allocated object (reachable or not: a garbage cycle's
// members count each other) and the roots. Stuck counts are not compared:
// they stopped counting at the sticky limit.
//
// Call with the world stopped, allocation buffers retired, and every logged
// decrement applied; counts are exact only then.
#ifndef GCLAB_COLLECTORS_REF_COUNT_CHECK_H_
#define GCLAB_COLLECTORS_REF_COUNT_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>

#include "heap/heap.h"

namespace gclab {

// The first count that differs from the graph's, described; or nothing.
std::optional<std::string> check_reference_counts(Heap& heap,
                                                  std::uint32_t stuck_word);

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_REF_COUNT_CHECK_H_
