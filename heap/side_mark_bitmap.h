// SideMarkBitmap: mark bits kept beside the heap, one per 8-byte granule of
// an arena, for allocators that sweep with bitmaps (the size-class
// allocator; Go's gcmarkBits).
//
// Collectors keep marking headers (Object::try_mark) and every reader of
// marks reads headers; an allocator that offers a side bitmap
// (Allocator::side_marks) also gets the bit of every object marked or
// allocated black, set by whoever marks it (the drain that wins the header
// race, or the allocating mutator). Its sweep then reads only bitmaps, never
// the dead objects' memory. The allocator clears the bits of a span as it
// sweeps it, so that all bits are clear again before the next mark begins.
//
// Marking threads and allocating mutators set bits of the same words, so
// the bitmap is atomic (a relaxed fetch_or per mark; heap/bitmap.h), and a
// free may clear a bit whose mark may still be read (clear says whether it
// was set).
//
// Design note: docs/design.md#mark-epochs-and-side-mark-bits.
#ifndef GCLAB_HEAP_SIDE_MARK_BITMAP_H_
#define GCLAB_HEAP_SIDE_MARK_BITMAP_H_

#include "heap/granule_bitmap.h"

namespace gclab {

using SideMarkBitmap = AtomicGranuleBitmap;

}  // namespace gclab

#endif  // GCLAB_HEAP_SIDE_MARK_BITMAP_H_
