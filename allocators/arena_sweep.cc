#include "allocators/arena_sweep.h"

namespace gclab {

void ArenaSweep::start(std::uint8_t live_mark, std::size_t live_bytes,
                       bool poison) {
  if (cursor_ != nullptr) {
    fatal(std::string(owner_) +
          ": a sweep began while a lazy sweep was in progress");
  }
  cursor_ = begin_;
  live_mark_ = live_mark;
  poison_ = poison;
  unswept_live_bytes_ = live_bytes;
  totals_ = {};
}

void ArenaSweep::free_unswept(Object* object, bool poison) {
  const std::size_t size = object->size_bytes();
  if (object->mark() == live_mark_) {
    unswept_live_bytes_ -= std::min(size, unswept_live_bytes_);
  }
  if (poison) {
    poison_range(object->address() + kMinFreeBlockBytes,
                 size - kMinFreeBlockBytes);
  }
}

void ArenaSweep::fail_on_zero_sized_block() const {
  fatal(std::string(owner_) + ": zero-sized block in the sweep");
}

}  // namespace gclab
