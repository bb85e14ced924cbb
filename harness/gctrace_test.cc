#include "harness/gctrace.h"

#include <gtest/gtest.h>

#include <string>

namespace gclab {
namespace {

// Lines printed by Go 1.19.8 (GOMAXPROCS=2) running bench/gcbench_go.
constexpr std::string_view kThirdCollection =
    "gc 3 @0.043s 11%: 0.029+6.9+0.041 ms clock, 0.058+0/0.92/6.0+0.082 ms "
    "cpu, 18->18->6 MB, 18 MB goal, 0 MB stacks, 0 MB globals, 2 P";
constexpr std::string_view kWholeMillisecondMark =
    "gc 2 @0.021s 17%: 0.018+10+0.067 ms clock, 0.036+4.1/4.8/0.056+0.13 ms "
    "cpu, 7->9->9 MB, 9 MB goal, 0 MB stacks, 0 MB globals, 2 P";
constexpr std::string_view kFirstCollection =
    "gc 1 @0.009s 6%: 0.62+4.0+0.086 ms clock, 0.12+0.13/0.33/3.3+0.17 ms "
    "cpu, 3->4->4 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P";

TEST(GctraceTest, ParsesEveryFieldOfARealLine) {
  GctraceCycle cycle = parse_gctrace_line(kThirdCollection);
  EXPECT_EQ(cycle.number, 3u);
  EXPECT_EQ(cycle.start_ns, 43'000'000) << "@0.043s is 43 ms";
  EXPECT_EQ(cycle.cumulative_gc_cpu_percent, 11);
  EXPECT_EQ(cycle.sweep_termination_ns, 29'000) << "0.029 ms";
  EXPECT_EQ(cycle.mark_ns, 6'900'000) << "6.9 ms";
  EXPECT_EQ(cycle.mark_termination_ns, 41'000) << "0.041 ms";
  EXPECT_EQ(cycle.sweep_termination_cpu_ns, 58'000);
  EXPECT_EQ(cycle.assist_mark_cpu_ns, 0) << "a bare 0 is zero time";
  EXPECT_EQ(cycle.background_mark_cpu_ns, 920'000);
  EXPECT_EQ(cycle.idle_mark_cpu_ns, 6'000'000);
  EXPECT_EQ(cycle.mark_termination_cpu_ns, 82'000);
  EXPECT_EQ(cycle.heap_start_mib, 18);
  EXPECT_EQ(cycle.heap_end_mib, 18);
  EXPECT_EQ(cycle.live_mib, 6);
  EXPECT_EQ(cycle.goal_mib, 18);
  EXPECT_EQ(cycle.stacks_mib, 0);
  EXPECT_EQ(cycle.globals_mib, 0);
  EXPECT_EQ(cycle.procs, 2);
  EXPECT_FALSE(cycle.forced);
}

TEST(GctraceTest, WholeMillisecondTermsHaveNoDecimals) {
  GctraceCycle cycle = parse_gctrace_line(kWholeMillisecondMark);
  EXPECT_EQ(cycle.mark_ns, 10'000'000) << "'10' ms, printed without decimals";
}

TEST(GctraceTest, MarkTerminationStartsAfterSweepTerminationAndMark) {
  GctraceCycle cycle = parse_gctrace_line(kThirdCollection);
  EXPECT_EQ(cycle.mark_termination_start_ns(), 43'000'000 + 29'000 + 6'900'000);
  EXPECT_EQ(cycle.duration_ns(), 29'000 + 6'900'000 + 41'000);
}

TEST(GctraceTest, CpuTimeIsTheSumOfTheFiveCpuTerms) {
  GctraceCycle cycle = parse_gctrace_line(kThirdCollection);
  EXPECT_EQ(cycle.cpu_ns(), 58'000 + 0 + 920'000 + 6'000'000 + 82'000);
}

TEST(GctraceTest, ForcedCollectionIsMarked) {
  GctraceCycle cycle = parse_gctrace_line(
      "gc 4 @0.101s 2%: 0.010+0.52+0.004 ms clock, 0.020+0/0.48/0+0.008 ms "
      "cpu, 1->1->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)");
  EXPECT_TRUE(cycle.forced) << "a line ending ' (forced)' is a runtime.GC()";
  EXPECT_EQ(cycle.live_mib, 0);
}

TEST(GctraceTest, OtherOutputIsSkipped) {
  std::string text = "GC forced\n" + std::string(kFirstCollection) +
                     "\n\ngcbench_go: some message\ngc is not a trace line\n" +
                     std::string(kWholeMillisecondMark) + "\n";
  std::vector<GctraceCycle> cycles = parse_gctrace(text);
  ASSERT_EQ(cycles.size(), 2u) << "only the two 'gc <number>' lines count";
  EXPECT_EQ(cycles[0].number, 1u);
  EXPECT_EQ(cycles[1].number, 2u);
}

TEST(GctraceTest, LastLineNeedsNoNewline) {
  std::vector<GctraceCycle> cycles = parse_gctrace(kFirstCollection);
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0].start_ns, 9'000'000);
}

TEST(GctraceTest, EmptyTraceHasNoCycles) {
  EXPECT_TRUE(parse_gctrace("").empty());
  EXPECT_TRUE(parse_gctrace("no collection happened\n").empty());
}

TEST(GctraceTest, MalformedTraceLineIsAnErrorNamingLineAndColumn) {
  std::string text = std::string(kFirstCollection) +
                     "\ngc 2 @0.021s 17%: 0.018+10 ms clock, rest\n";
  try {
    parse_gctrace(text);
    FAIL() << "expected a GctraceError for the truncated clock times";
  } catch (const GctraceError& error) {
    std::string message = error.what();
    // Column 27 is the space after "10", where the third term's '+' is due.
    EXPECT_TRUE(message.starts_with(
        "gctrace line 2: expected '+' at column 27: 'gc 2 @0.021s"))
        << message;
  }
}

TEST(GctraceTest, TrailingTextIsAnError) {
  std::string line = std::string(kFirstCollection) + " (unknown)";
  EXPECT_THROW(parse_gctrace_line(line), GctraceError)
      << "only ' (forced)' may follow the processor count";
}

TEST(GctraceTest, MoreDecimalsThanNanosecondsIsAnError) {
  EXPECT_THROW(
      parse_gctrace_line(
          "gc 1 @0.0000000001s 6%: 0.62+4.0+0.086 ms clock, "
          "0.12+0.13/0.33/3.3+0.17 ms cpu, 3->4->4 MB, 4 MB goal, 0 MB "
          "stacks, 0 MB globals, 2 P"),
      GctraceError)
      << "ten decimals of a second are finer than a nanosecond";
}

TEST(GctraceTest, HugeNumberIsAnErrorNotAnOverflow) {
  EXPECT_THROW(parse_gctrace_line(
                   "gc 1 @99999999999999999s 6%: 0.62+4.0+0.086 ms clock, "
                   "0.12+0.13/0.33/3.3+0.17 ms cpu, 3->4->4 MB, 4 MB goal, 0 "
                   "MB stacks, 0 MB globals, 2 P"),
               GctraceError);
}

TEST(GctraceTest, MissingCollectionIsAnError) {
  std::string text =
      std::string(kFirstCollection) + "\n" + std::string(kThirdCollection);
  try {
    parse_gctrace(text);
    FAIL() << "expected a GctraceError: collection 2 is missing";
  } catch (const GctraceError& error) {
    EXPECT_TRUE(std::string(error.what())
                    .starts_with("gctrace line 2: expected collection 2 "
                                 "after collection 1"))
        << error.what();
  }
}

}  // namespace
}  // namespace gclab
