// gclab minheap against the real binary: the heap it reports completes, one
// smaller by more than the precision is exhausted, the probes it lists are
// the runs that say so, and a nondeterministic configuration is probed
// several times per heap.
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/gclab_test_util.h"
#include "harness/json_file.h"

namespace gclab {
namespace {

using Args = std::vector<std::string>;
using Json = nlohmann::ordered_json;

Args gcbench(std::string collector, std::string allocator, Args extra) {
  Args args = {"--collector=" + collector, "--allocator=" + allocator,
               "--workload=gcbench"};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

Json minheap(const Args& configuration, const Args& extra) {
  std::filesystem::path json =
      testing::fresh_directory("minheap") / "minheap.json";
  Args args = {"minheap", "--quiet", "--json=" + json.string()};
  args.insert(args.end(), configuration.begin(), configuration.end());
  args.insert(args.end(), extra.begin(), extra.end());
  ChildOutcome outcome = testing::run_gclab(args);
  EXPECT_TRUE(outcome.succeeded()) << outcome.stderr_text;
  EXPECT_EQ(outcome.stdout_text, "") << "--quiet prints nothing";
  return read_json_file(json.string());
}

ChildOutcome run_at(const Args& configuration, std::size_t heap_bytes) {
  Args args = {"run", "--quiet", "--heap=" + std::to_string(heap_bytes)};
  args.insert(args.end(), configuration.begin(), configuration.end());
  return testing::run_gclab(args);
}

TEST(GclabMinheap, TheMinimumCompletesAndLessByMoreThanThePrecisionFails) {
  const double precision = 0.05;
  for (auto [collector, allocator] : {std::pair{"mark-sweep", "free-list"},
                                      std::pair{"mark-compact", "bump"}}) {
    SCOPED_TRACE(std::string(collector) + "/" + allocator);
    Args configuration = gcbench(collector, allocator, {});
    Json result = minheap(configuration, {"--precision=5%", "--start=256K"});
    auto least = result["min_heap_bytes"].get<std::size_t>();
    ASSERT_FALSE(result["largest_failing_bytes"].is_null());
    auto failing = result["largest_failing_bytes"].get<std::size_t>();
    EXPECT_LT(failing, least);
    EXPECT_LE(static_cast<double>(least - failing),
              precision * static_cast<double>(least) + 4096);
    EXPECT_EQ(result["successes_required"], 1) << "one mutator, stop the world";

    ChildOutcome at_minimum = run_at(configuration, least);
    EXPECT_TRUE(at_minimum.succeeded()) << at_minimum.stderr_text;
    auto below = static_cast<std::size_t>(static_cast<double>(least) *
                                          (1 - 2 * precision)) /
                 4096 * 4096;
    ChildOutcome under = run_at(configuration, below);
    EXPECT_EQ(under.exit_code, 2);
    EXPECT_NE(under.stderr_text.find("heap exhausted"), std::string::npos)
        << under.stderr_text;

    // The probes are what the search saw: the minimum and the greatest
    // failure among them, nothing succeeding below the one or failing
    // above the other.
    bool saw_least = false;
    bool saw_failing = false;
    for (const Json& probe : result["probes"]) {
      auto heap = probe["heap_bytes"].get<std::size_t>();
      bool succeeded = probe["succeeded"].get<bool>();
      saw_least |= succeeded && heap == least;
      saw_failing |= !succeeded && heap == failing;
      if (succeeded) {
        EXPECT_GE(heap, least);
      } else {
        EXPECT_LE(heap, failing);
      }
    }
    EXPECT_TRUE(saw_least);
    EXPECT_TRUE(saw_failing);
  }
}

TEST(GclabMinheap, SeveralMutatorsMustCompleteSeveralTimesInARow) {
  Json result =
      minheap(gcbench("concurrent-mark-sweep", "free-list", {"--mutators=2"}),
              {"--precision=10%", "--start=256K"});
  EXPECT_EQ(result["successes_required"], 3);
  EXPECT_FALSE(result["deterministic"].get<bool>());
  for (const Json& probe : result["probes"]) {
    if (probe["succeeded"].get<bool>()) {
      EXPECT_EQ(probe["attempts"].size(), 3u) << probe.dump();
    } else {
      EXPECT_FALSE(probe["attempts"].back()["completed"].get<bool>());
    }
  }
}

TEST(GclabMinheap, NoHeapUpToTheLimitIsAFailedRunWithoutAResult) {
  std::filesystem::path json =
      testing::fresh_directory("never") / "minheap.json";
  Args args = {"minheap", "--json=" + json.string(), "--start=64K",
               "--max-heap=256K"};
  Args configuration = gcbench("none", "bump", {});
  args.insert(args.end(), configuration.begin(), configuration.end());
  ChildOutcome outcome = testing::run_gclab(args);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.stderr_text;
  EXPECT_NE(outcome.stderr_text.find(
                "does not complete even in --max-heap 256K: heap exhausted"),
            std::string::npos)
      << outcome.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(json));
}

}  // namespace
}  // namespace gclab
