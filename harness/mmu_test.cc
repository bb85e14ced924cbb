#include "harness/mmu.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace gclab {
namespace {

constexpr std::int64_t kMs = 1'000'000;

// The definition, evaluated on every integer window position: exact when
// all pause ends are integers, because then some worst window has integer
// ends too.
double brute_force_mmu(const std::vector<PauseInterval>& pauses,
                       std::int64_t run, std::int64_t window) {
  std::vector<bool> paused(run, false);
  for (const PauseInterval& pause : pauses) {
    for (std::int64_t t = std::max<std::int64_t>(pause.start_ns, 0);
         t < std::min(pause.end_ns, run); ++t) {
      paused[t] = true;
    }
  }
  double worst = 1.0;
  for (std::int64_t start = 0; start + window <= run; ++start) {
    auto in_pause = std::count(paused.begin() + start,
                               paused.begin() + start + window, true);
    worst = std::min(worst, 1.0 - static_cast<double>(in_pause) / window);
  }
  return worst;
}

std::vector<PauseInterval> random_pauses(std::mt19937_64& random,
                                         std::int64_t run) {
  std::uniform_int_distribution<std::int64_t> count(0, 6);
  std::uniform_int_distribution<std::int64_t> start(-5, run);
  std::uniform_int_distribution<std::int64_t> length(1, 12);
  std::vector<PauseInterval> pauses;
  for (std::int64_t n = count(random); n > 0; --n) {
    std::int64_t begin = start(random);
    pauses.push_back({begin, begin + length(random)});
  }
  return pauses;
}

TEST(PauseTimelineTest, NoPausesGiveFullUtilisation) {
  PauseTimeline timeline({}, 10 * kMs);
  EXPECT_EQ(timeline.mmu(kMs), 1.0) << "a run without pauses is all mutator";
  EXPECT_EQ(timeline.bmu(kMs), 1.0);
  EXPECT_EQ(timeline.mmu(10 * kMs), 1.0);
}

TEST(PauseTimelineTest, OnePauseOfOneMsInTenMsRun) {
  std::vector<PauseInterval> pauses = {{4 * kMs, 5 * kMs}};
  PauseTimeline timeline(pauses, 10 * kMs);
  EXPECT_DOUBLE_EQ(timeline.mmu(kMs), 0.0) << "a 1 ms window fits the pause";
  EXPECT_DOUBLE_EQ(timeline.mmu(2 * kMs), 0.5)
      << "a 2 ms window holds the whole 1 ms pause at worst";
  EXPECT_DOUBLE_EQ(timeline.mmu(10 * kMs), 0.9)
      << "the whole run is 90% mutator";
  EXPECT_DOUBLE_EQ(timeline.mmu(kMs / 2), 0.0);
}

TEST(PauseTimelineTest, WindowCoveringTwoClosePausesIsWorst) {
  std::vector<PauseInterval> pauses = {{2 * kMs, 3 * kMs}, {4 * kMs, 5 * kMs}};
  PauseTimeline timeline(pauses, 20 * kMs);
  EXPECT_DOUBLE_EQ(timeline.mmu(2 * kMs), 0.5);
  EXPECT_DOUBLE_EQ(timeline.mmu(3 * kMs), 1.0 / 3.0)
      << "[2 ms, 5 ms] holds both pauses: 2 ms of 3 ms paused";
  EXPECT_DOUBLE_EQ(timeline.mmu(4 * kMs), 0.5);
}

TEST(PauseTimelineTest, PauseAtRunStartIsCounted) {
  std::vector<PauseInterval> pauses = {{0, kMs}};
  PauseTimeline timeline(pauses, 10 * kMs);
  EXPECT_DOUBLE_EQ(timeline.mmu(kMs), 0.0);
  EXPECT_DOUBLE_EQ(timeline.mmu(2 * kMs), 0.5) << "window [0, 2 ms]";
  EXPECT_DOUBLE_EQ(timeline.mmu(10 * kMs), 0.9);
}

TEST(PauseTimelineTest, PauseAtRunEndIsCounted) {
  std::vector<PauseInterval> pauses = {{9 * kMs, 10 * kMs}};
  PauseTimeline timeline(pauses, 10 * kMs);
  EXPECT_DOUBLE_EQ(timeline.mmu(kMs), 0.0);
  EXPECT_DOUBLE_EQ(timeline.mmu(4 * kMs), 0.75) << "window [6 ms, 10 ms]";
}

TEST(PauseTimelineTest, PausesReachingOutsideTheRunAreClamped) {
  std::vector<PauseInterval> pauses = {{-kMs, kMs}, {9 * kMs, 12 * kMs}};
  PauseTimeline timeline(pauses, 10 * kMs);
  EXPECT_DOUBLE_EQ(timeline.mmu(10 * kMs), 0.8)
      << "only the 1 ms of each pause inside [0, 10 ms] counts";
}

TEST(PauseTimelineTest, OverlappingPausesAreCountedOnce) {
  std::vector<PauseInterval> pauses = {{2 * kMs, 4 * kMs}, {3 * kMs, 5 * kMs}};
  PauseTimeline timeline(pauses, 10 * kMs);
  EXPECT_DOUBLE_EQ(timeline.mmu(10 * kMs), 0.7) << "the union is 3 ms";
}

TEST(PauseTimelineTest, WindowOutsideTheRunIsRejected) {
  PauseTimeline timeline({}, 10 * kMs);
  EXPECT_THROW(timeline.mmu(0), std::invalid_argument);
  EXPECT_THROW(timeline.mmu(11 * kMs), std::invalid_argument);
}

TEST(PauseTimelineTest, MmuMatchesBruteForceOnRandomPauses) {
  std::mt19937_64 random(7);
  constexpr std::int64_t kRun = 60;
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<PauseInterval> pauses = random_pauses(random, kRun);
    PauseTimeline timeline(pauses, kRun);
    for (std::int64_t window = 1; window <= kRun; ++window) {
      ASSERT_NEAR(timeline.mmu(window), brute_force_mmu(pauses, kRun, window),
                  1e-12)
          << "trial " << trial << ", window " << window;
    }
  }
}

TEST(PauseTimelineTest, BmuIsLeastMmuOverAllLongerWindows) {
  std::mt19937_64 random(11);
  constexpr std::int64_t kRun = 60;
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<PauseInterval> pauses = random_pauses(random, kRun);
    PauseTimeline timeline(pauses, kRun);
    double expected = 1.0;
    for (std::int64_t window = kRun; window >= 1; --window) {
      expected = std::min(expected, brute_force_mmu(pauses, kRun, window));
      ASSERT_NEAR(timeline.bmu(window), expected, 1e-12)
          << "trial " << trial << ", window " << window;
    }
  }
}

TEST(PauseTimelineTest, BmuSeesAWorseLongerWindow) {
  std::vector<PauseInterval> pauses = {{2 * kMs, 3 * kMs}, {4 * kMs, 5 * kMs}};
  PauseTimeline timeline(pauses, 20 * kMs);
  EXPECT_DOUBLE_EQ(timeline.mmu(2 * kMs), 0.5);
  EXPECT_DOUBLE_EQ(timeline.bmu(2 * kMs), 1.0 / 3.0)
      << "the 3 ms window over both pauses is worse than any 2 ms window";
}

TEST(UtilisationWindowsTest, FourPerDecadeFromHundredMicroseconds) {
  std::vector<std::int64_t> windows = utilisation_windows(1'000'000'000);
  std::vector<std::int64_t> expected = {
      100'000,     177'828,      316'228,     562'341,     1'000'000,
      1'778'279,   3'162'278,    5'623'413,   10'000'000,  17'782'794,
      31'622'777,  56'234'133,   100'000'000, 177'827'941, 316'227'766,
      562'341'325, 1'000'000'000};
  EXPECT_EQ(windows, expected);
}

TEST(UtilisationWindowsTest, EndWithTheRunLength) {
  std::vector<std::int64_t> windows = utilisation_windows(2'500'000);
  std::vector<std::int64_t> expected = {100'000,   177'828,   316'228,  562'341,
                                        1'000'000, 1'778'279, 2'500'000};
  EXPECT_EQ(windows, expected);
}

TEST(UtilisationWindowsTest, RunShorterThanFirstWindowHasOnlyItsLength) {
  EXPECT_EQ(utilisation_windows(50'000), std::vector<std::int64_t>{50'000});
  EXPECT_TRUE(utilisation_windows(0).empty());
}

TEST(UtilisationCurveTest, BmuIsNonDecreasingAndNeverAboveMmu) {
  std::mt19937_64 random(3);
  std::uniform_int_distribution<std::int64_t> start(0, 1'000 * kMs);
  std::uniform_int_distribution<std::int64_t> length(1, 5 * kMs);
  std::vector<PauseInterval> pauses;
  for (int i = 0; i < 300; ++i) {
    std::int64_t begin = start(random);
    pauses.push_back({begin, begin + length(random)});
  }
  std::vector<UtilisationPoint> curve = utilisation_curve(pauses, 1'000 * kMs);
  ASSERT_FALSE(curve.empty());
  for (std::size_t i = 0; i < curve.size(); ++i) {
    EXPECT_LE(curve[i].bmu, curve[i].mmu) << "at window " << curve[i].window_ns;
    EXPECT_GE(curve[i].mmu, 0.0);
    EXPECT_LE(curve[i].mmu, 1.0);
    if (i > 0) {
      EXPECT_GE(curve[i].bmu, curve[i - 1].bmu)
          << "BMU fell from window " << curve[i - 1].window_ns << " to "
          << curve[i].window_ns;
    }
  }
}

}  // namespace
}  // namespace gclab
