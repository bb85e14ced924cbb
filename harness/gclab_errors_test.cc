// Every kind of bad input, given to the real binary: exit status 2, one line
// on stderr that says what was wrong, nothing on stdout, and no result file
// (neither FILE nor FILE.tmp). A heap too small for the workload is the same
// but exit status 3; a compared run that fails otherwise ends compare with
// exit status 1 and no result file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/gclab_test_util.h"

namespace gclab {
namespace {

using Args = std::vector<std::string>;

struct BadInput {
  std::string name;
  Args args;
  std::string expected;  // a part of the error line
};

Args run_args(std::string collector, std::string allocator, Args extra) {
  Args args = {"run", "--collector=" + collector, "--allocator=" + allocator,
               "--workload=gcbench"};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

Args minheap_args(std::string collector, std::string allocator, Args extra) {
  Args args = run_args(collector, allocator, extra);
  args[0] = "minheap";
  return args;
}

Args compare_args(std::string collectors, std::string allocators, Args extra) {
  Args args = {"compare", "--collectors=" + collectors,
               "--allocators=" + allocators, "--workload=gcbench", "--quiet"};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Runs gclab (with --json into a fresh directory for run and compare) and
// checks that it refused with `exit_status`, one line on stderr mentioning
// `input.expected`, nothing on stdout and no result file.
void expect_one_line_and_no_file(const BadInput& input, int exit_status) {
  SCOPED_TRACE(input.name);
  std::filesystem::path directory = testing::fresh_directory(input.name);
  std::string json = (directory / "result.json").string();
  Args args = input.args;
  if (!args.empty() &&
      (args[0] == "run" || args[0] == "compare" || args[0] == "minheap") &&
      std::none_of(args.begin(), args.end(), [](const std::string& arg) {
        return arg.starts_with("--json");
      })) {
    args.push_back("--json=" + json);
  }
  ChildOutcome outcome = testing::run_gclab(args);
  EXPECT_EQ(outcome.signal, 0) << outcome.stderr_text;
  EXPECT_EQ(outcome.exit_code, exit_status) << outcome.stderr_text;
  EXPECT_EQ(outcome.stdout_text, "") << "a refusal prints nothing on stdout";
  const std::string& error = outcome.stderr_text;
  EXPECT_TRUE(error.starts_with("gclab: "))
      << "expected 'gclab: <message>', got: " << error;
  EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1)
      << "expected exactly one line, got: " << error;
  EXPECT_NE(error.find(input.expected), std::string::npos)
      << "expected the line to mention '" << input.expected
      << "', got: " << error;
  EXPECT_FALSE(std::filesystem::exists(json)) << "a result file was written";
  EXPECT_FALSE(std::filesystem::exists(json + ".tmp"))
      << "a half-written result file was left";
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, ExitsTwoWithOneLineAndNoFile) {
  expect_one_line_and_no_file(GetParam(), 2);
}

INSTANTIATE_TEST_SUITE_P(
    Gclab, BadInputTest,
    ::testing::Values(
        BadInput{"no_command", {}, "missing command"},
        BadInput{"unknown_command", {"frob"}, "unknown command 'frob'"},
        BadInput{"list_with_flags",
                 {"list", "--all"},
                 "list takes no flags but --json"},
        BadInput{"unknown_collector", run_args("nope", "free-list", {}),
                 "unknown collector 'nope'"},
        BadInput{"unknown_allocator", run_args("none", "nope", {}),
                 "unknown allocator 'nope'"},
        BadInput{
            "unknown_workload",
            {"run", "--collector=none", "--allocator=bump", "--workload=nope"},
            "unknown workload 'nope'"},
        BadInput{"record_trace_under_a_moving_collector",
                 run_args("mark-compact", "bump", {"--record-trace=t.trace"}),
                 "--record-trace needs a collector that moves no object"},
        BadInput{"record_trace_of_two_mutators",
                 run_args("mark-sweep", "size-class",
                          {"--record-trace=t.trace", "--mutators=2"}),
                 "--record-trace records one mutator, not 2"},
        BadInput{"replay_without_a_trace",
                 {"run", "--collector=none", "--allocator=bump",
                  "--workload=replay"},
                 "workload replay needs a trace: --param trace=FILE"},
        BadInput{"replay_of_a_missing_trace",
                 {"run", "--collector=none", "--allocator=bump",
                  "--workload=replay", "--param=trace=/nonexistent/t.trace"},
                 "cannot read trace /nonexistent/t.trace"},
        BadInput{"pair_does_not_fit", run_args("mark-sweep", "bump", {}),
                 "allocators that fit mark-sweep: free-list"},
        BadInput{"ref_count_over_bump", run_args("ref-count", "bump", {}),
                 "needs an allocator that frees single objects (allocators "
                 "that fit ref-count: free-list, size-class, tlsf)"},
        BadInput{"ref_count_with_a_barrier",
                 run_args("ref-count", "tlsf", {"--barrier=yuasa"}),
                 "counts references in a barrier of its own"},
        BadInput{"ref_count_count_bits_out_of_range",
                 run_args("ref-count", "tlsf", {"--count-bits=40"}),
                 "bad parameter count-bits=40: expected 2..24"},
        BadInput{"ref_count_unknown_cycles",
                 run_args("ref-count", "tlsf", {"--cycles=sometimes"}),
                 "expected one of trial-deletion|backup-trace|none"},
        BadInput{"unknown_parameter",
                 run_args("none", "bump", {"--param", "colour=red"}),
                 "unknown parameter 'colour'"},
        BadInput{"bare_parameter_with_a_value",
                 run_args("none", "bump", {"--param", "holes"}),
                 "bad --param 'holes'"},
        BadInput{"bad_flag_parameter",
                 run_args("none", "bump", {"--param", "check-temp-trees=2"}),
                 "bad parameter check-temp-trees='2': expected 0 or 1"},
        BadInput{"unknown_flag", run_args("none", "bump", {"--colour=red"}),
                 "unknown flag --colour"},
        BadInput{"flag_of_another_allocator",
                 run_args("none", "bump", {"--fit=best"}),
                 "unknown flag --fit"},
        BadInput{"bad_parameter_value",
                 run_args("none", "free-list", {"--fit", "worst"}),
                 "bad parameter fit='worst'"},
        BadInput{"malformed_heap", run_args("none", "bump", {"--heap=64Q"}),
                 "bad --heap '64Q'"},
        BadInput{"malformed_mutators",
                 run_args("none", "bump", {"--mutators", "0"}),
                 "bad --mutators '0'"},
        BadInput{"malformed_seed", run_args("none", "bump", {"--seed=x"}),
                 "bad --seed 'x'"},
        BadInput{"bad_verify_mode",
                 run_args("none", "bump", {"--verify=sometimes"}),
                 "bad --verify 'sometimes': expected every or end"},
        BadInput{"compare_bad_verify_mode",
                 compare_args("none", "bump", {"--verify", "often"}),
                 "bad --verify 'often'"},
        BadInput{"malformed_stress", run_args("none", "bump", {"--stress=0"}),
                 "bad --stress '0'"},
        BadInput{"census_interval_zero",
                 run_args("none", "bump", {"--census=0"}),
                 "bad --census '0': expected a positive integer"},
        BadInput{"census_interval_not_a_number",
                 run_args("none", "bump", {"--census=abc"}),
                 "bad --census 'abc': expected a positive integer"},
        BadInput{"leak_report_zero",
                 run_args("none", "bump", {"--leak-report=0"}),
                 "bad --leak-report '0': expected a positive integer"},
        BadInput{"compare_leak_report_negative",
                 compare_args("none", "bump", {"--leak-report=-3"}),
                 "bad --leak-report '-3'"},
        BadInput{"bad_trigger",
                 run_args("none", "bump", {"--trigger=occupancy:2"}),
                 "bad --trigger"},
        BadInput{"missing_collector",
                 {"run", "--allocator=bump", "--workload=gcbench"},
                 "missing required flag --collector"},
        BadInput{"missing_allocator",
                 {"run", "--collector=none", "--workload=gcbench"},
                 "missing required flag --allocator"},
        BadInput{"missing_workload",
                 {"run", "--collector=none", "--allocator=bump"},
                 "missing required flag --workload"},
        BadInput{"missing_value", run_args("none", "bump", {"--heap"}),
                 "flag --heap needs a value"},
        BadInput{"repeated_flag",
                 run_args("none", "bump", {"--seed=1", "--seed=2"}),
                 "flag --seed given more than once"},
        BadInput{"stray_argument", run_args("none", "bump", {"extra"}),
                 "unexpected argument 'extra'"},
        BadInput{"json_directory_missing",
                 run_args("none", "bump", {"--json=/nonexistent/r.json"}),
                 "cannot write /nonexistent/r.json"},
        BadInput{"minheap_given_a_heap",
                 minheap_args("mark-sweep", "free-list", {"--heap=1M"}),
                 "minheap searches for the heap"},
        BadInput{"minheap_bad_precision",
                 minheap_args("mark-sweep", "free-list", {"--precision=0%"}),
                 "bad --precision '0%'"},
        BadInput{"minheap_precision_without_value",
                 minheap_args("mark-sweep", "free-list", {"--precision"}),
                 "missing value for --precision"},
        BadInput{"minheap_pair_does_not_fit",
                 minheap_args("mark-sweep", "bump", {}),
                 "allocators that fit mark-sweep: free-list"},
        BadInput{"minheap_start_above_max",
                 minheap_args("none", "bump", {"--start=2M", "--max-heap=1M"}),
                 "--start 2M is above --max-heap 1M"},
        BadInput{"trace_directory_missing",
                 run_args("none", "bump", {"--trace=/nonexistent/t.json"}),
                 "cannot write /nonexistent/t.json"},
        BadInput{"trace_without_a_name", run_args("none", "bump", {"--trace="}),
                 "bad --trace ''"},
        BadInput{"compare_takes_no_trace",
                 compare_args("none", "bump", {"--trace=t.json"}),
                 "unknown flag --trace"},
        BadInput{"compare_no_pair_fits",
                 compare_args("mark-sweep", "bump", {"--repeat=1"}),
                 "no collector x allocator pair fits"},
        BadInput{"compare_missing_collectors",
                 {"compare", "--allocators=bump", "--workload=gcbench"},
                 "missing required flag --collectors"},
        BadInput{"compare_singular_collector",
                 {"compare", "--collector=none", "--allocators=bump",
                  "--workload=gcbench"},
                 "compare takes --collectors and --allocators"},
        BadInput{"compare_parameter_no_pair_declares",
                 compare_args("none", "bump,free-list", {"--sweep=lazy"}),
                 "unknown flag --sweep"},
        BadInput{"compare_bad_repeat",
                 compare_args("none", "bump", {"--repeat=0"}),
                 "bad --repeat '0'"},
        BadInput{"compare_unknown_baseline",
                 compare_args("none", "bump", {"--baseline=jvm"}),
                 "bad --baseline 'jvm'"},
        BadInput{"compare_baseline_without_executable",
                 compare_args("none", "bump", {"--baseline=boehm"}),
                 "needs $GCLAB_BOEHM_GCBENCH"},
        BadInput{"run_heap_list", run_args("none", "bump", {"--heap=1M,2M"}),
                 "--heap takes one value in gclab run, not the list '1M,2M' "
                 "(value lists are for gclab compare)"},
        BadInput{"run_parameter_flag_list",
                 run_args("none", "free-list", {"--fit=first,best"}),
                 "--fit takes one value in gclab run"},
        BadInput{"run_qualified_parameter_list",
                 run_args("none", "free-list",
                          {"--param", "allocator.fit=first,best"}),
                 "--param allocator.fit takes one value in gclab run"},
        BadInput{"compare_list_no_pair_declares",
                 compare_args("none", "bump", {"--fit=first,best"}),
                 "unknown flag --fit"},
        BadInput{"compare_qualified_list_no_pair_declares",
                 compare_args("none", "bump",
                              {"--param", "allocator.fit=first,best"}),
                 "unknown parameter 'fit' for allocator bump"},
        BadInput{"compare_bad_heap_item",
                 compare_args("none", "bump", {"--heap=4M,12Q"}),
                 "bad --heap '12Q'"},
        BadInput{"compare_bad_trigger_item",
                 compare_args("none", "bump", {"--trigger=on-failure,often"}),
                 "bad --trigger"},
        BadInput{"compare_bad_parameter_item",
                 compare_args("none", "free-list", {"--fit=first,worst"}),
                 "bad parameter fit='worst'"},
        BadInput{"compare_empty_item",
                 compare_args("none", "free-list", {"--fit=first,,best"}),
                 "bad --fit 'first,,best': an empty item"},
        BadInput{"compare_repeated_item",
                 compare_args("none", "bump", {"--heap=1M,1024K"}),
                 "'1024K' is the same as '1M'"},
        BadInput{"compare_repeated_collector",
                 compare_args("none,none", "bump", {}),
                 "bad --collectors 'none,none': 'none' is listed twice"},
        BadInput{"compare_baseline_with_mutators_list",
                 compare_args("none", "bump",
                              {"--mutators=1,2", "--baseline=boehm"}),
                 "it needs --mutators 1"}),
    [](const ::testing::TestParamInfo<BadInput>& info) {
      return info.param.name;
    });

TEST(GclabTest, RunThatExhaustsTheHeapExitsTwoWithOneLineAndNoFile) {
  expect_one_line_and_no_file(
      {"heap_too_small", run_args("none", "bump", {"--heap=64K"}),
       "heap exhausted"},
      2);
  expect_one_line_and_no_file(
      {"heap_too_small_for_two_mutators",
       run_args("mark-sweep", "free-list", {"--heap=64K", "--mutators=2"}),
       "heap exhausted"},
      2);
}

// A baseline is the one kind of run the test can make fail at will: this one
// says, on stderr, what failed and ends as `body` makes it.
std::string failing_baseline(const std::string& name, const std::string& body) {
  std::filesystem::path script =
      testing::fresh_directory(name + "_script") / "failing_baseline.sh";
  {
    std::ofstream text(script);
    text << "#!/bin/sh\n" << body << "\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  return script.string();
}

TEST(GclabTest, CompareEndsWithExitOneAtAFailedRun) {
  struct Failure {
    std::string name;
    std::string body;
    std::string expected;
  };
  const Failure failures[] = {
      {"baseline_exits_one", "echo 'boehm: check failed' >&2; exit 1",
       "run boehm (libgc) (repeat 1) failed: boehm: check failed (exit status "
       "1)"},
      // Only gclab's own runs have a fixed heap to exhaust: from anything
      // else, exit status 3 and gclab's wording are a failure all the same.
      {"baseline_exits_three",
       "echo 'gclab: heap exhausted (fake)' >&2; exit 3",
       "run boehm (libgc) (repeat 1) failed: heap exhausted (fake)"},
      {"baseline_is_killed", "kill -ABRT $$",
       "run boehm (libgc) (repeat 1) failed: killed by signal 6"},
  };
  for (const Failure& failure : failures) {
    std::string program = failing_baseline(failure.name, failure.body);
    setenv("GCLAB_BOEHM_GCBENCH", program.c_str(), 1);
    expect_one_line_and_no_file(
        {failure.name,
         compare_args("mark-sweep", "free-list",
                      {"--heap=1M", "--repeat=1", "--baseline=boehm"}),
         failure.expected},
        1);
    unsetenv("GCLAB_BOEHM_GCBENCH");
  }
}

TEST(GclabTest, HelpPrintsUsageAndSucceeds) {
  ChildOutcome outcome = testing::run_gclab({"help"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_TRUE(outcome.stdout_text.starts_with("usage: gclab <command>"))
      << outcome.stdout_text;
  ChildOutcome run_help = testing::run_gclab({"run", "--help"});
  EXPECT_EQ(run_help.exit_code, 0);
  EXPECT_EQ(run_help.stdout_text, outcome.stdout_text);
}

TEST(GclabTest, ListShowsComponentsParametersAndPairs) {
  ChildOutcome outcome = testing::run_gclab({"list"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.stderr_text;
  const std::string& text = outcome.stdout_text;
  for (const char* expected :
       {"collectors", "mark-sweep", "allocators", "free-list", "--fit=first",
        "workloads", "--param stretch-depth=18", "pairs",
        "not bump (needs an allocator that can sweep)"}) {
    EXPECT_NE(text.find(expected), std::string::npos)
        << "expected gclab list to show '" << expected << "':\n"
        << text;
  }
}

}  // namespace
}  // namespace gclab
