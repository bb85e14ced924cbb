// Smoke test for the TBB that //third_party:tbb links.
//
// The parallel marker's pattern, a tbb::parallel_for_each whose body feeds
// more work, writes plain (non-atomic) memory in the tasks and reads it on the
// calling thread after the join. Under --config=tsan this runs without reports
// only when TBB itself is instrumented: Debian's libtbb hides its
// synchronisation from ThreadSanitizer, which then reports false races across
// the join. The second test checks that the loader really picked the copy the
// configuration selects, since a tsan binary that silently loads Debian's
// libtbb would make the first test pass or fail by luck.

#include <gtest/gtest.h>
#include <link.h>
#include <tbb/parallel_for_each.h>

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define GCLAB_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GCLAB_THREAD_SANITIZER 1
#endif
#endif

namespace {

// A complete binary tree laid out in an array: node i has children 2i+1, 2i+2.
constexpr int kTreeDepth = 14;
constexpr int kNodeCount = (1 << kTreeDepth) - 1;

TEST(TbbSmokeTest, ParallelForEachWithFeederVisitsEveryNodeOnce) {
  // Each element is written by exactly one task and read only after
  // parallel_for_each returns, so TBB's join alone orders the accesses.
  std::vector<int> visits(kNodeCount, 0);
  const std::array<int, 1> root = {0};
  tbb::parallel_for_each(root.begin(), root.end(),
                         [&visits](int node, tbb::feeder<int>& feeder) {
                           ++visits[node];
                           for (int child : {2 * node + 1, 2 * node + 2}) {
                             if (child < kNodeCount) feeder.add(child);
                           }
                         });
  for (int node = 0; node < kNodeCount; ++node) {
    ASSERT_EQ(visits[node], 1)
        << "node " << node << " should be visited exactly once";
  }
}

// The path under which the dynamic loader mapped the first object whose name
// contains `fragment`, or an empty string if none is loaded.
std::string LoadedObjectPath(const std::string& fragment) {
  struct Search {
    const std::string& fragment;
    std::string path;
  } search{fragment, {}};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto& search = *static_cast<Search*>(data);
        const std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.find(search.fragment) == std::string::npos) return 0;
        search.path = name;
        return 1;
      },
      &search);
  return search.path;
}

#ifdef GCLAB_THREAD_SANITIZER
constexpr bool kExpectInstrumentedTbb = true;
#else
constexpr bool kExpectInstrumentedTbb = false;
#endif

TEST(TbbSmokeTest, LoadsTheTbbItsConfigurationSelects) {
  const std::string loaded = LoadedObjectPath("libtbb.so");
  ASSERT_FALSE(loaded.empty()) << "expected libtbb to be loaded";
  // Bazel's solib entry is a symlink; its target says which copy it is.
  const std::string resolved = std::filesystem::canonical(loaded).string();
  const bool is_instrumented =
      resolved.find("third_party/tbb_tsan/lib/") != std::string::npos;
  EXPECT_EQ(is_instrumented, kExpectInstrumentedTbb)
      << "expected the loader to pick "
      << (kExpectInstrumentedTbb
              ? "the instrumented libtbb from third_party/tbb_tsan/lib"
              : "Debian's libtbb")
      << " in this configuration, but it loaded " << resolved << " (via "
      << loaded << ")";
}

}  // namespace
