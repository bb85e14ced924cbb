// Size classes for segregated-fit allocation (the size-class allocator), in
// heap/ because the mutator's allocation fast path looks them up inline.
//
// The table is computed at compile time by the rule Go's runtime uses to
// build its own (mksizeclasses.go): classes grow by at most an eighth, so a
// request rounded up to its class wastes under 12.5% of the cell; each class
// gets the smallest span (in 8 KiB pages) whose tail, the part too small for
// one more cell, is at most an eighth of the span. Unlike Go, classes that
// fit as many cells into the same span are not merged: that saves table
// entries, not memory, and would let a class waste up to a quarter of a cell.
// Cells are multiples of the 8-byte granule (a 24-byte object, a header and
// one slot, gets a 24-byte cell), so one bit per granule (SideMarkBitmap)
// addresses every object.
//
// Class 0 stands for "large": objects over kMaxSmallObjectBytes get a span of
// their own.
#ifndef GCLAB_HEAP_SIZE_CLASSES_H_
#define GCLAB_HEAP_SIZE_CLASSES_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "heap/object.h"

namespace gclab {

inline constexpr std::size_t kPageBytes = 8192;
inline constexpr std::size_t kMaxSmallObjectBytes = 32768;
inline constexpr std::size_t kCellAlignment = kGranuleBytes;
inline constexpr std::size_t kLargeSizeClass = 0;

namespace size_classes_internal {

inline constexpr std::size_t kMaxClasses = 128;
inline constexpr std::size_t kMaxSpanPages = 16;

struct Table {
  std::size_t count = 1;  // classes, including class 0 (large)
  std::array<std::uint32_t, kMaxClasses> cell_bytes{};
  std::array<std::uint8_t, kMaxClasses> span_pages{};
  // Indexed by object size in granules.
  std::array<std::uint8_t, kMaxSmallObjectBytes / kGranuleBytes + 1>
      class_of_granules{};
};

// The smallest span whose tail waste is at most an eighth of it.
constexpr std::size_t span_pages_for(std::size_t cell) {
  for (std::size_t pages = 1; pages < kMaxSpanPages; ++pages) {
    std::size_t span = pages * kPageBytes;
    if (span >= cell && span % cell <= span / 8) return pages;
  }
  return kMaxSpanPages;
}

constexpr Table make_table() {
  Table table;
  std::size_t cell = kHeaderBytes;
  while (cell <= kMaxSmallObjectBytes) {
    table.cell_bytes[table.count] = static_cast<std::uint32_t>(cell);
    table.span_pages[table.count] =
        static_cast<std::uint8_t>(span_pages_for(cell));
    ++table.count;
    if (cell == kMaxSmallObjectBytes) break;
    std::size_t step = cell / 8 / kCellAlignment * kCellAlignment;
    cell += step > kCellAlignment ? step : kCellAlignment;
    if (cell > kMaxSmallObjectBytes) cell = kMaxSmallObjectBytes;
  }
  std::size_t size_class = 1;
  for (std::size_t granules = 0; granules < table.class_of_granules.size();
       ++granules) {
    while (table.cell_bytes[size_class] < granules * kGranuleBytes) {
      ++size_class;
    }
    table.class_of_granules[granules] = static_cast<std::uint8_t>(size_class);
  }
  return table;
}

inline constexpr Table kTable = make_table();

}  // namespace size_classes_internal

// Classes including class 0; the per-mutator caches have this many runs.
inline constexpr std::size_t kSizeClassCount =
    size_classes_internal::kTable.count;

// `bytes` is an object size (a multiple of kGranuleBytes, at most
// kMaxSmallObjectBytes).
constexpr std::size_t size_class_of(std::size_t bytes) {
  return size_classes_internal::kTable.class_of_granules[bytes / kGranuleBytes];
}
constexpr std::size_t size_class_cell_bytes(std::size_t size_class) {
  return size_classes_internal::kTable.cell_bytes[size_class];
}
constexpr std::size_t size_class_span_pages(std::size_t size_class) {
  return size_classes_internal::kTable.span_pages[size_class];
}
// What an object of `bytes` occupies: its cell, or whole pages when large.
constexpr std::size_t size_class_footprint(std::size_t bytes) {
  return bytes <= kMaxSmallObjectBytes
             ? size_class_cell_bytes(size_class_of(bytes))
             : align_up(bytes, kPageBytes);
}

}  // namespace gclab

#endif  // GCLAB_HEAP_SIZE_CLASSES_H_
