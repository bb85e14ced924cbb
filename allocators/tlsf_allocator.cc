#include "allocators/tlsf_allocator.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "heap/errors.h"
#include "heap/fatal.h"

namespace gclab {
namespace {

// A dead block's last word holds its size in granules in its low 32 bits.
// An 8-byte filler's header already does (its first field is the granule
// count), so only longer blocks get a word written.
void write_footer(std::byte* start, std::size_t bytes) {
  if (bytes > kGranuleBytes) {
    const std::uint64_t granules = bytes / kGranuleBytes;
    std::memcpy(start + bytes - kGranuleBytes, &granules, sizeof granules);
  }
}

std::size_t read_footer_bytes(const std::byte* end) {
  std::uint32_t granules;
  std::memcpy(&granules, end - kGranuleBytes, sizeof granules);
  return std::size_t{granules} * kGranuleBytes;
}

int highest_bit(std::uint32_t bits) { return std::bit_width(bits) - 1; }

}  // namespace

struct TlsfAllocator::SweepRuns {
  TlsfAllocator& allocator;
  std::size_t listed_before = 0;  // of the first run, bytes already listed

  // The boundary bits find dead space freed or retired just below the
  // cursor; it leaves its list and loses its bits until the run is closed.
  std::byte* take_dead_below(std::byte* cursor) {
    Object* below = allocator.dead_block_before(cursor);
    if (below == nullptr) return nullptr;
    if (below->kind() == BlockKind::kFree) {
      listed_before = below->size_bytes();
      allocator.remove_locked(below);
    }
    allocator.clear_boundary_bits(below->address(), below->size_bytes());
    return below->address();
  }
  // A footer was written, so its page is touched already: poisoning it
  // faults nothing in.
  void pass_dead(std::byte* at, std::size_t bytes, bool poison) {
    allocator.clear_boundary_bits(at, bytes);
    if (poison && bytes > kMinFreeBlockBytes) {
      poison_range(at + bytes - kGranuleBytes, kGranuleBytes);
    }
  }
  std::size_t close_run(std::byte* start, std::size_t bytes) {
    allocator.make_dead_locked(start, bytes);
    const std::size_t added =
        bytes >= kMinListedBytes ? bytes - listed_before : 0;
    listed_before = 0;
    return added;
  }
  void publish_free_bytes() { allocator.publish_free_bytes_locked(); }
};

template class ArenaSweptAllocator<TlsfAllocator>;

TlsfAllocator::ListIndex TlsfAllocator::list_of_block(std::size_t bytes) {
  const std::size_t granules = bytes / kGranuleBytes;
  if (granules < kSecondLevelCount) {
    return {0, static_cast<int>(granules)};
  }
  const int log2 = std::bit_width(granules) - 1;
  return {log2 - kSecondLevelLog2 + 1,
          static_cast<int>((granules >> (log2 - kSecondLevelLog2)) -
                           kSecondLevelCount)};
}

std::optional<TlsfAllocator::ListIndex> TlsfAllocator::list_of_request(
    std::size_t bytes) {
  std::size_t granules = (bytes + kGranuleBytes - 1) / kGranuleBytes;
  if (granules >= kSecondLevelCount) {
    // Up to the next list boundary: the width of a second-level list in
    // this power-of-two range, less one.
    const int log2 = std::bit_width(granules) - 1;
    granules += (std::size_t{1} << (log2 - kSecondLevelLog2)) - 1;
  }
  ListIndex index = list_of_block(granules * kGranuleBytes);
  if (index.first >= kFirstLevelCount) return std::nullopt;
  return index;
}

TlsfAllocator::TlsfAllocator(std::size_t heap_bytes, std::size_t chunk_bytes)
    : ArenaSweptAllocator("tlsf allocator", heap_bytes, chunk_bytes,
                          kMinListedBytes),
      boundary_bits_(arena_.bytes()) {
  const std::size_t usable = end_ - arena_.begin();
  std::lock_guard lock(mutex_);
  clear_lists_locked();
  make_dead_locked(arena_.begin(), usable);
  publish_free_bytes_locked();
}

std::unique_ptr<Allocator> TlsfAllocator::create(std::size_t heap_bytes,
                                                 const ParamValues& params) {
  return std::make_unique<TlsfAllocator>(heap_bytes, params.get_size("chunk"));
}

void TlsfAllocator::insert_locked(Object* block) {
  ++list_operations_;
  const ListIndex index = list_of_block(block->size_bytes());
  std::uint32_t& head = heads_[index.first][index.second];
  const std::uint32_t offset = offset_of(block);
  const bool empty = (second_level_map_[index.first] >> index.second & 1) == 0;
  links(block) = Links{.next = empty ? kNoBlock : head, .prev = kNoBlock};
  if (!empty) links(block_at(head)).prev = offset;
  head = offset;
  second_level_map_[index.first] |= std::uint32_t{1} << index.second;
  first_level_map_ |= std::uint32_t{1} << index.first;
  ++free_blocks_;
  list_bytes_ += block->size_bytes();
}

void TlsfAllocator::remove_locked(Object* block) {
  ++list_operations_;
  const ListIndex index = list_of_block(block->size_bytes());
  const Links link = links(block);
  if (link.prev != kNoBlock) {
    links(block_at(link.prev)).next = link.next;
  } else {
    heads_[index.first][index.second] = link.next;
    if (link.next == kNoBlock) {
      second_level_map_[index.first] &= ~(std::uint32_t{1} << index.second);
      if (second_level_map_[index.first] == 0) {
        first_level_map_ &= ~(std::uint32_t{1} << index.first);
      }
    }
  }
  if (link.next != kNoBlock) links(block_at(link.next)).prev = link.prev;
  --free_blocks_;
  list_bytes_ -= block->size_bytes();
}

// Masmano's find_suitable_block: the rest of `from`'s first level, then the
// first non-empty first level above it, each one find-first-set.
Object* TlsfAllocator::search_locked(ListIndex from) {
  ++list_operations_;
  int first = from.first;
  std::uint32_t seconds =
      second_level_map_[first] & (~std::uint32_t{0} << from.second);
  if (seconds == 0) {
    const std::uint32_t firsts =
        first_level_map_ & (~std::uint32_t{0} << (first + 1));
    if (firsts == 0) return nullptr;
    first = std::countr_zero(firsts);
    seconds = second_level_map_[first];
  }
  return block_at(heads_[first][std::countr_zero(seconds)]);
}

Object* TlsfAllocator::find_locked(std::size_t bytes) {
  const std::optional<ListIndex> request = list_of_request(bytes);
  if (request) {
    if (Object* block = search_locked(*request)) return block;
  }
  // The request's own list holds blocks on both sides of its size; its head
  // is worth one look before giving up.
  const ListIndex own = list_of_block(bytes);
  if (own.first >= kFirstLevelCount || (request && *request == own)) {
    return nullptr;
  }
  ++list_operations_;
  if ((second_level_map_[own.first] >> own.second & 1) == 0) return nullptr;
  Object* head = block_at(heads_[own.first][own.second]);
  return head->size_bytes() >= bytes ? head : nullptr;
}

// Every block on a lower list is smaller than the highest list's smallest,
// so when its head does not hold `bytes`, only its other blocks might: not
// worth a walk for a buffer.
Object* TlsfAllocator::find_smaller_locked(std::size_t bytes) {
  ++list_operations_;
  if (first_level_map_ == 0) return nullptr;
  const int first = highest_bit(first_level_map_);
  const int second = highest_bit(second_level_map_[first]);
  Object* head = block_at(heads_[first][second]);
  return head->size_bytes() >= bytes ? head : nullptr;
}

Object* TlsfAllocator::find_last_resort_locked(std::size_t bytes) {
  const ListIndex own = list_of_block(bytes);
  if (own.first >= kFirstLevelCount ||
      (second_level_map_[own.first] >> own.second & 1) == 0) {
    return nullptr;
  }
  for (std::uint32_t offset = heads_[own.first][own.second]; offset != kNoBlock;
       offset = links(block_at(offset)).next) {
    ++list_operations_;
    if (block_at(offset)->size_bytes() >= bytes) return block_at(offset);
  }
  return nullptr;
}

std::span<std::byte> TlsfAllocator::take_locked(Object* block,
                                                std::size_t bytes,
                                                bool round_up) {
  std::byte* start = block->address();
  const std::size_t size = block->size_bytes();
  bytes = std::min(bytes, size);
  const std::size_t rest = size - bytes;
  remove_locked(block);
  clear_boundary_bits(start, size);
  std::size_t taken = bytes;
  if (rest >= kMinListedBytes || (rest > 0 && !round_up)) {
    // The rest keeps the block's end, so no dead block touches it: the
    // block was a maximal run of dead space.
    make_dead_locked(start + bytes, rest);
  } else {
    taken = size;
  }
  high_water_ =
      std::max(high_water_, start + (rest >= kMinListedBytes ? taken : size));
  publish_free_bytes_locked();
  return {start, taken};
}

void TlsfAllocator::retire_locked(AllocationBuffer& buffer) {
  if (buffer.remaining() > 0) {
    free_range_locked(buffer.cursor, buffer.remaining(), /*poison=*/false);
  }
  buffer = AllocationBuffer{};
}

void TlsfAllocator::make_dead_locked(std::byte* start, std::size_t bytes) {
  if (bytes >= kMinListedBytes) {
    Object::format_dead(start, bytes, BlockKind::kFree);
    insert_locked(reinterpret_cast<Object*>(start));
  } else {
    Object::format_filler(start, bytes);
  }
  write_footer(start, bytes);
  set_boundary_bits(start, bytes);
}

void TlsfAllocator::free_range_locked(std::byte* start, std::size_t bytes,
                                      bool poison) {
  // Everything freed here is poisoned, and so are the footer and the header
  // that vanish inside the merged block; its own header, links and footer
  // are written last.
  if (poison) poison_range(start, bytes);
  std::byte* merged_start = start;
  std::size_t merged_bytes = bytes;
  if (Object* before = dead_block_before(start)) {
    const std::size_t size = before->size_bytes();
    if (before->kind() == BlockKind::kFree) remove_locked(before);
    clear_boundary_bits(before->address(), size);
    if (poison) poison_range(start - kGranuleBytes, kGranuleBytes);
    merged_start = before->address();
    merged_bytes += size;
  }
  std::byte* after = start + bytes;
  if (after < sweep_.swept_end()) {
    if (Object* next = dead_block_at(after)) {
      const std::size_t size = next->size_bytes();
      if (next->kind() == BlockKind::kFree) remove_locked(next);
      clear_boundary_bits(after, size);
      if (poison) poison_range(after, std::min(size, kMinFreeBlockBytes));
      merged_bytes += size;
    }
  }
  make_dead_locked(merged_start, merged_bytes);
  publish_free_bytes_locked();
}

void TlsfAllocator::format_unswept_dead_locked(Object* object) {
  const std::size_t size = object->size_bytes();
  Object::format_dead(object->address(), size, BlockKind::kFiller);
  write_footer(object->address(), size);
  set_boundary_bits(object->address(), size);
}

void TlsfAllocator::set_boundary_bits(const std::byte* start,
                                      std::size_t bytes) {
  boundary_bits_.set(start);
  boundary_bits_.set(start + bytes - kGranuleBytes);
}

void TlsfAllocator::clear_boundary_bits(const std::byte* start,
                                        std::size_t bytes) {
  boundary_bits_.clear(start);
  boundary_bits_.clear(start + bytes - kGranuleBytes);
}

// The granule before `at` is the last of whatever block precedes it; its bit
// is set only if that block is dead, and then the block's footer is there.
Object* TlsfAllocator::dead_block_before(const std::byte* at) const {
  if (at == arena_.begin() || !boundary_bits_.test(at - kGranuleBytes)) {
    return nullptr;
  }
  return reinterpret_cast<Object*>(const_cast<std::byte*>(at) -
                                   read_footer_bytes(at));
}

Object* TlsfAllocator::dead_block_at(std::byte* at) const {
  if (at >= end_ || !boundary_bits_.test(at)) return nullptr;
  return reinterpret_cast<Object*>(at);
}

// The listed blocks' boundary bits stay until the sweep finds them again, so
// the bitmap still describes every dead block.
void TlsfAllocator::start_sweep_locked(std::uint8_t live_mark,
                                       std::size_t live_bytes, bool poison) {
  clear_lists_locked();
  sweep_.start(live_mark, live_bytes, poison);
}

void TlsfAllocator::reset_locked(std::byte* start) {
  sweep_.abandon();
  clear_lists_locked();
  // Below `start` only live objects remain, and every dead block that ever
  // existed began at or below the high-water mark (memory above it was
  // never split) and ended there or at the arena's end. So clearing the bits
  // up to the mark and the last granule's clears them all, touching no more
  // of the bitmap than the heap has touched of the arena.
  const std::size_t last_granule = granule_index(end_) - 1;
  const std::size_t top_granule =
      std::min(granule_index(std::max(high_water_, start)), last_granule);
  boundary_bits_.bits().clear_range(0, top_granule + 1);
  boundary_bits_.bits().clear(last_granule);
  if (start < end_) make_dead_locked(start, end_ - start);
  publish_free_bytes_locked();
}

void TlsfAllocator::clear_lists_locked() {
  first_level_map_ = 0;
  second_level_map_.fill(0);
  free_blocks_ = 0;
  list_bytes_ = 0;
}

// The largest block is on the highest non-empty list; only that list is
// walked.
// Every block on a lower list is smaller than the highest list's smallest.
std::size_t TlsfAllocator::largest_free_block_locked() const {
  std::size_t largest = 0;
  if (first_level_map_ != 0) {
    const int first = highest_bit(first_level_map_);
    const int second = highest_bit(second_level_map_[first]);
    for (std::uint32_t offset = heads_[first][second]; offset != kNoBlock;
         offset = links(block_at(offset)).next) {
      largest = std::max(largest, block_at(offset)->size_bytes());
    }
  }
  return largest;
}

}  // namespace gclab
