// A contiguous range of address space reserved up front for one heap (like
// -Xmx): pages are committed by the kernel on first touch. RAII: unmapped on
// destruction.
#ifndef GCLAB_HEAP_ARENA_H_
#define GCLAB_HEAP_ARENA_H_

#include <cstddef>
#include <span>

namespace gclab {

// Commits every page of `memory` at once, keeping its contents, so that no
// first touch faults later: gclab run --pretouch does this to a heap before
// the run's clock starts, like HotSpot's -XX:+AlwaysPreTouch. Asks the kernel
// to populate the pages writable (MADV_POPULATE_WRITE, Linux 5.14) and, where
// it cannot, writes each page's first byte back to itself.
void pretouch(std::span<std::byte> memory);

class Arena {
 public:
  explicit Arena(std::size_t bytes);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  std::byte* begin() const { return base_; }
  std::byte* end() const { return base_ + bytes_; }
  std::size_t size() const { return bytes_; }
  bool contains(const void* p) const {
    auto* b = static_cast<const std::byte*>(p);
    return b >= base_ && b < base_ + bytes_;
  }
  std::span<std::byte> bytes() const { return {base_, bytes_}; }
  // Commits every page now (see pretouch below).
  void pretouch() const { gclab::pretouch(bytes()); }

 private:
  std::byte* base_;
  std::size_t bytes_;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_ARENA_H_
