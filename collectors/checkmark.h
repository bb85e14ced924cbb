// Checkmark: an independent re-mark that checks a concurrent mark (Go's
// GODEBUG=gccheckmark=1), run by --verify at the end of every concurrent
// mark with the world stopped, before anything is swept.
//
// It marks from the roots into a side bitmap of its own (a GranuleBitmap,
// cleared every time), sequentially and with no barrier to rely on,
// and reports the first object it reaches that the concurrent mark left
// without the cycle's epoch: an object the sweep would free although it is
// reachable. It also measures what is reachable, so that the collector can
// tell floating garbage (marked, or allocated black, but no longer
// reachable) from live data.
#ifndef GCLAB_COLLECTORS_CHECKMARK_H_
#define GCLAB_COLLECTORS_CHECKMARK_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "heap/granule_bitmap.h"
#include "heap/object.h"

namespace gclab {

class Checkmark {
 public:
  explicit Checkmark(std::span<std::byte> arena);

  // World stopped. Returns a description of the first reachable object not
  // marked `epoch` (or of a reference outside the heap), or nothing.
  std::optional<std::string> check(std::span<Object* const> roots,
                                   std::uint8_t epoch);

  // Of the last check: the bytes of every object reachable from the roots.
  std::size_t reachable_bytes() const { return reachable_bytes_; }

 private:
  // Sets the object's bit; false if it was set already.
  bool visit(Object* object);

  GranuleBitmap visited_;
  std::vector<Object*> stack_;
  std::size_t reachable_bytes_ = 0;
};

}  // namespace gclab

#endif  // GCLAB_COLLECTORS_CHECKMARK_H_
