// Loud aborts for broken GC invariants: these are gclab bugs, never input
// errors.
#ifndef GCLAB_HEAP_FATAL_H_
#define GCLAB_HEAP_FATAL_H_

#include <string_view>

namespace gclab {

[[noreturn]] void fatal(std::string_view message);

}  // namespace gclab

#endif  // GCLAB_HEAP_FATAL_H_
