// Runs mutators on threads of their own, as the harness's runner does: each
// thread attaches a Mutator to the heap, runs its body and detaches; the
// first exception ends the run in every other mutator (Heap::abort_run), so
// a test sees the failure that came first, not its consequences.
#ifndef GCLAB_TESTING_MUTATOR_THREADS_H_
#define GCLAB_TESTING_MUTATOR_THREADS_H_

#include <functional>
#include <string>

#include "heap/heap.h"
#include "heap/mutator.h"

namespace gclab::testing {

// Runs `body(mutator, index)` for index 0 .. mutators-1, each on its own
// thread and Mutator, and returns once all have finished: the first error's
// message, or empty when every body returned.
std::string run_mutator_threads(
    Heap& heap, int mutators,
    const std::function<void(Mutator&, int index)>& body);

}  // namespace gclab::testing

#endif  // GCLAB_TESTING_MUTATOR_THREADS_H_
