#include "workloads/synthetic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "heap/errors.h"
#include "testing/test_heap.h"
#include "workloads/registry.h"

namespace gclab {
namespace {

constexpr SyntheticParams kSmall{.lifetime_mean = 100,
                                 .lifetime_long = 2000,
                                 .live_limit = 300,
                                 .objects = 20'000};

struct Outcome {
  WorkloadReport report;
  MutatorCounters counters;
};

Outcome run_on(Heap& heap, const SyntheticParams& params, std::uint64_t seed) {
  SyntheticWorkload workload(params);
  Outcome run;
  {
    Mutator mutator(heap);
    run.report = workload.run(mutator, seed);
  }
  run.counters = heap.mutator_totals();
  return run;
}

Outcome run_stressed(const SyntheticParams& params, std::uint64_t seed = 1) {
  auto heap = testing::make_stressed_heap();
  return run_on(*heap, params, seed);
}

// The number after `prefix` in the report's output line that starts so.
std::uint64_t reported(const WorkloadReport& report, std::string_view prefix) {
  for (const std::string& line : report.output) {
    if (line.starts_with(prefix)) {
      return std::stoull(line.substr(prefix.size()));
    }
  }
  ADD_FAILURE() << "no output line starting '" << prefix << "'";
  return 0;
}

// The payload range of the first output line: "payloads A..B bytes".
std::pair<std::uint64_t, std::uint64_t> payload_range(
    const WorkloadReport& report) {
  const std::string& line = report.output.at(0);
  std::size_t at = line.find("payloads ");
  EXPECT_NE(at, std::string::npos) << line;
  std::string rest = line.substr(at + 9);
  std::size_t dots = rest.find("..");
  return {std::stoull(rest.substr(0, dots)),
          std::stoull(rest.substr(dots + 2))};
}

TEST(Synthetic, LiveSetIsTheModelsUnderCollectorsThatFreeAndMove) {
  // The workload throws unless the real graph from the table matches the
  // model object for object; under a stressed, verified mark-sweep and a
  // mark-compact that moves everything at every collection.
  Outcome swept = run_stressed(kSmall);
  EXPECT_GT(reported(swept.report, "live objects "), 0u);
  auto heap = testing::make_heap("mark-compact", "bump",
                                 {.heap_bytes = std::size_t{4} << 20,
                                  .verify = true,
                                  .stress_interval = 97});
  Outcome compacted = run_on(*heap, kSmall, 1);
  EXPECT_EQ(compacted.report.output, swept.report.output);
  EXPECT_EQ(compacted.report.checksum, swept.report.checksum);
  EXPECT_GT(compacted.report.checks_passed, kSmall.objects);
}

TEST(Synthetic, LiveSetWithoutLinksIsTheTable) {
  // No links and no mutations: what is live is what the table holds. With
  // lifetimes far past the run the table fills and stays full, so the live
  // set is live-limit objects of the one fixed size.
  SyntheticParams params = kSmall;
  params.size = SizeDistribution::kFixed;
  params.size_min = 40;
  params.lifetime = LifetimeDistribution::kExponential;
  params.lifetime_mean = 1e9;
  params.link_probability = 0;
  params.mutations = 0;
  Outcome run = run_stressed(params);
  const std::uint64_t object_bytes =
      ObjectShape{.num_refs = 2, .payload_bytes = 40}.size_bytes();
  EXPECT_EQ(reported(run.report, "live objects "), 300u);
  EXPECT_EQ(reported(run.report, "live bytes "), 300u * object_bytes);
  EXPECT_EQ(reported(run.report, "held "), 300u);

  // Links keep objects past their slot in the table.
  params.link_probability = 1;
  params.lifetime_mean = 10;
  Outcome linked = run_stressed(params);
  EXPECT_GT(reported(linked.report, "live objects "),
            reported(linked.report, "held "));
}

TEST(Synthetic, LiveSetAndSizesMatchAWalkOfTheHeap) {
  // Under none over bump nothing is freed or moved, so once the run is
  // over the heap still holds every object and the table's last contents:
  // a trace of our own from the table, through the raw slots, must find
  // the live set the workload reported, and a walk of every object the
  // sizes it drew.
  SyntheticParams params = kSmall;
  params.size = SizeDistribution::kUniform;
  params.size_min = 24;
  params.size_max = 200;
  auto heap = testing::make_unreclaimed_heap();
  Outcome run = run_on(*heap, params, 3);

  Object* table = nullptr;
  std::uint64_t objects = 0;
  std::uint64_t smallest = ~std::uint64_t{0};
  std::uint64_t largest = 0;
  heap->allocator().visit_objects([&](Object* object) {
    if (object->num_refs() == 300) {
      EXPECT_EQ(table, nullptr) << "one table";
      table = object;
      return;
    }
    ++objects;
    smallest = std::min<std::uint64_t>(smallest, object->size_bytes());
    largest = std::max<std::uint64_t>(largest, object->size_bytes());
  });
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(objects, 20'000u);
  EXPECT_GE(smallest,
            (ObjectShape{.num_refs = 2, .payload_bytes = 24}.size_bytes()));
  EXPECT_LE(largest,
            (ObjectShape{.num_refs = 2, .payload_bytes = 200}.size_bytes()));

  std::set<Object*> seen;
  std::vector<Object*> stack;
  std::uint64_t bytes = 0;
  for (std::size_t slot = 0; slot < table->num_refs(); ++slot) {
    stack.push_back(table->load_slot(slot));
    while (!stack.empty()) {
      Object* object = stack.back();
      stack.pop_back();
      if (object == nullptr || !seen.insert(object).second) continue;
      bytes += object->size_bytes();
      for (std::size_t i = 0; i < object->num_refs(); ++i) {
        stack.push_back(object->load_slot(i));
      }
    }
  }
  EXPECT_EQ(reported(run.report, "live objects "), seen.size());
  EXPECT_EQ(reported(run.report, "live bytes "), bytes);
  EXPECT_GT(seen.size(), reported(run.report, "held ")) << "links keep some";
}

TEST(Synthetic, SameSeedSameRunOtherSeedOtherChecksum) {
  Outcome first = run_stressed(kSmall, 7);
  Outcome again = run_stressed(kSmall, 7);
  Outcome other = run_stressed(kSmall, 8);
  EXPECT_NE(first.report.checksum, 0u);
  EXPECT_EQ(first.counters.objects_allocated, again.counters.objects_allocated);
  EXPECT_EQ(first.counters.bytes_allocated, again.counters.bytes_allocated);
  EXPECT_EQ(first.report.checksum, again.report.checksum);
  EXPECT_EQ(first.report.output, again.report.output);
  EXPECT_NE(first.report.checksum, other.report.checksum);
}

TEST(Synthetic, EverySizeDistributionStaysInRange) {
  for (SizeDistribution size :
       {SizeDistribution::kFixed, SizeDistribution::kUniform,
        SizeDistribution::kGeometric}) {
    for (LifetimeDistribution lifetime :
         {LifetimeDistribution::kExponential, LifetimeDistribution::kBimodal,
          LifetimeDistribution::kGenerational}) {
      SyntheticParams params = kSmall;
      params.size = size;
      params.size_min = 24;
      params.size_max = 300;
      params.lifetime = lifetime;
      Outcome run = run_stressed(params);
      auto [low, high] = payload_range(run.report);
      SCOPED_TRACE(run.report.output.at(0));
      if (size == SizeDistribution::kFixed) {
        EXPECT_EQ(low, 24u);
        EXPECT_EQ(high, 24u);
      } else {
        EXPECT_GE(low, 24u);
        EXPECT_LE(high, 300u);
        EXPECT_LT(low, 40u);  // 20,000 draws reach near both ends
        EXPECT_GT(high, size == SizeDistribution::kUniform ? 290u : 250u);
      }
      // Bytes allocated: the table plus each object's header, two slots
      // and its payload, rounded to granules: between the ends' sizes.
      const std::uint64_t table = ObjectShape{.num_refs = 300}.size_bytes();
      const std::uint64_t objects = run.counters.bytes_allocated - table;
      const std::uint64_t smallest =
          ObjectShape{.num_refs = 2, .payload_bytes = 24}.size_bytes();
      const std::uint64_t largest =
          ObjectShape{.num_refs = 2, .payload_bytes = 300}.size_bytes();
      EXPECT_GE(objects, 20'000u * smallest);
      EXPECT_LE(objects, 20'000u * largest);
    }
  }
}

TEST(Synthetic, SizeMinIsRaisedToTheStamp) {
  SyntheticParams params = kSmall;
  params.size = SizeDistribution::kFixed;
  params.size_min = 0;
  EXPECT_EQ(SyntheticWorkload(params).params().size_min, 16u);
  Outcome run = run_stressed(params);
  EXPECT_EQ(payload_range(run.report),
            std::make_pair(std::uint64_t{16}, std::uint64_t{16}));
}

TEST(Synthetic, RejectsParametersOutOfRange) {
  auto rejected = [](const std::map<std::string, std::string>& values) {
    const WorkloadEntry& entry = find_workload("synthetic");
    try {
      entry.make(ParamValues(entry.params, values));
    } catch (const ConfigError& error) {
      std::string what = error.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      return what;
    }
    ADD_FAILURE() << "accepted";
    return std::string();
  };
  EXPECT_EQ(rejected({{"size-min", "100"}, {"size-max", "50"}}),
            "bad parameter size-max=50: expected 100..16777216 "
            "(size-min..16777216)");
  EXPECT_EQ(rejected({{"live-limit", "0"}}),
            "bad parameter live-limit=0: expected 1..65535");
  EXPECT_EQ(rejected({{"live-limit", "70000"}}),
            "bad parameter live-limit=70000: expected 1..65535");
  EXPECT_EQ(rejected({{"objects", "-1"}}).find("bad parameter objects=-1"), 0u);
  EXPECT_EQ(rejected({{"refs", "2000"}}),
            "bad parameter refs=2000: expected 0..1024");
  EXPECT_EQ(
      rejected({{"long-fraction", "1.5"}}).find("bad parameter long-fraction="),
      0u);
  EXPECT_EQ(rejected({{"link-probability", "-0.1"}})
                .find("bad parameter link-probability="),
            0u);
  EXPECT_EQ(
      rejected({{"lifetime-mean", "0"}}).find("bad parameter lifetime-mean="),
      0u);
  EXPECT_EQ(
      rejected({{"lifetime-long", "-5"}}).find("bad parameter lifetime-long="),
      0u);
  EXPECT_EQ(rejected({{"mutations", "1e9"}}).find("bad parameter mutations="),
            0u);
  EXPECT_EQ(rejected({{"size", "normal"}}).empty(), false);
  // The defaults and every choice are accepted.
  const WorkloadEntry& entry = find_workload("synthetic");
  EXPECT_NE(entry.make(ParamValues(entry.params, {})), nullptr);
  EXPECT_NE(entry.make(ParamValues(entry.params, {{"size", "fixed"},
                                                  {"lifetime", "generational"},
                                                  {"refs", "0"}})),
            nullptr);
}

TEST(Synthetic, NoReferenceSlotsStillRuns) {
  SyntheticParams params = kSmall;
  params.refs = 0;
  Outcome run = run_stressed(params);
  EXPECT_EQ(reported(run.report, "live objects "),
            reported(run.report, "held "));
}

}  // namespace
}  // namespace gclab
