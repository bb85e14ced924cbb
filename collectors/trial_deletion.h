// TrialDeletion: synchronous cycle collection for reference counting (Bacon &
// Rajan 2001, "Concurrent cycle collection in reference counted systems",
// section 3), run with the world stopped over the buffer of possible cycle
// roots: objects whose count fell to a non-zero value (purple).
//
//   mark-grey     from each purple candidate, subtract the references
//                 internal to the subgraph it reaches (every edge between
//                 grey objects), colouring the subgraph grey;
//   scan          what still has a count is referenced from outside (a
//                 root, an object not reached): it and everything it reaches
//                 turns black again, its edges counted back (scan-black);
//                 the rest turns white;
//   collect-white the white objects are garbage cycles, and what hangs only
//                 from them: freed.
// Every walk is iterative, over explicit stacks, so a long list costs no
// native stack. White objects are freed only once all are found, because a
// freed object's header is the allocator's and no longer says white.
//
// Sticky counts (heap/ref_count_word.h) are neither subtracted nor restored,
// so a stuck object always looks externally referenced: it and what it
// reaches stay, to be reclaimed, if at all, by a backup trace.
//
// Candidates whose count is zero were released by the counting already
// (their slots cleared) and left for this buffer to free, so that the buffer
// never points at freed memory; they are freed here.
//
// Design note: docs/design.md#reference-counting.
#ifndef GCLAB_COLLECTORS_TRIAL_DELETION_H_
#define GCLAB_COLLECTORS_TRIAL_DELETION_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "heap/object.h"

namespace gclab {

class TrialDeletion {
 public:
  explicit TrialDeletion(std::uint32_t stuck_word) : stuck_word_(stuck_word) {}

  struct Freed {
    // Released by counting earlier, freed from the buffer now.
    std::vector<Object*> released;
    // Members of garbage cycles and what only they reached.
    std::vector<Object*> cyclic;
  };

  // Empties `candidates` and says what to free; the caller frees it (the
  // objects are still allocated, their slots intact).
  Freed collect(std::vector<Object*>& candidates);

 private:
  void mark_grey(Object* object);
  void scan(Object* object);
  void scan_black(Object* object);
  void collect_white(Object* object, std::vector<Object*>& whites);
  bool stuck(std::uint32_t word) const { return word >= stuck_word_; }

  const std::uint32_t stuck_word_;
  std::vector<Object*> stack_;
  std::vector<Object*> black_stack_;
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_TRIAL_DELETION_H_
