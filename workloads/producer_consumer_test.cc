#include "workloads/producer_consumer.h"

#include <gtest/gtest.h>

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

// Small enough for the sanitizer builds; capacity 8 makes producers wait on
// full queues and consumers on empty ones many times.
ProducerConsumerParams tiny_params() {
  return {.messages = 1500, .message_size = 6, .payload = 40, .capacity = 8};
}

// What one run did, read once its mutators have detached.
struct RunResult {
  std::vector<WorkloadReport> reports;
  std::string error;
  MutatorCounters totals;
  std::size_t collections = 0;
};

// `mutators` threads on one workload, as `gclab run --mutators` runs them,
// on a heap made for that many; mark-sweep verified and stressed unless
// `unreclaimed`.
RunResult run(int mutators, std::uint64_t seed, bool unreclaimed = false,
              ProducerConsumerParams params = tiny_params()) {
  HeapOptions options{.heap_bytes = 4 << 20,
                      .verify = true,
                      .stress_interval = 97,
                      .mutators = mutators};
  if (unreclaimed) options = {.heap_bytes = 64 << 20, .mutators = mutators};
  auto heap = testing::make_heap(unreclaimed ? "none" : "mark-sweep",
                                 unreclaimed ? "bump" : "free-list", options);
  ProducerConsumerWorkload workload(params);
  RunResult result;
  result.reports.resize(mutators);
  result.error = testing::run_mutator_threads(
      *heap, mutators, [&](Mutator& mutator, int index) {
        result.reports[index] = workload.run(mutator, seed + index);
      });
  result.totals = heap->mutator_totals();
  result.collections = heap->events().cycles().size();
  return result;
}

// The "produced N messages" count of a report.
std::uint64_t produced_messages(const WorkloadReport& report) {
  constexpr std::string_view kPrefix = "produced ";
  for (const std::string& line : report.output) {
    if (line.starts_with(kPrefix)) return std::stoull(line.substr(9));
  }
  ADD_FAILURE() << "the report has no produced line";
  return 0;
}

TEST(ProducerConsumerTest, OneMutatorConsumesEveryMessageUnderVerifyAndStress) {
  RunResult result = run(1, 1);
  ASSERT_EQ(result.error, "");
  const WorkloadReport& report = result.reports[0];
  EXPECT_EQ(produced_messages(report), 1500u);
  EXPECT_EQ(report.checks_passed, 1500u + 1)
      << "every message checked, and the totals";
  EXPECT_EQ(report.output.back(),
            "this mutator produced 1500 and consumed 1500");
  EXPECT_GT(result.collections, 50u)
      << "--stress 97 should have collected many times";
}

// Two and three mutators: one and two producers, one consumer; every
// message is consumed once (the workload's own totals check), across many
// stressed collections while producers and consumers wait on each other.
TEST(ProducerConsumerTest, EveryMessageIsConsumedOnceAcrossThreads) {
  for (int mutators : {2, 3}) {
    SCOPED_TRACE(std::to_string(mutators) + " mutators");
    RunResult result = run(mutators, 5);
    ASSERT_EQ(result.error, "");
    const std::uint64_t producers = (mutators + 1) / 2;
    std::uint64_t consumed = 0;
    for (const WorkloadReport& report : result.reports) {
      EXPECT_EQ(produced_messages(report), 1500 * producers);
      EXPECT_EQ(report.checksum, result.reports[0].checksum)
          << "every mutator reports the run's digest";
      consumed += report.checks_passed - 1;
    }
    EXPECT_EQ(consumed, 1500 * producers);
    EXPECT_GT(result.collections, 50u);
  }
}

TEST(ProducerConsumerTest, FourMutatorsFeedTwoQueues) {
  RunResult result = run(4, 9);
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.reports[0].output[0],
            "producer-consumer: 2 producers, 2 queues of 8 slots");
  // Each producer round-robins over both queues: both consumers get half.
  EXPECT_EQ(result.reports[1].checks_passed - 1, 1500u);
  EXPECT_EQ(result.reports[3].checks_passed - 1, 1500u);
}

TEST(ProducerConsumerTest, SameSeedGivesTheSameRun) {
  RunResult first = run(1, 3, /*unreclaimed=*/true);
  RunResult second = run(1, 3, /*unreclaimed=*/true);
  ASSERT_EQ(first.error, "");
  ASSERT_EQ(second.error, "");
  EXPECT_EQ(first.totals.objects_allocated, second.totals.objects_allocated);
  EXPECT_EQ(first.totals.bytes_allocated, second.totals.bytes_allocated);
  EXPECT_EQ(first.reports[0].checksum, second.reports[0].checksum);
  EXPECT_NE(first.reports[0].checksum, 0u);
}

TEST(ProducerConsumerTest, SameSeedGivesTheSameDigestWithTwoMutators) {
  RunResult first = run(2, 3);
  RunResult second = run(2, 3);
  ASSERT_EQ(first.error, "");
  ASSERT_EQ(second.error, "");
  EXPECT_EQ(first.reports[0].checksum, second.reports[0].checksum);
  EXPECT_EQ(first.totals.objects_allocated, second.totals.objects_allocated);
}

TEST(ProducerConsumerTest, AnotherSeedGivesAnotherRun) {
  RunResult first = run(1, 3, /*unreclaimed=*/true);
  RunResult other = run(1, 4, /*unreclaimed=*/true);
  EXPECT_NE(first.reports[0].checksum, other.reports[0].checksum);
  EXPECT_NE(first.totals.bytes_allocated, other.totals.bytes_allocated);
}

TEST(ProducerConsumerTest, AWorkloadRunsAgainWithTheSameResult) {
  auto heap = testing::make_unreclaimed_heap();
  ProducerConsumerWorkload workload(tiny_params());
  std::uint64_t checksums[2];
  for (std::uint64_t& checksum : checksums) {
    Mutator mutator(*heap);
    checksum = workload.run(mutator, 7).checksum;
  }
  EXPECT_EQ(checksums[0], checksums[1]);
}

// Flips one payload word of every message node in the heap at each
// collection: the queued messages are damaged, and a consumer must notice.
class CorruptingCollector final : public Collector {
 public:
  explicit CorruptingCollector(Heap& heap) : heap_(heap) {}

  CollectorCapabilities capabilities() const override { return {}; }

  void collect(Mutator* requester, GcCause) override {
    Heap::WorldStop world(heap_, requester, PauseKind::kFull);
    if (!world.stopped()) return;
    std::vector<std::string> names = heap_.site_names();
    heap_.allocator().for_each_object([&](Object* object) {
      if (names.at(object->site()) == "producer-consumer.node") {
        object->payload_as<std::uint64_t>()[1] ^= 1;
      }
    });
  }

 private:
  Heap& heap_;
};

TEST(ProducerConsumerTest, ADamagedMessageIsCaughtByTheConsumer) {
  auto heap = testing::make_heap_with(
      [](Heap& h) { return std::make_unique<CorruptingCollector>(h); }, "bump",
      {.heap_bytes = 64 << 20, .stress_interval = 500});
  ProducerConsumerWorkload workload(tiny_params());
  Mutator mutator(*heap);
  try {
    workload.run(mutator, 1);
    FAIL() << "a damaged message went unnoticed";
  } catch (const WorkloadCheckFailed& error) {
    EXPECT_TRUE(std::string_view(error.what())
                    .starts_with("producer-consumer: the message at queue 0"))
        << error.what();
    EXPECT_NE(std::string_view(error.what()).find("a node has check word"),
              std::string_view::npos)
        << error.what();
  }
}

TEST(ProducerConsumerTest, AMutatorTheHeapWasNotMadeForIsRejected) {
  auto heap = testing::make_unreclaimed_heap();
  ProducerConsumerWorkload workload(tiny_params());
  Mutator mutator(*heap, /*index=*/1);
  try {
    workload.run(mutator, 1);
    FAIL() << "mutator 1 of a one-mutator heap was accepted";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(),
                 "producer-consumer: mutator 1 runs, but the heap was made "
                 "for 1 (HeapOptions::mutators)");
  }
}

TEST(ProducerConsumerParamsTest, RegistryDefaultsMatchTheParamsStruct) {
  const WorkloadEntry& entry = find_workload("producer-consumer");
  ProducerConsumerParams params =
      producer_consumer_params(ParamValues(entry.params, {}));
  ProducerConsumerParams defaults;
  EXPECT_EQ(params.messages, defaults.messages);
  EXPECT_EQ(params.message_size, defaults.message_size);
  EXPECT_EQ(params.payload, defaults.payload);
  EXPECT_EQ(params.capacity, defaults.capacity);
}

TEST(ProducerConsumerParamsTest, RejectsParametersOutOfRange) {
  const WorkloadEntry& entry = find_workload("producer-consumer");
  auto error_for = [&](std::string name, std::string value) -> std::string {
    try {
      entry.make(ParamValues(entry.params, {{name, value}}));
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error_for("message-size", "0"),
            "producer-consumer: message-size is 0, expected 1..255");
  EXPECT_EQ(error_for("message-size", "256"),
            "producer-consumer: message-size is 256, expected 1..255");
  EXPECT_EQ(error_for("capacity", "0"),
            "producer-consumer: capacity is 0, expected 1..65535");
  EXPECT_EQ(error_for("payload", "-1"),
            "producer-consumer: payload is -1, expected 0..65536");
  EXPECT_EQ(error_for("messages", "-5"),
            "producer-consumer: messages is -5, expected 0..1099511627775");
}

}  // namespace
}  // namespace gclab
