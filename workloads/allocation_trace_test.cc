#include "workloads/allocation_trace.h"

#include <gtest/gtest.h>

#include <string>

#include "heap/errors.h"

namespace gclab {
namespace {

// Two objects, a store between them, a read back, roots and a global.
constexpr std::string_view kTrace =
    "gclab-trace 1\n"
    "s 0 list.node\n"
    "a 0 1 16\n"
    "+ 1\n"
    "# a comment, and a blank line\n"
    "\n"
    "a 0 1 16\n"
    "w 1 0 2\n"
    "r 1 0 2\n"
    "= 0 2\n"
    "g 1 1\n"
    "-\n"
    "x 1\n"
    "end 2\n";

TEST(AllocationTraceTest, ReadsEveryRecord) {
  AllocationTrace trace = parse_allocation_trace(kTrace, "t");
  EXPECT_EQ(trace.objects, 2u);
  EXPECT_EQ(trace.globals, 1u);
  ASSERT_EQ(trace.site_names.size(), 1u);
  EXPECT_EQ(trace.site_names[0], "list.node");
  ASSERT_EQ(trace.steps.size(), 9u);
  EXPECT_EQ(trace.steps[0].op, TraceOp::kAllocate);
  EXPECT_EQ(trace.steps[0].slot, 1);
  EXPECT_EQ(trace.steps[0].b, 16u);
  EXPECT_EQ(trace.steps[1].op, TraceOp::kPushRoot);
  EXPECT_EQ(trace.steps[1].b, 1u);
  EXPECT_EQ(trace.steps[3].op, TraceOp::kWrite);
  EXPECT_EQ(trace.steps[3].a, 1u);
  EXPECT_EQ(trace.steps[3].b, 2u);
  EXPECT_EQ(trace.steps[4].op, TraceOp::kRead);
  EXPECT_EQ(trace.steps[5].op, TraceOp::kSetRoot);
  EXPECT_EQ(trace.steps[6].op, TraceOp::kSetGlobal);
  EXPECT_EQ(trace.steps[7].op, TraceOp::kPopRoot);
  EXPECT_EQ(trace.steps[8].op, TraceOp::kDropGlobal);
}

// Replaces the first occurrence of `line` in the good trace.
std::string with(std::string_view line, std::string_view replacement) {
  std::string text(kTrace);
  std::size_t at = text.find(line);
  EXPECT_NE(at, std::string::npos) << line;
  text.replace(at, line.size(), replacement);
  return text;
}

std::string refusal(const std::string& text) {
  try {
    parse_allocation_trace(text, "t");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(AllocationTraceTest, RefusesMalformedTracesWithLineAndReason) {
  EXPECT_EQ(refusal(with("end 2\n", "")),
            "trace t line 13: truncated: no end record after line 13");
  EXPECT_EQ(refusal(std::string(kTrace.substr(0, kTrace.find("w 1")))),
            "trace t line 7: truncated: no end record after line 7");
  EXPECT_EQ(refusal(with("w 1 0 2", "q 1 0 2")),
            "trace t line 8: unknown record 'q'");
  EXPECT_EQ(refusal(with("w 1 0 2", "write 1 0 2")),
            "trace t line 8: unknown record 'write'");
  EXPECT_EQ(refusal(with("w 1 0 2", "w 1 0 9")),
            "trace t line 8: unknown object 9 (2 allocated so far)");
  EXPECT_EQ(refusal(with("+ 1", "+ 2")),
            "trace t line 4: unknown object 2 (1 allocated so far)");
  EXPECT_EQ(refusal(with("w 1 0 2", "w 1 1 2")),
            "trace t line 8: slot 1 of object 1, which has 1 slots");
  EXPECT_EQ(refusal(with("w 1 0 2", "w 1 x 2")),
            "trace t line 8: expected a slot, got 'x'");
  EXPECT_EQ(refusal(with("w 1 0 2", "w 1 0 2 7")),
            "trace t line 8: unexpected '7'");
  EXPECT_EQ(refusal(with("= 0 2", "= 1 2")),
            "trace t line 10: root 1 of 1 roots");
  EXPECT_EQ(refusal(with("-\n", "-\n-\n")),
            "trace t line 13: a pop with no root pushed");
  EXPECT_EQ(refusal(with("x 1", "x 2")),
            "trace t line 13: drops global root 2, which is not set");
  EXPECT_EQ(refusal(with("a 0 1 16\n+", "a 1 1 16\n+")),
            "trace t line 3: site 1 is not declared");
  EXPECT_EQ(refusal(with("end 2", "end 3")),
            "trace t line 14: the end record counts 3 objects, the trace "
            "allocates 2");
  EXPECT_EQ(refusal(with("end 2\n", "end 2\na 0 0 0\n")),
            "trace t line 15: a record after the end record");
  EXPECT_EQ(refusal(with("gclab-trace 1", "gclab-trace 2")),
            "trace t line 1: expected the header 'gclab-trace 1'");
}

TEST(AllocationTraceTest, RefusesAFileItCannotRead) {
  EXPECT_THROW(read_allocation_trace("/nonexistent/trace"), ConfigError);
}

}  // namespace
}  // namespace gclab
