// The correctness matrix: every collector x allocator pair the harness
// accepts, on every workload, with --verify and --stress, with one and two
// mutators. A collector that loses a live object fails here — through the
// heap verifier after some collection, or through the workload's own checks.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/run_config.h"
#include "harness/runner.h"
#include "harness/selection.h"
#include "harness/small_params.h"

namespace gclab {
namespace {

struct MatrixCase {
  std::string collector;
  std::string allocator;
  std::string workload;
  int mutators;
  std::optional<ParamRequest> collector_choice;  // e.g. sweep=lazy
  std::string barrier;                           // empty: the default
};

// Every value of each of the collector's choice and flag parameters (the
// others at their defaults), since a choice may select a different mechanism
// (an eager or a lazy sweep); a single run at the defaults for a collector
// without one.
std::vector<std::optional<ParamRequest>> collector_choices(
    const CollectorEntry& collector) {
  std::vector<std::optional<ParamRequest>> choices;
  for (const ParamSpec& spec : collector.params) {
    if (spec.kind != ParamKind::kChoice && spec.kind != ParamKind::kFlag) {
      continue;
    }
    std::string_view rest =
        spec.kind == ParamKind::kFlag ? "0|1" : spec.choices;
    while (!rest.empty()) {
      std::size_t bar = rest.find('|');
      choices.push_back(ParamRequest{.name = std::string(spec.name),
                                     .value = std::string(rest.substr(0, bar)),
                                     .component = Component::kCollector});
      rest = bar == std::string_view::npos ? "" : rest.substr(bar + 1);
    }
  }
  if (choices.empty()) choices.push_back(std::nullopt);
  return choices;
}

// A concurrent collector runs with each barrier; the others with the
// default (none), since a barrier changes nothing they rely on. So does a
// concurrent collector told to run every phase stop-the-world (stw=1): no
// mutator runs while its barrier is on.
std::vector<std::string> barriers_for(
    const CollectorCapabilities& capabilities,
    const std::optional<ParamRequest>& choice) {
  bool stop_the_world = choice && choice->name == "stw" && choice->value == "1";
  if (!capabilities.concurrent || stop_the_world) return {""};
  return {"dijkstra", "yuasa", "hybrid"};
}

// What the collector is and needs with the choice made.
CollectorCapabilities capabilities_with(
    const CollectorEntry& collector,
    const std::optional<ParamRequest>& choice) {
  std::map<std::string, std::string> values;
  if (choice) values[choice->name] = *choice->value;
  return collector.capabilities_of(ParamValues(collector.params, values));
}

// ThreadSanitizer checks code that runs concurrently: a concurrent
// collector, or two mutators sharing an allocator (and, in a stop-the-world
// collection, two marking threads). A stop-the-world collector under one
// mutator adds nothing the two-mutator case does not, at ten times the cost
// of an uninstrumented run, so the tsan build leaves it to the others.
bool worth_running(const CollectorCapabilities& capabilities, int mutators) {
#if defined(__SANITIZE_THREAD__)
  return capabilities.concurrent || mutators > 1;
#else
  (void)capabilities;
  (void)mutators;
  return true;
#endif
}

std::vector<MatrixCase> every_accepted_case() {
  std::vector<MatrixCase> cases;
  for (const CollectorEntry& collector : collector_registry()) {
    for (const AllocatorEntry& allocator : allocator_registry()) {
      for (const auto& choice : collector_choices(collector)) {
        const CollectorCapabilities capabilities =
            capabilities_with(collector, choice);
        if (!missing_capability(capabilities, allocator.capabilities).empty()) {
          continue;
        }
        for (const std::string& barrier : barriers_for(capabilities, choice)) {
          for (const WorkloadEntry& workload : workload_registry()) {
            for (int mutators : {1, 2}) {
              if (!worth_running(capabilities, mutators)) continue;
              cases.push_back(
                  {std::string(collector.name), std::string(allocator.name),
                   std::string(workload.name), mutators, choice, barrier});
            }
          }
        }
      }
    }
  }
  return cases;
}

class CollectorMatrix : public ::testing::TestWithParam<MatrixCase> {};

TEST_P(CollectorMatrix, VerifiedStressedRunKeepsEveryLiveObject) {
  const MatrixCase& c = GetParam();
  RunConfig config{.collector = c.collector,
                   .allocator = c.allocator,
                   .workload = c.workload,
                   .heap_bytes = 4 << 20,
                   .mutators = c.mutators,
                   .gc_threads = 2,
                   .seed = 11,
                   .barrier = c.barrier,
                   .verify = VerifyMode::kEvery,
                   .stress = 101,
                   .params = testing::small_params(c.workload),
                   .quiet = true};
  if (c.collector_choice) config.params.push_back(*c.collector_choice);
  // The leak workload also takes censuses and a leak report, so that both
  // run verified and stressed beside everything else: in closing pauses,
  // and, under none, stopping the world between two mutators' allocations.
  if (c.workload == "leak") {
    config.census = 500;
    config.leak_report = kDefaultLeakGrowthCensuses;
  }
  if (c.collector == "none") config.heap_bytes = 256 << 20;
  RunRecord record = run_configuration(config, select_components(config));

  EXPECT_GT(record.checks_passed, 0u);
  const CollectorCapabilities capabilities =
      capabilities_with(find_collector(c.collector), c.collector_choice);
  if (capabilities.collects && !capabilities.concurrent) {
    EXPECT_GT(record.cycles.size(), 5u) << "--stress should force collections";
    EXPECT_GT(record.verification.objects_visited, 0u);
  }
  // A concurrent collector's stressed cycles run back to back beside these
  // short runs, a few per run; collectors/concurrent_mark_sweep_test.cc
  // runs the long torture cases.
  if (capabilities.concurrent) {
    EXPECT_GE(record.cycles.size(), 1u);
  }
  // A tracing collection's check is the marks'; a counting one's, the
  // counts' (each against a recount from the graph), marks too when it
  // traces (ref-count's backup trace).
  if (capabilities.counts_references) {
    EXPECT_GT(record.verification.count_checks, 0u);
  } else if (capabilities.collects) {
    EXPECT_GT(record.verification.mark_checks, 0u);
  }
  // Every collection was verified, and the heap once more at the end.
  EXPECT_EQ(record.verification.heaps_verified, record.cycles.size() + 1);
  if (c.workload == "leak") {
    ASSERT_TRUE(record.census);
    EXPECT_FALSE(record.census->records.empty());
    ASSERT_TRUE(record.leaks);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AcceptedPairs, CollectorMatrix, ::testing::ValuesIn(every_accepted_case()),
    [](const ::testing::TestParamInfo<MatrixCase>& info) {
      const auto& choice = info.param.collector_choice;
      std::string name =
          info.param.collector + "_" +
          (choice ? choice->name + "_" + *choice->value + "_" : "") +
          (info.param.barrier.empty() ? "" : info.param.barrier + "_") +
          info.param.allocator + "_" + info.param.workload + "_" +
          std::to_string(info.param.mutators) + "_mutators";
      for (char& ch : name) {
        if (ch == '-') ch = '_';
      }
      return name;
    });

}  // namespace
}  // namespace gclab
