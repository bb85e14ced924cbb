#include "allocators/registry.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "allocators/free_list_allocator.h"
#include "heap/errors.h"

namespace gclab {
namespace {

TEST(AllocatorRegistryTest, ListsEveryAllocator) {
  std::vector<std::string_view> names;
  for (const AllocatorEntry& entry : allocator_registry()) {
    names.push_back(entry.name);
    EXPECT_FALSE(entry.description.empty()) << entry.name;
  }
  EXPECT_EQ(names, (std::vector<std::string_view>{"bump", "free-list",
                                                  "size-class", "tlsf"}));
}

TEST(AllocatorRegistryTest, UnknownAllocatorNamesTheKnownOnes) {
  try {
    find_allocator("buddy");
    FAIL() << "expected a ConfigError for an unknown allocator";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(
        error.what(),
        "unknown allocator 'buddy' (known: bump, free-list, size-class, "
        "tlsf)");
  }
}

TEST(AllocatorRegistryTest, MakeAppliesParameters) {
  const AllocatorEntry& entry = find_allocator("free-list");
  ParamValues params(entry.params, {{"fit", "best"}, {"chunk", "4K"}});

  std::unique_ptr<Allocator> allocator = entry.make(1 << 20, params);

  auto& free_list = dynamic_cast<FreeListAllocator&>(*allocator);
  EXPECT_EQ(free_list.fit(), FitPolicy::kBest);
  EXPECT_EQ(free_list.chunk_bytes(), 4096u);
  EXPECT_EQ(allocator->stats().heap_bytes, 1u << 20);
}

TEST(AllocatorRegistryTest, CapabilitiesMatchTheAllocators) {
  for (const AllocatorEntry& entry : allocator_registry()) {
    std::unique_ptr<Allocator> allocator =
        entry.make(1 << 20, ParamValues(entry.params, {}));
    AllocatorCapabilities made = allocator->capabilities();
    EXPECT_EQ(made.sweepable, entry.capabilities.sweepable) << entry.name;
    EXPECT_EQ(made.contiguous, entry.capabilities.contiguous) << entry.name;
    EXPECT_EQ(made.frees_objects, entry.capabilities.frees_objects)
        << entry.name;
  }
}

TEST(AllocatorRegistryTest, BadParameterIsAConfigError) {
  const AllocatorEntry& entry = find_allocator("bump");
  EXPECT_THROW(ParamValues(entry.params, {{"tlab", "lots"}}), ConfigError);
  EXPECT_THROW(entry.make(1 << 20, ParamValues(entry.params, {{"tlab", "12"}})),
               ConfigError);
}

}  // namespace
}  // namespace gclab
