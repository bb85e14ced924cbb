#include "allocators/allocator_test_util.h"

#include <algorithm>
#include <cstdint>
#include <thread>

namespace gclab::allocator_testing {

Object* allocate_object(Allocator& allocator, AllocationBuffer& buffer,
                        std::size_t bytes) {
  std::byte* at = buffer.cursor;
  if (bytes <= buffer.remaining()) {
    buffer.cursor += bytes;
  } else {
    at = allocator.allocate_slow(buffer, bytes);
    if (at == nullptr) return nullptr;
  }
  ObjectShape shape{.payload_bytes =
                        static_cast<std::uint32_t>(bytes - kHeaderBytes)};
  return Object::format(at, bytes, shape, kUnmarked);
}

std::vector<Object*> walk_objects(Allocator& allocator) {
  std::vector<Object*> objects;
  allocator.for_each_object([&](Object* object) { objects.push_back(object); });
  return objects;
}

std::vector<Block> walk_blocks(std::span<std::byte> range) {
  std::vector<Block> blocks;
  for (std::byte* at = range.data(); at < range.data() + range.size();) {
    auto* block = reinterpret_cast<Object*>(at);
    blocks.push_back({at, block->kind(), block->size_bytes()});
    if (block->size_bytes() == 0) break;
    at += block->size_bytes();
  }
  return blocks;
}

void PrintTo(const Block& block, std::ostream* out) {
  const char* kind = block.kind == BlockKind::kObject ? "object"
                     : block.kind == BlockKind::kFree ? "free"
                                                      : "filler";
  *out << "{" << kind << " of " << block.bytes << " bytes at "
       << static_cast<const void*>(block.at) << "}";
}

std::vector<Range> allocate_from_threads(Allocator& allocator, int threads,
                                         int objects_per_thread) {
  constexpr std::size_t kSizes[] = {16, 24, 40, 64, 16, 32, 48, 4096};
  std::vector<std::vector<Range>> per_thread(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      AllocationBuffer buffer;
      for (int i = 0; i < objects_per_thread; ++i) {
        std::size_t bytes = kSizes[(i + t) % std::size(kSizes)];
        Object* object = allocate_object(allocator, buffer, bytes);
        if (object == nullptr) break;
        per_thread[t].push_back({object->address(), bytes});
      }
      allocator.retire(buffer);
    });
  }
  for (std::thread& worker : workers) worker.join();
  std::vector<Range> all;
  for (const auto& ranges : per_thread) {
    all.insert(all.end(), ranges.begin(), ranges.end());
  }
  std::sort(all.begin(), all.end(),
            [](const Range& a, const Range& b) { return a.start < b.start; });
  return all;
}

}  // namespace gclab::allocator_testing
