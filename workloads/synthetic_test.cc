#include "workloads/synthetic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"
#include "testing/mutator_threads.h"
#include "testing/test_heap.h"
#include "workloads/registry.h"
#include "workloads/synthetic_deaths.h"

namespace gclab {
namespace {

const SyntheticParams kSmall{.lifetime_mean = 100,
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

// The objects of the named site that `heap` still holds, in address order.
std::vector<Object*> objects_of(Heap& heap, std::string_view site) {
  std::vector<std::string> names = heap.site_names();
  std::vector<Object*> found;
  heap.allocator().visit_objects([&](Object* object) {
    if (names.at(object->site()) == site) found.push_back(object);
  });
  return found;
}

// The census tally of `site` in the heap's last census.
Tally last_census(Heap& heap, std::string_view site) {
  const std::uint16_t id = heap.register_site(site);
  EXPECT_FALSE(heap.census()->records().empty());
  for (const SiteTally& tally : heap.census()->records().back().sites) {
    if (tally.site == id) return tally.tally;
  }
  return {};
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
  // a trace of our own from the table's spine, through the raw slots, must
  // find the live set the workload reported, and a walk of every object
  // the sizes it drew. A table of 5000 slots takes three chunks.
  SyntheticParams params = kSmall;
  params.size = SizeDistribution::kUniform;
  params.size_min = 24;
  params.size_max = 200;
  params.live_limit = 5000;
  params.lifetime_long = 20000;
  auto heap = testing::make_unreclaimed_heap();
  Outcome run = run_on(*heap, params, 3);

  std::vector<Object*> table = objects_of(*heap, "synthetic.table");
  ASSERT_EQ(table.size(), 4u) << "a spine and three chunks";
  Object* spine = table.front();  // bump allocation: the first one
  ASSERT_EQ(spine->num_refs(), 3u);
  std::vector<Object*> objects = objects_of(*heap, "synthetic.object");
  EXPECT_EQ(objects.size(), 20'000u);
  for (Object* object : objects) {
    ASSERT_GE(object->payload_bytes(), 24u);
    ASSERT_LE(object->payload_bytes(), 200u);
  }

  std::set<Object*> seen;
  std::vector<Object*> stack;
  std::uint64_t bytes = 0;
  std::size_t slots = 0;
  for (std::size_t chunk = 0; chunk < spine->num_refs(); ++chunk) {
    Object* slots_of = spine->load_slot(chunk);
    slots += slots_of->num_refs();
    for (std::size_t slot = 0; slot < slots_of->num_refs(); ++slot) {
      stack.push_back(slots_of->load_slot(slot));
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
  }
  EXPECT_EQ(slots, 5000u);
  EXPECT_EQ(reported(run.report, "live objects "), seen.size());
  EXPECT_EQ(reported(run.report, "live bytes "), bytes);
  EXPECT_GT(seen.size(), reported(run.report, "held ")) << "links keep some";
}

TEST(Synthetic, AFinalCollectionKeepsExactlyTheReportedLiveSet) {
  // collect-at-end collects while the table is held: the census at that
  // collection's close counts what the collector really kept, which must
  // be the model's live set to the byte, under a collector that frees in
  // place and one that moves everything.
  SyntheticParams params = kSmall;
  params.collect_at_end = true;
  for (std::string_view collector : {"mark-sweep", "mark-compact"}) {
    SCOPED_TRACE(collector);
    auto heap = testing::make_heap(
        collector, collector == "mark-sweep" ? "size-class" : "bump",
        {.heap_bytes = std::size_t{8} << 20,
         .verify = true,
         .census = {.enabled = true}});
    Outcome run = run_on(*heap, params, 5);
    Tally kept = last_census(*heap, "synthetic.object");
    EXPECT_EQ(kept.objects, reported(run.report, "live objects "));
    EXPECT_EQ(kept.bytes, reported(run.report, "live bytes "));
    EXPECT_EQ(last_census(*heap, "synthetic.table").objects, 1u + 1u)
        << "the spine and its one chunk";
  }
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
      const std::uint64_t table = ObjectShape{.num_refs = 1}.size_bytes() +
                                  ObjectShape{.num_refs = 300}.size_bytes();
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
            "bad parameter live-limit=0: expected 1..16777216");
  EXPECT_EQ(rejected({{"live-limit", "20000000"}}),
            "bad parameter live-limit=20000000: expected 1..16777216");
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
  EXPECT_EQ(
      rejected({{"size-mean", "300"}}),
      "bad parameter size-mean=300.000000: expected 16.000000..256.000000");
  EXPECT_EQ(rejected({{"size", "histogram"}, {"size-histogram", "8:1"}}),
            "bad parameter size-histogram payload=8: expected 16..16777216");
  EXPECT_EQ(rejected({{"size", "histogram"}, {"size-histogram", "16"}}),
            "bad parameter size-histogram='16': '16' is not PAYLOAD:WEIGHT");
  EXPECT_EQ(rejected({{"lifetime-unit", "seconds"}}).find("bad "), 0u);
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

// Payload sizes of every object a run on an unreclaimed heap allocated.
std::map<std::uint64_t, std::uint64_t> payload_counts(
    const SyntheticParams& params) {
  auto heap = testing::make_unreclaimed_heap();
  run_on(*heap, params, 11);
  std::map<std::uint64_t, std::uint64_t> counts;
  for (Object* object : objects_of(*heap, "synthetic.object")) {
    ++counts[object->payload_bytes()];
  }
  return counts;
}

TEST(Synthetic, HistogramDrawsEachPayloadAtItsWeight) {
  SyntheticParams params = kSmall;
  params.size = SizeDistribution::kHistogram;
  params.size_histogram = parse_size_histogram("16:1,96:2,1K:1");
  std::map<std::uint64_t, std::uint64_t> counts = payload_counts(params);
  ASSERT_EQ(counts.size(), 3u) << "only the histogram's sizes";
  // 20,000 draws: each share within 1.5 points of its weight's (about four
  // standard deviations).
  EXPECT_NEAR(counts[16] / 20'000.0, 0.25, 0.015);
  EXPECT_NEAR(counts[96] / 20'000.0, 0.50, 0.015);
  EXPECT_NEAR(counts[1024] / 20'000.0, 0.25, 0.015);
}

TEST(Synthetic, GeometricPayloadsHaveTheirMean) {
  SyntheticParams params = kSmall;
  params.size_min = 16;
  params.size_mean = 80;
  params.size_max = 1 << 20;  // far enough to truncate nothing in practice
  double sum = 0;
  std::uint64_t n = 0;
  for (auto [payload, count] : payload_counts(params)) {
    sum += static_cast<double>(payload * count);
    n += count;
  }
  // Mean 80, standard deviation about 64: the mean of 20,000 is 80 +- 2;
  // payload_bytes() is rounded up to 8-byte granules, 3.5 on average.
  EXPECT_NEAR(sum / static_cast<double>(n) - 3.5, 80, 2);
}

TEST(Synthetic, ParsesSizeHistograms) {
  EXPECT_EQ(parse_size_histogram("16:50,4K:2.5"),
            (std::vector<SizeBin>{{16, 50}, {4096, 2.5}}));
  EXPECT_EQ(parse_size_histogram("64:1"), (std::vector<SizeBin>{{64, 1}}));
  auto error_of = [](std::string_view text) {
    try {
      parse_size_histogram(text);
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    ADD_FAILURE() << "accepted '" << text << "'";
    return std::string();
  };
  EXPECT_EQ(error_of(""),
            "bad parameter size-histogram='': '' is not "
            "PAYLOAD:WEIGHT");
  EXPECT_EQ(error_of("16:1,64"),
            "bad parameter size-histogram='16:1,64': '64' is not "
            "PAYLOAD:WEIGHT");
  EXPECT_EQ(error_of("x:1"),
            "bad parameter size-histogram='x:1': 'x:1' has no payload size "
            "(like 64 or 4K)");
  EXPECT_EQ(error_of("16:0"),
            "bad parameter size-histogram='16:0': '16:0' has no positive "
            "weight");
  EXPECT_EQ(error_of("16:2x"),
            "bad parameter size-histogram='16:2x': '16:2x' has no positive "
            "weight");
  EXPECT_EQ(error_of("16:1,"),
            "bad parameter size-histogram='16:1,': '' follows the last comma");
}

TEST(Synthetic, LifetimesCountBytesWhenAsked) {
  // Exponential lifetimes of mean 7200, no links, in a table far larger
  // than they need. Counted in objects, about 7200 objects are held at
  // once (Little's law), so the 2000-slot table is full; counted in bytes,
  // objects of 72 bytes live about 100 allocations, so about 100 are held.
  SyntheticParams params = kSmall;
  params.size = SizeDistribution::kFixed;
  params.size_min = 40;
  ASSERT_EQ((ObjectShape{.num_refs = 2, .payload_bytes = 40}.size_bytes()),
            72u);
  params.lifetime = LifetimeDistribution::kExponential;
  params.lifetime_mean = 7200;
  params.link_probability = 0;
  params.mutations = 0;
  params.live_limit = 2000;
  EXPECT_EQ(reported(run_stressed(params).report, "held "), 2000u);
  params.lifetime_unit = LifetimeUnit::kBytes;
  // Poisson with mean 100: five standard deviations either side.
  std::uint64_t held = reported(run_stressed(params).report, "held ");
  EXPECT_GT(held, 50u);
  EXPECT_LT(held, 150u);
}

TEST(Synthetic, LiveTargetBoundsTheHeldBytes) {
  // Immortal objects of 72 bytes and a target of 100.5 of them: the table
  // holds exactly 100, whatever its slots, the nearest deaths dying early.
  SyntheticParams params = kSmall;
  params.size = SizeDistribution::kFixed;
  params.size_min = 40;
  params.lifetime = LifetimeDistribution::kGenerational;
  params.long_fraction = 1;
  params.link_probability = 0;
  params.mutations = 0;
  params.live_bound = LiveBound::kBytes;
  params.live_target = 100 * 72 + 36;
  Outcome run = run_stressed(params);
  EXPECT_EQ(reported(run.report, "held "), 100u);
  EXPECT_EQ(reported(run.report, "live bytes "), 7200u);
}

TEST(Synthetic, BytesSetTheVolume) {
  SyntheticParams params = kSmall;
  params.volume = Volume::kBytes;
  params.bytes = 1 << 20;
  Outcome run = run_stressed(params);
  const std::uint64_t table = ObjectShape{.num_refs = 1}.size_bytes() +
                              ObjectShape{.num_refs = 300}.size_bytes();
  const std::uint64_t objects = run.counters.bytes_allocated - table;
  EXPECT_GE(objects, 1u << 20);
  EXPECT_LT(objects, (1u << 20) + 300) << "stops at the first past it";
  EXPECT_EQ(run.counters.objects_allocated - 2,
            reported(run.report, "allocated "));
}

// At each collection, damages the heap the way a broken collector might:
// flips a check word, or clears a reference slot, of every object of
// synthetic.object.
class DamagingCollector final : public Collector {
 public:
  enum class Damage { kCheckWord, kSlot };
  DamagingCollector(Heap& heap, Damage damage) : heap_(heap), damage_(damage) {}

  CollectorCapabilities capabilities() const override { return {}; }

  void collect(Mutator* requester, GcCause) override {
    Heap::WorldStop world(heap_, requester, PauseKind::kFull);
    if (!world.stopped()) return;
    std::vector<std::string> names = heap_.site_names();
    heap_.allocator().for_each_object([&](Object* object) {
      if (names.at(object->site()) != "synthetic.object") return;
      if (damage_ == Damage::kCheckWord) {
        object->payload_as<std::uint64_t>()[1] ^= 1;
      } else {
        object->store_slot(0, nullptr);
      }
    });
  }

 private:
  Heap& heap_;
  const Damage damage_;
};

std::string failure_under(DamagingCollector::Damage damage,
                          const SyntheticParams& params) {
  auto heap = testing::make_heap_with(
      [damage](Heap& h) {
        return std::make_unique<DamagingCollector>(h, damage);
      },
      "bump", {.heap_bytes = 64 << 20, .stress_interval = 5000});
  try {
    run_on(*heap, params, 1);
  } catch (const WorkloadCheckFailed& error) {
    return error.what();
  }
  return "no failure";
}

TEST(Synthetic, ADamagedObjectIsCaught) {
  EXPECT_EQ(failure_under(DamagingCollector::Damage::kCheckWord, kSmall)
                .find("synthetic: the object in table slot is not object "),
            0u);
  // Lost references: no mutations to overwrite them before the end.
  SyntheticParams params = kSmall;
  params.link_probability = 1;
  params.mutations = 0;
  std::string lost = failure_under(DamagingCollector::Damage::kSlot, params);
  EXPECT_EQ(lost.find("synthetic: slot 0 of object "), 0u) << lost;
  EXPECT_NE(lost.find(" lost its object"), std::string::npos) << lost;
}

TEST(Synthetic, MutatorsRunIndependentInstances) {
  // Two threads on one workload object: each one's report is what its
  // seed gives alone.
  auto heap = testing::make_heap("mark-sweep", "free-list",
                                 {.heap_bytes = 4 << 20,
                                  .verify = true,
                                  .stress_interval = 97,
                                  .mutators = 2});
  SyntheticWorkload workload(kSmall);
  std::vector<WorkloadReport> reports(2);
  ASSERT_EQ(testing::run_mutator_threads(*heap, 2,
                                         [&](Mutator& mutator, int index) {
                                           reports[index] =
                                               workload.run(mutator, 7 + index);
                                         }),
            "");
  for (int index = 0; index < 2; ++index) {
    Outcome alone = run_stressed(kSmall, 7 + index);
    EXPECT_EQ(reports[index].checksum, alone.report.checksum) << index;
    EXPECT_EQ(reports[index].output, alone.report.output) << index;
  }
  EXPECT_NE(reports[0].checksum, reports[1].checksum);
}

TEST(Synthetic, RegistryDefaultsMatchTheParamsStruct) {
  const WorkloadEntry& entry = find_workload("synthetic");
  auto made = entry.make(ParamValues(entry.params, {}));
  const SyntheticParams& params =
      dynamic_cast<SyntheticWorkload&>(*made).params();
  const SyntheticParams defaults;
  EXPECT_EQ(params.size, defaults.size);
  EXPECT_EQ(params.size_min, defaults.size_min);
  EXPECT_EQ(params.size_max, defaults.size_max);
  EXPECT_EQ(params.size_mean, defaults.size_mean);
  EXPECT_EQ(params.lifetime, defaults.lifetime);
  EXPECT_EQ(params.lifetime_unit, defaults.lifetime_unit);
  EXPECT_EQ(params.lifetime_mean, defaults.lifetime_mean);
  EXPECT_EQ(params.lifetime_long, defaults.lifetime_long);
  EXPECT_EQ(params.long_fraction, defaults.long_fraction);
  EXPECT_EQ(params.refs, defaults.refs);
  EXPECT_EQ(params.link_probability, defaults.link_probability);
  EXPECT_EQ(params.mutations, defaults.mutations);
  EXPECT_EQ(params.live_limit, defaults.live_limit);
  EXPECT_EQ(params.live_bound, defaults.live_bound);
  EXPECT_EQ(params.live_target, defaults.live_target);
  EXPECT_EQ(params.objects, defaults.objects);
  EXPECT_EQ(params.volume, defaults.volume);
  EXPECT_EQ(params.bytes, defaults.bytes);
  EXPECT_EQ(params.collect_at_end, defaults.collect_at_end);
  // The default histogram parses, and is what size=histogram then uses.
  auto histogram =
      entry.make(ParamValues(entry.params, {{"size", "histogram"}}));
  EXPECT_EQ(dynamic_cast<SyntheticWorkload&>(*histogram)
                .params()
                .size_histogram.size(),
            5u);
}

TEST(SyntheticDeathQueue, PopsInTheOrderOfAPriorityQueueOfPairs) {
  // The order the workload's runs depend on: nearest time first, ties by
  // slot, through interleaved pushes and pops.
  synthetic::DeathQueue deaths;
  using Death = std::pair<std::uint64_t, std::uint32_t>;
  std::priority_queue<Death, std::vector<Death>, std::greater<>> expected;
  std::mt19937_64 random(3);
  for (int step = 0; step < 200'000; ++step) {
    if (expected.empty() || random() % 3 != 0) {
      Death death{random() % 5000, static_cast<std::uint32_t>(random() % 64)};
      deaths.push(death.first, death.second);
      expected.push(death);
    } else {
      ASSERT_EQ(deaths.nearest_time(), expected.top().first) << step;
      ASSERT_EQ(deaths.nearest_slot(), expected.top().second) << step;
      deaths.pop();
      expected.pop();
    }
  }
}

TEST(SyntheticDeathQueue, TimesPastTheFieldAreNever) {
  synthetic::DeathQueue deaths;
  deaths.push(~std::uint64_t{0}, 7);
  deaths.push(synthetic::DeathQueue::kNeverTime + 5, 3);
  deaths.push(12, (1u << 24) - 1);
  EXPECT_EQ(deaths.nearest_time(), 12u);
  EXPECT_EQ(deaths.nearest_slot(), (1u << 24) - 1);
  deaths.pop();
  EXPECT_EQ(deaths.nearest_time(), synthetic::DeathQueue::kNeverTime);
  EXPECT_EQ(deaths.nearest_slot(), 3u) << "never, ties by slot";
  deaths.pop();
  EXPECT_EQ(deaths.nearest_slot(), 7u);
  deaths.pop();
  EXPECT_TRUE(deaths.empty());
}

}  // namespace
}  // namespace gclab
