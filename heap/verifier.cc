#include "heap/verifier.h"

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "heap/granule_bitmap.h"
#include "heap/heap.h"

namespace gclab {
namespace {

std::string hex(const void* p) {
  char text[24];
  std::snprintf(text, sizeof text, "%p", p);
  return text;
}

// Whether `p` starts one of the granules `bits` has bits for, as every block
// starts a granule (the arena's base is page-aligned).
bool starts_granule(const GranuleBitmap& bits, const void* p) {
  return bits.contains(p) &&
         reinterpret_cast<std::uintptr_t>(p) % kGranuleBytes == 0;
}

class Walk {
 public:
  Walk(Heap& heap, std::optional<std::uint8_t> reachable_mark)
      : heap_(heap),
        reachable_mark_(reachable_mark),
        allocated_(heap.allocator().arena()),
        visited_(heap.allocator().arena()) {}

  std::optional<std::string> run() {
    std::span<std::byte> arena = heap_.allocator().arena();
    heap_.allocator().visit_objects([&](Object* object) {
      if (!error_ && object_error(object, arena)) {
        error_ = "allocator walk found a bad header at " + hex(object) + ": " +
                 *object_error(object, arena);
      }
      if (starts_granule(allocated_, object)) allocated_.set(object);
    });
    if (error_) return error_;
    heap_.for_each_root([&](Object** slot) {
      if (!error_) visit(*slot, {.root_slot = slot});
    });
    while (!error_ && !stack_.empty()) {
      Object* object = stack_.back();
      stack_.pop_back();
      for (std::size_t i = 0; i < object->num_refs() && !error_; ++i) {
        Object* child = object->load_slot(i);
        if (child != nullptr) visit(child, {.owner = object, .slot = i});
      }
    }
    return error_;
  }

  std::uint64_t objects_visited() const { return objects_visited_; }

 private:
  static std::optional<std::string> object_error(Object* object,
                                                 std::span<std::byte> arena) {
    if (object->kind() != BlockKind::kObject) return "not an object";
    if (object->size_bytes() < kHeaderBytes) return "size below a header";
    if (kHeaderBytes + object->num_refs() * kSlotBytes > object->size_bytes()) {
      return "reference slots overrun the object";
    }
    if (object->address() + object->size_bytes() >
        arena.data() + arena.size()) {
      return "object overruns the arena";
    }
    return std::nullopt;
  }

  // Where a reference was found: a root slot, or a slot of an object. Put
  // into words only for a violation, since the walk meets every slot.
  struct Referrer {
    Object** root_slot = nullptr;
    Object* owner = nullptr;
    std::size_t slot = 0;
  };

  std::string describe(const Referrer& referrer) {
    if (referrer.root_slot != nullptr)
      return "root slot " + hex(referrer.root_slot);
    return "slot " + std::to_string(referrer.slot) + " of object " +
           hex(referrer.owner) + " (site " + site_name(referrer.owner->site()) +
           ")";
  }

  std::string site_name(std::uint16_t site) {
    if (sites_.empty()) sites_ = heap_.site_names();
    return site < sites_.size() ? sites_[site] : std::to_string(site);
  }

  void visit(Object* object, const Referrer& referrer) {
    if (object == nullptr) return;
    if (!starts_granule(allocated_, object) || !allocated_.test(object)) {
      error_ = describe(referrer) + " points to " + hex(object) +
               ", which is not an allocated object (freed, poisoned, interior "
               "or outside the heap)";
      return;
    }
    if (visited_.test(object)) return;
    visited_.set(object);
    ++objects_visited_;
    if (reachable_mark_ && !object->is_marked(*reachable_mark_)) {
      error_ = describe(referrer) + " points to " + hex(object) + " (site " +
               site_name(object->site()) +
               "), which is reachable but was "
               "not marked";
      return;
    }
    stack_.push_back(object);
  }

  Heap& heap_;
  std::optional<std::uint8_t> reachable_mark_;
  GranuleBitmap allocated_;
  GranuleBitmap visited_;
  std::vector<Object*> stack_;
  std::vector<std::string> sites_;
  std::optional<std::string> error_;
  std::uint64_t objects_visited_ = 0;
};

}  // namespace

std::optional<std::string> HeapVerifier::check(
    Heap& heap, std::optional<std::uint8_t> reachable_mark) {
  Walk walk(heap, reachable_mark);
  std::optional<std::string> error = walk.run();
  ++stats_.heaps_verified;
  if (reachable_mark) ++stats_.mark_checks;
  stats_.objects_visited += walk.objects_visited();
  return error;
}

}  // namespace gclab
