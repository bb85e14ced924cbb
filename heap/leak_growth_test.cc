// The growth test on synthetic census series: K new highs in a row flag a
// site, K - 1 do not; a broken streak starts again; a fluctuating or
// filled-then-steady site is never flagged; growth is measured over the
// streak.
#include "heap/leak_growth.h"

#include <gtest/gtest.h>

#include <vector>

namespace gclab {
namespace {

using Series = std::vector<std::vector<std::uint64_t>>;  // census, then site

// Feeds `series`, allocating 1 MiB between censuses; returns, per census,
// the sites that wanted a path.
std::vector<std::vector<std::uint16_t>> feed(LeakGrowth& growth,
                                             const Series& series) {
  std::vector<std::vector<std::uint16_t>> wanted;
  for (std::uint32_t census = 0; census < series.size(); ++census) {
    wanted.push_back(
        growth.observe(census, std::uint64_t{census} << 20, series[census]));
  }
  return wanted;
}

TEST(LeakGrowthTest, KNewHighsInARowFlagASiteAndKMinusOneDoNot) {
  LeakGrowth growth(3);
  // Site 0 grows at censuses 1, 2 (K - 1), then stays; site 1 at 1, 2, 3.
  feed(growth, {{10, 10}, {20, 20}, {30, 30}, {30, 40}, {30, 40}});
  std::vector<GrowingSite> flagged = growth.flagged();
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_EQ(flagged[0].site, 1);
  EXPECT_EQ(flagged[0].flagged_at_census, 3u);
  EXPECT_EQ(flagged[0].first_census, 1u);
  EXPECT_EQ(flagged[0].last_census, 3u);
  EXPECT_EQ(flagged[0].censuses, 3u);
  EXPECT_FALSE(flagged[0].growing_at_end);
}

TEST(LeakGrowthTest, GrowthIsMeasuredOverTheStreak) {
  LeakGrowth growth(2);
  // From 100 bytes at census 1 to 400 at census 4: 3 growths, 3 MiB.
  feed(growth, {{100}, {100}, {200}, {300}, {400}});
  std::vector<GrowingSite> flagged = growth.flagged();
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_TRUE(flagged[0].growing_at_end);
  EXPECT_EQ(flagged[0].bytes_before, 100u);
  EXPECT_EQ(flagged[0].bytes_at_last, 400u);
  EXPECT_DOUBLE_EQ(flagged[0].bytes_per_census(), 100.0);
  EXPECT_DOUBLE_EQ(flagged[0].bytes_per_mib_allocated(), 100.0);
}

TEST(LeakGrowthTest, ANewHighIsNeededNotARiseAfterADip) {
  LeakGrowth growth(2);
  // Up and down about a level, each rise from a dip: never above 90 again.
  feed(growth, {{50}, {90}, {60}, {80}, {40}, {85}, {70}, {89}, {30}, {88}});
  EXPECT_TRUE(growth.flagged().empty());
}

TEST(LeakGrowthTest, ABrokenStreakMustReachKAgain) {
  LeakGrowth growth(3);
  Series series = {{1}, {2}, {3}, {3}, {4}, {5}};  // 2 growths, a stop, 2
  feed(growth, series);
  EXPECT_TRUE(growth.flagged().empty());
  growth.observe(6, 6 << 20, std::vector<std::uint64_t>{6});
  ASSERT_EQ(growth.flagged().size(), 1u);
  EXPECT_EQ(growth.flagged()[0].first_census, 4u);
}

TEST(LeakGrowthTest, ACensusWithNothingAllocatedSinceIsPassedOver) {
  LeakGrowth growth(3);
  std::vector<std::uint64_t> bytes = {1};
  for (std::uint32_t census = 0; census < 4; ++census) {
    bytes[0] = census + 1;
    growth.observe(2 * census, census << 20, bytes);
    // Again, as a second collection for one failed allocation would.
    EXPECT_TRUE(growth.observe(2 * census + 1, census << 20, bytes).empty());
  }
  ASSERT_EQ(growth.flagged().size(), 1u);
  EXPECT_EQ(growth.flagged()[0].censuses, 3u);
}

TEST(LeakGrowthTest, SitesAppearingLaterGrowFromNothing) {
  LeakGrowth growth(2);
  auto wanted = feed(growth, {{5}, {5}, {5, 10}, {5, 20}});
  EXPECT_EQ(wanted.back(), std::vector<std::uint16_t>{1});
  ASSERT_EQ(growth.flagged().size(), 1u);
  EXPECT_EQ(growth.flagged()[0].bytes_before, 0u);
}

TEST(LeakGrowthTest, FlaggedSitesWantAPathWhileTheyGrowAndKeepTheLast) {
  LeakGrowth growth(2);
  auto wanted = feed(growth, {{1}, {2}, {3}, {4}});
  EXPECT_TRUE(wanted[1].empty());
  EXPECT_EQ(wanted[2], std::vector<std::uint16_t>{0});
  EXPECT_EQ(wanted[3], std::vector<std::uint16_t>{0});
  ObjectPath path{.root = RootKind::kGlobal, .steps = {{.site = 0}}};
  growth.set_path(0, 2, path);
  growth.set_path(0, 3, std::nullopt);  // no object of it reached then
  ASSERT_TRUE(growth.flagged()[0].path);
  EXPECT_EQ(growth.flagged()[0].path_census, 2u);
}

}  // namespace
}  // namespace gclab
