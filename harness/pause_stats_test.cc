#include "harness/pause_stats.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace gclab {
namespace {

TEST(PauseStatsTest, NoPausesGiveAllZeros) {
  PauseSummary summary = summarize_pauses({});
  EXPECT_EQ(summary.count, 0);
  EXPECT_EQ(summary.total_ns, 0);
  EXPECT_EQ(summary.mean_ns, 0);
  EXPECT_EQ(summary.p50_ns, 0);
  EXPECT_EQ(summary.p999_ns, 0);
  EXPECT_EQ(summary.max_ns, 0);
}

TEST(PauseStatsTest, OnePauseIsEveryPercentile) {
  std::vector<std::int64_t> durations = {42};
  PauseSummary summary = summarize_pauses(durations);
  EXPECT_EQ(summary.count, 1);
  EXPECT_EQ(summary.p50_ns, 42);
  EXPECT_EQ(summary.p90_ns, 42);
  EXPECT_EQ(summary.p99_ns, 42);
  EXPECT_EQ(summary.p999_ns, 42);
  EXPECT_EQ(summary.max_ns, 42);
}

TEST(PauseStatsTest, NearestRankOnOneToHundred) {
  std::vector<std::int64_t> durations(100);
  std::iota(durations.rbegin(), durations.rend(), 1);  // 100 down to 1
  PauseSummary summary = summarize_pauses(durations);
  EXPECT_EQ(summary.p50_ns, 50) << "rank ceil(0.5 * 100) = 50";
  EXPECT_EQ(summary.p90_ns, 90);
  EXPECT_EQ(summary.p99_ns, 99);
  EXPECT_EQ(summary.p999_ns, 100) << "rank ceil(0.999 * 100) = 100";
  EXPECT_EQ(summary.max_ns, 100);
  EXPECT_EQ(summary.total_ns, 5050);
}

TEST(PauseStatsTest, P999OfThousandPausesIsRank999) {
  std::vector<std::int64_t> durations(1000);
  std::iota(durations.begin(), durations.end(), 1);
  EXPECT_EQ(summarize_pauses(durations).p999_ns, 999)
      << "no rounding of 0.999 * 1000 may push the rank to 1000";
}

TEST(PauseStatsTest, NearestRankRoundsTheRankUp) {
  std::vector<std::int64_t> sorted = {10, 20, 30};
  EXPECT_EQ(nearest_rank_percentile(sorted, 500), 20) << "rank ceil(1.5) = 2";
  EXPECT_EQ(nearest_rank_percentile(sorted, 0), 10) << "rank 0 clamps to 1";
  EXPECT_EQ(nearest_rank_percentile(sorted, 334), 20) << "rank ceil(1.002)";
}

TEST(PauseStatsTest, MeanRoundsToNearestNanosecond) {
  std::vector<std::int64_t> durations = {1, 2};
  EXPECT_EQ(summarize_pauses(durations).mean_ns, 2) << "1.5 rounds up";
  std::vector<std::int64_t> thirds = {1, 1, 2};
  EXPECT_EQ(summarize_pauses(thirds).mean_ns, 1) << "1.33 rounds down";
}

}  // namespace
}  // namespace gclab
