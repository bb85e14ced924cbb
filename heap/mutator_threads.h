// Runs mutators on threads of their own: each thread attaches a Mutator to
// the heap, runs its body and detaches. The first exception ends the run in
// every other mutator (Heap::abort_run: their next safepoint throws
// RunAborted), so the error reported is the one that came first, not its
// consequences. The harness's runner and the tests both run workloads this
// way.
#ifndef GCLAB_HEAP_MUTATOR_THREADS_H_
#define GCLAB_HEAP_MUTATOR_THREADS_H_

#include <exception>
#include <functional>

#include "heap/heap.h"
#include "heap/mutator.h"

namespace gclab {

// Runs `body(mutator, index)` for index 0 .. mutators-1, each on its own
// thread and Mutator (whose Mutator::index is `index`), and returns once all
// have finished: the first error, or null when every body returned.
std::exception_ptr run_mutator_threads(
    Heap& heap, int mutators,
    const std::function<void(Mutator&, int index)>& body);

}  // namespace gclab

#endif  // GCLAB_HEAP_MUTATOR_THREADS_H_
