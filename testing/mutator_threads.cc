#include "testing/mutator_threads.h"

#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "heap/errors.h"

namespace gclab::testing {

std::string run_mutator_threads(
    Heap& heap, int mutators,
    const std::function<void(Mutator&, int index)>& body) {
  std::mutex mutex;
  std::string error;
  {
    std::vector<std::jthread> threads;
    for (int index = 0; index < mutators; ++index) {
      threads.emplace_back([&, index] {
        try {
          Mutator mutator(heap);
          body(mutator, index);
        } catch (const RunAborted&) {
          // Another mutator failed first; its error is the one reported.
        } catch (const std::exception& failure) {
          std::lock_guard lock(mutex);
          if (error.empty()) error = failure.what();
          heap.abort_run();
        }
      });
    }
  }
  return error;
}

}  // namespace gclab::testing
