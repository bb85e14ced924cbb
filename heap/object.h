// The object model: every block in a gclab heap starts with a 16-byte header.
//
// A heap is *parseable*: walking from the start of an allocator's arena, each
// block's first word gives its size, so every allocator can be walked block by
// block (objects, free blocks and fillers alike). The verifier, the sweepers
// and the compactor all rely on this.
//
//   word 0: granules (u32) | kind (u8) | unused (u8) | mark (u8) | age (u8)
//   word 1: num_refs (u16) | site (u16) | gc_word (atomic u32)
// then num_refs reference slots (Object*, 8 bytes each), then payload bytes.
// `age` counts the collections the object survived, saturating at 255. A
// sweep that reads objects (allocators/arena_sweep.h) ages each survivor as
// it passes it, and a compactor each object it keeps; where the sweep never
// reads objects (an allocator with side mark bits), the marker that wins
// the mark ages it in the same compare-and-swap, mark and age being one
// aligned 16-bit atomic. So once the last cycle's sweep is finished, every
// allocator gives the same ages (during a lazy sweep, what it has not
// reached yet lags by one). Aging at the mark under every allocator was
// measured first: it cost the concurrent collector over the free list 7% of
// its wall time on GCBench, where the sweep's store is free.
//
// Sizes are counted in 8-byte granules, so an object may be up to 32 GiB and a
// heap's blocks never need more than 32 bits. An 8-byte filler uses word 0
// only; that is what lets allocators split blocks at any granule.
//
// Reference slots are accessed atomically because a concurrent marker may read
// a slot while a mutator writes it (see load_slot). Slots are read and written
// through `Mutator` so that barriers see every store; payload bytes are plain
// memory that belongs to the workload.
//
// Design note: docs/design.md#objects.
#ifndef GCLAB_HEAP_OBJECT_H_
#define GCLAB_HEAP_OBJECT_H_

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace gclab {

inline constexpr std::size_t kGranuleBytes = 8;
inline constexpr std::size_t kHeaderBytes = 16;
inline constexpr std::size_t kSlotBytes = sizeof(void*);
inline constexpr std::size_t kMaxRefs = UINT16_MAX;
// The most a 32-bit granule count spans: the largest block, and so the
// largest contiguous heap (its first block covers it all; mark-compact's
// forwarding offsets are granule counts too).
inline constexpr std::size_t kMaxGranuleSpanBytes =
    std::size_t{UINT32_MAX} * kGranuleBytes;

constexpr std::size_t align_up(std::size_t bytes, std::size_t alignment) {
  return (bytes + alignment - 1) & ~(alignment - 1);
}

// What a block is. Only `kObject` blocks are allocated objects; the others
// exist so that the heap stays parseable.
enum class BlockKind : std::uint8_t {
  kObject = 1,
  kFree = 2,    // a free block: word 1 holds the free-list link
  kFiller = 3,  // dead space too small or too transient for a free list
};

// Mark values: collectors flip between two epochs so that marks never need
// clearing; `kUnmarked` is what a new object gets unless allocated black.
inline constexpr std::uint8_t kUnmarked = 0;

// What a workload asks for: reference slots, payload bytes and the allocation
// site the object is attributed to in census and leak reports.
struct ObjectShape {
  std::uint16_t site = 0;
  std::uint16_t num_refs = 0;
  std::uint32_t payload_bytes = 0;

  constexpr std::size_t size_bytes() const {
    return align_up(kHeaderBytes + num_refs * kSlotBytes + payload_bytes,
                    kGranuleBytes);
  }
};

class Object {
 public:
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  std::size_t size_bytes() const { return granules_ * kGranuleBytes; }
  BlockKind kind() const { return kind_; }
  bool is_object() const { return kind_ == BlockKind::kObject; }
  std::uint16_t num_refs() const { return num_refs_; }
  std::uint16_t site() const { return site_; }
  std::uint8_t age() const {
    return mark_and_age_.load(std::memory_order_relaxed) >> 8;
  }
  std::size_t payload_bytes() const {
    return size_bytes() - kHeaderBytes - num_refs_ * kSlotBytes;
  }

  std::byte* address() { return reinterpret_cast<std::byte*>(this); }
  const std::byte* address() const {
    return reinterpret_cast<const std::byte*>(this);
  }
  Object* next_block() {
    return reinterpret_cast<Object*>(address() + size_bytes());
  }

  // Slot access for collectors. Mutators go through Mutator::read/write.
  std::atomic_ref<Object*> slot(std::size_t index) {
    return std::atomic_ref<Object*>(slots()[index]);
  }
  // Release stores and acquire loads, so that whoever finds an object
  // through a slot (a concurrent marker, another mutator) also sees the
  // header and zeroed slots its allocator wrote. On x86-64 both are plain
  // moves.
  Object* load_slot(std::size_t index) {
    return slot(index).load(std::memory_order_acquire);
  }
  void store_slot(std::size_t index, Object* value) {
    slot(index).store(value, std::memory_order_release);
  }
  Object** slots() {
    return reinterpret_cast<Object**>(address() + kHeaderBytes);
  }

  std::span<std::byte> payload() {
    return {address() + kHeaderBytes + num_refs_ * kSlotBytes, payload_bytes()};
  }
  template <typename T>
  T* payload_as() {
    return reinterpret_cast<T*>(payload().data());
  }

  // Mark bits. `try_mark` is safe to race: exactly one marker wins.
  // `try_mark_and_age` also ages the object in the same compare-and-swap,
  // for allocators whose sweep never reads objects (see the top of this
  // file).
  std::uint8_t mark() const {
    return mark_and_age_.load(std::memory_order_relaxed) & 0xFF;
  }
  bool is_marked(std::uint8_t epoch) const { return mark() == epoch; }
  bool try_mark(std::uint8_t epoch) { return mark_with(epoch, 0); }
  bool try_mark_and_age(std::uint8_t epoch) { return mark_with(epoch, 1); }
  // One collection more survived, by a sweep or a compactor that passes the
  // object; only while no marker runs.
  void survive_collection() {
    std::uint16_t old = mark_and_age_.load(std::memory_order_relaxed);
    if ((old >> 8) < UINT8_MAX) {
      mark_and_age_.store(static_cast<std::uint16_t>(old + 0x100),
                          std::memory_order_relaxed);
    }
  }
  // Sets the mark, keeping the age; only where no marker runs (tests).
  void set_mark(std::uint8_t value) {
    std::uint16_t old = mark_and_age_.load(std::memory_order_relaxed);
    mark_and_age_.store(static_cast<std::uint16_t>((old & 0xFF00) | value),
                        std::memory_order_relaxed);
  }

  // The collector's word: a forwarding address (in granules from the arena
  // base) for compaction, a reference count for RC.
  std::atomic<std::uint32_t>& gc_word() { return gc_word_; }

  // Formats `bytes` at `at` as a fresh object; slots and payload are zeroed.
  // Hot path: inlined into Mutator::allocate.
  static Object* format(std::byte* at, std::size_t bytes, ObjectShape shape,
                        std::uint8_t mark) {
    write_header(at, bytes, shape, mark);
    __builtin_memset(at + kHeaderBytes, 0, bytes - kHeaderBytes);
    return reinterpret_cast<Object*>(at);
  }

  // The header and zeroed slots, the payload left as it was: all that a
  // collector looks at. A large object's payload is zeroed afterwards, in
  // steps between safepoint polls (Mutator::allocate_slow).
  static Object* format_all_but_payload(std::byte* at, std::size_t bytes,
                                        ObjectShape shape, std::uint8_t mark) {
    write_header(at, bytes, shape, mark);
    __builtin_memset(at + kHeaderBytes, 0, shape.num_refs * kSlotBytes);
    return reinterpret_cast<Object*>(at);
  }

  // Formats dead space so the heap stays parseable: a free block (with a link
  // word) when there is room for one, a filler otherwise.
  static void format_dead(std::byte* at, std::size_t bytes, BlockKind kind) {
    auto* block = reinterpret_cast<Object*>(at);
    block->granules_ = static_cast<std::uint32_t>(bytes / kGranuleBytes);
    block->kind_ = kind;
    block->mark_and_age_.store(kUnmarked, std::memory_order_relaxed);
  }
  static void format_filler(std::byte* at, std::size_t bytes) {
    format_dead(at, bytes, BlockKind::kFiller);
  }

  // Free blocks keep their free-list link in word 1.
  Object*& free_link() { return *reinterpret_cast<Object**>(address() + 8); }

 private:
  Object() = default;

  // Two composed 64-bit stores instead of one store per field: the header is
  // written once, before the object is published, so no field needs its own
  // (atomic) store here.
  static void write_header(std::byte* at, std::size_t bytes, ObjectShape shape,
                           std::uint8_t mark) {
    const std::uint64_t words[2] = {
        bytes / kGranuleBytes |
            std::uint64_t{static_cast<std::uint8_t>(BlockKind::kObject)} << 32 |
            std::uint64_t{mark} << 48,
        std::uint64_t{shape.num_refs} | std::uint64_t{shape.site} << 16};
    __builtin_memcpy(at, words, sizeof words);
  }

  // Sets the mark to `epoch` and adds `aging` (0 or 1) to the age, unless
  // the mark is `epoch` already; whether this call set it.
  bool mark_with(std::uint8_t epoch, std::uint16_t aging) {
    std::uint16_t old = mark_and_age_.load(std::memory_order_relaxed);
    std::uint16_t marked;
    do {
      if ((old & 0xFF) == epoch) return false;
      std::uint16_t age = old >> 8;
      if (age == UINT8_MAX) aging = 0;
      marked = static_cast<std::uint16_t>(epoch | (age + aging) << 8);
    } while (!mark_and_age_.compare_exchange_weak(old, marked,
                                                  std::memory_order_relaxed));
    return true;
  }

  std::uint32_t granules_;
  BlockKind kind_;
  // One byte of padding: unused.
  std::atomic<std::uint16_t> mark_and_age_;  // mark: low byte, age: high
  std::uint16_t num_refs_;
  std::uint16_t site_;
  std::atomic<std::uint32_t> gc_word_;
};

static_assert(sizeof(Object) == kHeaderBytes, "the header is two words");
static_assert(std::endian::native == std::endian::little,
              "Object::format composes the header words little-endian");

// A zero-sized block would make a walk loop forever: an allocator bug.
[[noreturn]] void report_zero_sized_block(const std::byte* at);

// Visits every object among the blocks tiling [begin, end), in address
// order, skipping free blocks and fillers. Each block's size is read before
// the visit, which may move or overwrite the object (a sliding compactor
// does). Allocator::for_each_object is this walk over an allocator's
// parseable range.
template <typename Visit>
void for_each_object_in(std::byte* begin, std::byte* end, Visit&& visit) {
  for (std::byte* at = begin; at < end;) {
    auto* block = reinterpret_cast<Object*>(at);
    std::size_t size = block->size_bytes();
    if (size == 0) [[unlikely]] {
      report_zero_sized_block(at);
    }
    if (block->is_object()) visit(block);
    at += size;
  }
}

// Smallest block that can sit on a free list (header word + link word).
inline constexpr std::size_t kMinFreeBlockBytes = 16;

// Freed memory is filled with this byte in verify mode, so that a reachable
// pointer into freed memory shows up as an insane header.
inline constexpr std::byte kPoisonByte{0xDB};

}  // namespace gclab

#endif  // GCLAB_HEAP_OBJECT_H_
