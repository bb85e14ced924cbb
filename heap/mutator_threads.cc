#include "heap/mutator_threads.h"

#include <mutex>
#include <thread>
#include <vector>

#include "heap/errors.h"

namespace gclab {

std::exception_ptr run_mutator_threads(
    Heap& heap, int mutators,
    const std::function<void(Mutator&, int index)>& body) {
  std::mutex mutex;
  std::exception_ptr first_error;
  {
    std::vector<std::jthread> threads;
    for (int index = 0; index < mutators; ++index) {
      threads.emplace_back([&, index] {
        try {
          Mutator mutator(heap, index);
          body(mutator, index);
        } catch (const RunAborted&) {
          // Another mutator failed first; its error is the one reported.
        } catch (...) {
          std::lock_guard lock(mutex);
          if (!first_error) first_error = std::current_exception();
          heap.abort_run();
        }
      });
    }
  }
  return first_error;
}

}  // namespace gclab
