#include "testing/mutator_threads.h"

#include <exception>

#include "heap/mutator_threads.h"

namespace gclab::testing {

std::string run_mutator_threads(
    Heap& heap, int mutators,
    const std::function<void(Mutator&, int index)>& body) {
  std::exception_ptr error = gclab::run_mutator_threads(heap, mutators, body);
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& failure) {
    return failure.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace gclab::testing
