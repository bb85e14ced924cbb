// Record, then replay under another collector: the replay allocates the
// same objects and bytes, makes the same stores and reads, and keeps the
// same live set, census by census, as the recorded run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/run_config.h"
#include "harness/runner.h"
#include "harness/selection.h"
#include "harness/small_params.h"

namespace gclab {
namespace {

std::string temporary(const std::string& name) {
  const char* directory = std::getenv("TEST_TMPDIR");
  return (std::filesystem::path(directory != nullptr ? directory : "/tmp") /
          name)
      .string();
}

// A stressed, verified run with a census at every collection: collections
// fall every 97 allocations whatever the collector, so two runs of the same
// allocations take their censuses at the same points (and, under a
// collector that marks nothing, every 1000 allocations).
RunRecord run(std::string collector, std::string allocator,
              std::string workload, std::vector<ParamRequest> params,
              std::string record_to = {}) {
  RunConfig config{.collector = std::move(collector),
                   .allocator = std::move(allocator),
                   .workload = std::move(workload),
                   .heap_bytes = 64 << 20,
                   .verify = VerifyMode::kEvery,
                   .stress = 97,
                   .census = 1000,
                   .params = std::move(params),
                   .quiet = true};
  config.record_trace_path = std::move(record_to);
  return run_configuration(config, select_components(config));
}

// Live objects and bytes per site name, census by census.
using Census = std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>;
std::vector<Census> censuses(const RunRecord& record) {
  std::vector<Census> result;
  for (const CensusRecord& census : record.census->records) {
    Census& sites = result.emplace_back();
    for (const SiteTally& site : census.sites) {
      sites[record.site_names.at(site.site)] = {site.tally.objects,
                                                site.tally.bytes};
    }
  }
  return result;
}

class RecordReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(RecordReplay, ReplayUnderAMovingCollectorMatchesTheRecordedRun) {
  const std::string& workload = GetParam();
  const std::string trace = temporary(workload + ".trace");
  RunRecord original = run("mark-sweep", "size-class", workload,
                           testing::small_params(workload), trace);
  RunRecord replayed = run("mark-compact", "bump", "replay",
                           {{.name = "trace", .value = trace}});

  EXPECT_EQ(replayed.mutator_totals.objects_allocated,
            original.mutator_totals.objects_allocated);
  EXPECT_EQ(replayed.mutator_totals.bytes_allocated,
            original.mutator_totals.bytes_allocated);
  EXPECT_EQ(replayed.mutator_totals.reference_writes,
            original.mutator_totals.reference_writes);
  EXPECT_EQ(replayed.mutator_totals.reference_reads,
            original.mutator_totals.reference_reads);
  EXPECT_EQ(replayed.checks_passed, original.mutator_totals.reference_reads);
  ASSERT_GT(original.cycles.size(), 5u);
  EXPECT_EQ(replayed.cycles.size(), original.cycles.size());
  ASSERT_TRUE(original.census && replayed.census);
  EXPECT_EQ(censuses(replayed), censuses(original));
}

// Under reference counting nothing is marked, so the comparison is of what
// was done; the counts' own check (--verify) recomputes them from the graph.
TEST_P(RecordReplay, ReplayUnderRefCountDoesTheSameWork) {
  const std::string& workload = GetParam();
  const std::string trace = temporary(workload + ".rc.trace");
  RunRecord original = run("concurrent-mark-sweep", "size-class", workload,
                           testing::small_params(workload), trace);
  RunRecord replayed =
      run("ref-count", "tlsf", "replay", {{.name = "trace", .value = trace}});
  EXPECT_EQ(replayed.mutator_totals.objects_allocated,
            original.mutator_totals.objects_allocated);
  EXPECT_EQ(replayed.mutator_totals.bytes_allocated,
            original.mutator_totals.bytes_allocated);
  EXPECT_EQ(replayed.checks_passed, original.mutator_totals.reference_reads);
  EXPECT_GT(replayed.verification.count_checks, 0u);
}

INSTANTIATE_TEST_SUITE_P(Workloads, RecordReplay,
                         ::testing::Values("gcbench", "binary-trees", "gcold",
                                           "graph-churn", "leak", "lru-cache",
                                           "producer-consumer", "synthetic"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace gclab
