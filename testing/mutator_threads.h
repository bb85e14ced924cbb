// Tests run mutators as the harness does (heap/mutator_threads.h) and want
// the first error as text to compare with "".
#ifndef GCLAB_TESTING_MUTATOR_THREADS_H_
#define GCLAB_TESTING_MUTATOR_THREADS_H_

#include <functional>
#include <string>

#include "heap/heap.h"
#include "heap/mutator.h"

namespace gclab::testing {

// gclab::run_mutator_threads, returning the first error's message, or empty
// when every body returned.
std::string run_mutator_threads(
    Heap& heap, int mutators,
    const std::function<void(Mutator&, int index)>& body);

}  // namespace gclab::testing

#endif  // GCLAB_TESTING_MUTATOR_THREADS_H_
