#include "harness/summary.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

TEST(SummaryTest, DurationsPickAReadableUnit) {
  EXPECT_EQ(format_duration(812), "812 ns");
  EXPECT_EQ(format_duration(3'400), "3.4 us");
  EXPECT_EQ(format_duration(12'310'000), "12.31 ms");
  EXPECT_EQ(format_duration(1'204'000'000), "1.204 s");
}

TEST(SummaryTest, BytesUseBinaryUnits) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(3 * 1024), "3.0 KiB");
  EXPECT_EQ(format_bytes(64.0 * 1024 * 1024), "64.0 MiB");
}

TEST(SummaryTest, RowReadsAGclabReport) {
  Json report = {
      {"time", {{"wall_ns", 100}, {"gc_cpu_ns", 10}}},
      {"pauses",
       {{"total_ns", 9}, {"p50_ns", 2}, {"p99_ns", 5}, {"max_ns", 6}}},
      {"mmu",
       {{"windows",
         {{{"window_ns", 1'000'000}, {"mmu", 0.25}},
          {{"window_ns", 10'000'000}, {"mmu", 0.5}},
          {{"window_ns", 100'000'000}, {"mmu", 0.75}}}}}},
      {"heap", {{"peak_committed_bytes", 4096}}},
      {"cycles", Json::array({Json::object(), Json::object()})},
  };
  SummaryRow row = summary_row(report);
  EXPECT_EQ(row.wall_ns, 100);
  EXPECT_EQ(row.gc_cpu_ns, 10);
  EXPECT_EQ(row.pause_total_ns, 9);
  EXPECT_EQ(row.collections, 2);
  EXPECT_EQ(row.pause_p99_ns, 5);
  EXPECT_EQ(row.mmu_1ms, 0.25);
  EXPECT_EQ(row.mmu_10ms, 0.5);
  EXPECT_EQ(row.mmu_100ms, 0.75);
  EXPECT_EQ(row.peak_heap_bytes, 4096);
}

TEST(SummaryTest, RowOfABaselineComputesMmuFromItsPauses) {
  Json baseline = {
      {"time", {{"wall_ns", 20'000'000}}},
      {"pauses",
       {{"max_ns", 5'000'000},
        {"list", {{{"start_ns", 0}, {"duration_ns", 5'000'000}}}}}},
      {"cycles_count", 1},
  };
  SummaryRow row = summary_row(baseline);
  EXPECT_EQ(row.collections, 1);
  ASSERT_TRUE(row.mmu_10ms.has_value());
  EXPECT_DOUBLE_EQ(*row.mmu_10ms, 0.5) << "5 ms paused in [0, 10 ms]";
  EXPECT_DOUBLE_EQ(*row.mmu_1ms, 0.0) << "a 1 ms window inside the pause";
  EXPECT_FALSE(row.mmu_100ms.has_value()) << "the run is shorter";
  EXPECT_FALSE(row.gc_cpu_ns.has_value()) << "the field is missing";
}

TEST(SummaryTest, MedianOfOddAndEvenCounts) {
  std::vector<SummaryRow> rows(3);
  rows[0].wall_ns = 30;
  rows[1].wall_ns = 10;
  rows[2].wall_ns = 20;
  rows[0].collections = 1;
  rows[1].collections = 4;
  EXPECT_EQ(median_row(rows).wall_ns, 20);
  EXPECT_EQ(median_row(rows).collections, 2.5)
      << "the mean of the middle two of the runs that have the field";
  EXPECT_FALSE(median_row(rows).mmu_10ms.has_value());
}

TEST(SummaryTest, TableShowsMissingValuesAsDashes) {
  SummaryRow row;
  row.wall_ns = 1'500'000;
  std::vector<LabelledRow> rows = {{"none/bump", row}};
  std::ostringstream out;
  print_table(out, rows);
  std::string text = out.str();
  EXPECT_NE(text.find("none/bump"), std::string::npos);
  EXPECT_NE(text.find("1.50 ms"), std::string::npos);
  EXPECT_NE(text.find(" -"), std::string::npos) << text;
}

TEST(SummaryTest, TableShowsAnOutcomeInPlaceOfTheFigures) {
  SummaryRow figures;
  figures.wall_ns = 1'500'000;
  std::vector<LabelledRow> rows = {
      {"none/free-list heap=256K", {}, "heap exhausted"},
      {"none/free-list heap=8M", figures, {}},
  };
  std::ostringstream out;
  print_table(out, rows);
  std::istringstream lines(out.str());
  std::string header, exhausted, measured;
  std::getline(lines, header);
  std::getline(lines, exhausted);
  std::getline(lines, measured);
  EXPECT_EQ(exhausted, "none/free-list heap=256K  heap exhausted")
      << "the outcome follows the label column, with no figures";
  EXPECT_TRUE(measured.starts_with("none/free-list heap=8M    "))
      << "labels stay padded to the widest: " << measured;
  EXPECT_EQ(header.find("      wall"), exhausted.find("heap exhausted"))
      << "the outcome starts where the first column does:\n"
      << out.str();
}

}  // namespace
}  // namespace gclab
