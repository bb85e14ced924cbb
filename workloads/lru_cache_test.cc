#include "workloads/lru_cache.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"
#include "testing/mutator_threads.h"
#include "testing/test_heap.h"
#include "workloads/registry.h"

namespace gclab {
namespace {

// Small enough for the sanitizer builds; 3000 requests over 64 entries
// evict every entry many times over.
LruCacheParams tiny_params() {
  return {.requests = 3000,
          .capacity = 64,
          .hit_rate = 0.8,
          .value_size = 3,
          .payload = 40};
}

std::unique_ptr<Heap> verified_stressed_heap() {
  return testing::make_heap(
      "mark-sweep", "free-list",
      {.heap_bytes = 4 << 20, .verify = true, .stress_interval = 97});
}

WorkloadReport run_one(Heap& heap, const LruCacheParams& params,
                       std::uint64_t seed) {
  LruCacheWorkload workload(params);
  Mutator mutator(heap);
  return workload.run(mutator, seed);
}

// The measured rate of the report's "hit rate R measured, ..." line.
double measured_hit_rate(const WorkloadReport& report) {
  constexpr std::string_view kPrefix = "hit rate ";
  for (const std::string& line : report.output) {
    if (line.starts_with(kPrefix)) return std::stod(line.substr(9));
  }
  ADD_FAILURE() << "the report has no hit rate line";
  return -1;
}

TEST(LruCacheTest, RunsCleanUnderVerifyAndStress) {
  auto heap = verified_stressed_heap();
  WorkloadReport report = run_one(*heap, tiny_params(), 1);
  EXPECT_GT(report.checks_passed, 2000u) << "every hit is checked";
  EXPECT_GT(heap->events().cycles().size(), 10u)
      << "--stress 97 should have collected many times";
  EXPECT_EQ(heap->verifier().stats().heaps_verified,
            heap->events().cycles().size());
}

TEST(LruCacheTest, MeasuredHitRateIsWithinToleranceOfTheParameter) {
  for (double rate : {0.0, 0.25, 0.8, 0.95, 1.0}) {
    SCOPED_TRACE("hit-rate " + std::to_string(rate));
    auto heap = testing::make_unreclaimed_heap();
    LruCacheParams params = tiny_params();
    params.requests = 20000;
    params.hit_rate = rate;
    double measured = measured_hit_rate(run_one(*heap, params, 2));
    // Hits are binomial: four standard deviations, and the output's four
    // decimals.
    double sigma = std::sqrt(rate * (1 - rate) / 20000.0);
    EXPECT_NEAR(measured, rate, 4 * sigma + 1e-4);
  }
}

TEST(LruCacheTest, EveryMissEvictsOnceTheCacheIsFull) {
  auto heap = testing::make_unreclaimed_heap();
  WorkloadReport report = run_one(*heap, tiny_params(), 3);
  ASSERT_EQ(report.output.size(), 3u);
  EXPECT_EQ(report.output[0],
            "lru-cache: 64 entries, 3000 requests after filling");
  unsigned long long hits = 0, misses = 0, evictions = 0;
  ASSERT_EQ(std::sscanf(report.output[2].c_str(),
                        "%llu hits, %llu misses, %llu evictions", &hits,
                        &misses, &evictions),
            3)
      << report.output[2];
  EXPECT_EQ(hits + misses, 3000u);
  EXPECT_EQ(evictions, misses);
  EXPECT_EQ(report.checks_passed, hits + 1) << "every hit, and the list";
}

// Evicted entries are garbage: no collection finds more than the cache
// holds, plus the one entry being inserted.
TEST(LruCacheTest, EvictedEntriesAreGarbage) {
  auto heap = verified_stressed_heap();
  LruCacheParams params = tiny_params();
  run_one(*heap, params, 4);
  const std::size_t entry =
      ObjectShape{.num_refs = 4, .payload_bytes = 24}.size_bytes();
  const std::size_t value =
      params.value_size *
      ObjectShape{
          .num_refs = 1,
          .payload_bytes = static_cast<std::uint32_t>(24 + params.payload)}
          .size_bytes();
  const std::size_t bound = (params.capacity + 1) * (entry + value) +
                            ObjectShape{.num_refs = 64}.size_bytes() +
                            ObjectShape{.num_refs = 3}.size_bytes();
  const auto& cycles = heap->events().cycles();
  ASSERT_GT(cycles.size(), 10u);
  for (const CycleRecord& cycle : cycles) {
    EXPECT_LE(cycle.marked_bytes, bound) << "collection " << cycle.index;
  }
}

TEST(LruCacheTest, SameSeedGivesTheSameRun) {
  MutatorCounters totals[2];
  std::uint64_t checksums[2];
  for (int i = 0; i < 2; ++i) {
    auto heap = testing::make_unreclaimed_heap();
    checksums[i] = run_one(*heap, tiny_params(), 5).checksum;
    totals[i] = heap->mutator_totals();
  }
  EXPECT_EQ(totals[0].objects_allocated, totals[1].objects_allocated);
  EXPECT_EQ(totals[0].bytes_allocated, totals[1].bytes_allocated);
  EXPECT_EQ(checksums[0], checksums[1]);
  EXPECT_NE(checksums[0], 0u);
}

TEST(LruCacheTest, AnotherSeedGivesAnotherRun) {
  auto heap = testing::make_unreclaimed_heap();
  EXPECT_NE(run_one(*heap, tiny_params(), 5).checksum,
            run_one(*heap, tiny_params(), 6).checksum);
}

// Each mutator runs its own cache: its report is the one its seed gives
// alone.
TEST(LruCacheTest, MutatorsRunIndependentCaches) {
  auto heap = testing::make_heap("mark-sweep", "free-list",
                                 {.heap_bytes = 4 << 20,
                                  .verify = true,
                                  .stress_interval = 97,
                                  .mutators = 2});
  LruCacheWorkload workload(tiny_params());
  std::vector<WorkloadReport> reports(2);
  ASSERT_EQ(testing::run_mutator_threads(*heap, 2,
                                         [&](Mutator& mutator, int index) {
                                           reports[index] =
                                               workload.run(mutator, 7 + index);
                                         }),
            "");
  for (int index = 0; index < 2; ++index) {
    auto alone = testing::make_unreclaimed_heap();
    WorkloadReport expected = run_one(*alone, tiny_params(), 7 + index);
    EXPECT_EQ(reports[index].checksum, expected.checksum) << index;
    EXPECT_EQ(reports[index].output, expected.output) << index;
  }
}

// Flips the check word of every value object in the heap at each
// collection: the next hit must notice.
class CorruptingCollector final : public Collector {
 public:
  explicit CorruptingCollector(Heap& heap) : heap_(heap) {}

  CollectorCapabilities capabilities() const override { return {}; }

  void collect(Mutator* requester, GcCause) override {
    Heap::WorldStop world(heap_, requester, PauseKind::kFull);
    if (!world.stopped()) return;
    std::vector<std::string> names = heap_.site_names();
    heap_.allocator().for_each_object([&](Object* object) {
      if (names.at(object->site()) == "lru-cache.value") {
        object->payload_as<std::uint64_t>()[1] ^= 1;
      }
    });
  }

 private:
  Heap& heap_;
};

TEST(LruCacheTest, ADamagedValueIsCaughtByAHit) {
  auto heap = testing::make_heap_with(
      [](Heap& h) { return std::make_unique<CorruptingCollector>(h); }, "bump",
      {.heap_bytes = 64 << 20, .stress_interval = 500});
  try {
    run_one(*heap, tiny_params(), 1);
    FAIL() << "a damaged value went unnoticed";
  } catch (const WorkloadCheckFailed& error) {
    EXPECT_TRUE(
        std::string_view(error.what()).starts_with("lru-cache: object "))
        << error.what();
    EXPECT_NE(std::string_view(error.what()).find("and check word"),
              std::string_view::npos)
        << error.what();
  }
}

TEST(LruCacheParamsTest, RegistryDefaultsMatchTheParamsStruct) {
  const WorkloadEntry& entry = find_workload("lru-cache");
  LruCacheParams params = lru_cache_params(ParamValues(entry.params, {}));
  LruCacheParams defaults;
  EXPECT_EQ(params.requests, defaults.requests);
  EXPECT_EQ(params.capacity, defaults.capacity);
  EXPECT_EQ(params.hit_rate, defaults.hit_rate);
  EXPECT_EQ(params.value_size, defaults.value_size);
  EXPECT_EQ(params.payload, defaults.payload);
}

TEST(LruCacheParamsTest, RejectsParametersOutOfRange) {
  const WorkloadEntry& entry = find_workload("lru-cache");
  auto error_for = [&](std::string name, std::string value) -> std::string {
    try {
      entry.make(ParamValues(entry.params, {{name, value}}));
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error_for("hit-rate", "1.5"),
            "lru-cache: hit-rate is 1.500000, expected 0..1");
  EXPECT_EQ(error_for("hit-rate", "-0.1"),
            "lru-cache: hit-rate is -0.100000, expected 0..1");
  EXPECT_EQ(error_for("capacity", "0"),
            "lru-cache: capacity is 0, expected 1..1048576");
  EXPECT_EQ(error_for("value-size", "256"),
            "lru-cache: value-size is 256, expected 1..255");
  EXPECT_EQ(error_for("payload", "-1"),
            "lru-cache: payload is -1, expected 0..65536");
  EXPECT_EQ(error_for("requests", "-1"),
            "lru-cache: requests is -1, expected 0..1099511627776");
}

}  // namespace
}  // namespace gclab
