#include "allocators/registry.h"

#include <string>

#include "allocators/bump_allocator.h"
#include "allocators/free_list_allocator.h"
#include "allocators/size_class_allocator.h"
#include "allocators/tlsf_allocator.h"
#include "heap/component_table.h"
#include "heap/errors.h"

namespace gclab {
namespace {

const AllocatorEntry kAllocators[] = {
    {"bump",
     "contiguous arena, bump pointer with per-mutator TLABs; reclaims "
     "only by compaction",
     BumpAllocator::kCapabilities, BumpAllocator::kParams,
     &BumpAllocator::create},
    {"free-list",
     "contiguous arena, address-ordered free list with "
     "first/next/best fit and coalescing",
     FreeListAllocator::kCapabilities, FreeListAllocator::kParams,
     &FreeListAllocator::create},
    {"size-class",
     "Go-style segregated fits: 64 size classes up to 32K in spans of 8K "
     "pages, per-mutator runs of free cells, central span lists, a page "
     "heap; side mark/allocation bitmaps, lazy or parallel bitmap sweep",
     SizeClassAllocator::kCapabilities, SizeClassAllocator::kParams,
     &SizeClassAllocator::create},
    {"tlsf",
     "two-level segregated fit (Masmano et al. 2004): O(1) allocate and "
     "free over bitmap-indexed lists, immediate coalescing",
     TlsfAllocator::kCapabilities, TlsfAllocator::kParams,
     &TlsfAllocator::create},
};

}  // namespace

std::span<const AllocatorEntry> allocator_registry() { return kAllocators; }

const AllocatorEntry& find_allocator(std::string_view name) {
  return find_component<AllocatorEntry>(kAllocators, name, "allocator");
}

}  // namespace gclab
