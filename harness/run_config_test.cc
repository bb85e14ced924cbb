#include "harness/run_config.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "heap/errors.h"

namespace gclab {
namespace {

using Args = std::vector<std::string>;

Args with_required(Args extra) {
  Args args = {"--collector", "mark-sweep", "--allocator",
               "free-list",   "--workload", "gcbench"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The ConfigError message `action` throws, or a note that it threw none.
std::string config_error(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "<no ConfigError>";
}

void expect_parse_error(const Args& args, const std::string& expected) {
  std::string message = config_error([&] { parse_run_config(args); });
  EXPECT_NE(message.find(expected), std::string::npos)
      << "expected an error containing '" << expected << "', got '" << message
      << "'";
}

TEST(RunConfigTest, DefaultsApplyWhenOnlyRequiredFlagsAreGiven) {
  RunConfig config = parse_run_config(with_required({}));
  EXPECT_EQ(config.collector, "mark-sweep");
  EXPECT_EQ(config.allocator, "free-list");
  EXPECT_EQ(config.workload, "gcbench");
  EXPECT_EQ(config.heap_bytes, std::size_t{64} << 20);
  EXPECT_EQ(config.mutators, 1);
  EXPECT_EQ(config.gc_threads, 1);
  EXPECT_EQ(config.seed, 1u);
  EXPECT_TRUE(config.trigger.empty()) << "empty: the collector's default";
  EXPECT_TRUE(config.barrier.empty()) << "empty: the collector's default";
  EXPECT_EQ(config.verify, VerifyMode::kOff);
  EXPECT_EQ(config.stress, 0u);
  EXPECT_TRUE(config.json_path.empty());
  EXPECT_FALSE(config.quiet);
  EXPECT_TRUE(config.params.empty());
}

TEST(RunConfigTest, EqualsAndSpaceFormsGiveTheSameConfig) {
  RunConfig spaced = parse_run_config(
      Args{"--collector", "none",    "--allocator",  "bump",
           "--workload",  "w",       "--heap",       "512K",
           "--mutators",  "3",       "--gc-threads", "2",
           "--seed",      "99",      "--trigger",    "occupancy:0.5",
           "--stress",    "1000",    "--json",       "out.json",
           "--param",     "depth=4", "--verify",     "--quiet"});
  RunConfig joined = parse_run_config(
      Args{"--collector=none", "--allocator=bump", "--workload=w",
           "--heap=512K", "--mutators=3", "--gc-threads=2", "--seed=99",
           "--trigger=occupancy:0.5", "--stress=1000", "--json=out.json",
           "--param=depth=4", "--verify", "--quiet"});
  for (const RunConfig* config : {&spaced, &joined}) {
    EXPECT_EQ(config->collector, "none");
    EXPECT_EQ(config->allocator, "bump");
    EXPECT_EQ(config->workload, "w");
    EXPECT_EQ(config->heap_bytes, 512u * 1024);
    EXPECT_EQ(config->mutators, 3);
    EXPECT_EQ(config->gc_threads, 2);
    EXPECT_EQ(config->seed, 99u);
    EXPECT_EQ(config->trigger, "occupancy:0.5");
    EXPECT_EQ(config->stress, 1000u);
    EXPECT_EQ(config->json_path, "out.json");
    EXPECT_EQ(config->verify, VerifyMode::kEvery);
    EXPECT_TRUE(config->quiet);
    ASSERT_EQ(config->params.size(), 1u);
    EXPECT_EQ(config->params[0].name, "depth");
    EXPECT_EQ(config->params[0].value, "4");
    EXPECT_FALSE(config->params[0].as_flag);
  }
}

TEST(RunConfigTest, HeapSizesUseBinaryUnits) {
  EXPECT_EQ(parse_run_config(with_required({"--heap=4096"})).heap_bytes, 4096u);
  EXPECT_EQ(parse_run_config(with_required({"--heap=2G"})).heap_bytes,
            std::size_t{2} << 30);
  expect_parse_error(with_required({"--heap=12Q"}), "bad --heap '12Q'");
  expect_parse_error(with_required({"--heap=-1M"}), "bad --heap");
}

TEST(RunConfigTest, TriggerIsCheckedAndNormalised) {
  EXPECT_EQ(
      parse_run_config(with_required({"--trigger=occupancy:0.50"})).trigger,
      "occupancy:0.5");
  expect_parse_error(with_required({"--trigger=sometimes"}), "bad --trigger");
  expect_parse_error(with_required({"--trigger=occupancy:1.5"}),
                     "bad --trigger");
}

TEST(RunConfigTest, MalformedNumbersAreRejected) {
  expect_parse_error(with_required({"--mutators=0"}), "bad --mutators '0'");
  expect_parse_error(with_required({"--mutators=two"}), "bad --mutators");
  expect_parse_error(with_required({"--gc-threads=1.5"}), "bad --gc-threads");
  expect_parse_error(with_required({"--seed=-3"}), "bad --seed");
  expect_parse_error(with_required({"--stress=0"}), "bad --stress '0'");
  expect_parse_error(with_required({"--stress="}), "bad --stress");
}

TEST(RunConfigTest, MissingRequiredFlagsAreNamed) {
  expect_parse_error({"--allocator=bump", "--workload=w"},
                     "missing required flag --collector");
  expect_parse_error({"--collector=none", "--workload=w"},
                     "missing required flag --allocator");
  expect_parse_error({"--collector=none", "--allocator=bump"},
                     "missing required flag --workload");
}

TEST(RunConfigTest, SwitchesTakeNoValue) {
  expect_parse_error(with_required({"--quiet=yes"}),
                     "flag --quiet takes no value");
}

TEST(RunConfigTest, VerifyTakesAnOptionalWhen) {
  const std::pair<Args, VerifyMode> cases[] = {
      {{"--verify"}, VerifyMode::kEvery},
      {{"--verify=every"}, VerifyMode::kEvery},
      {{"--verify", "every"}, VerifyMode::kEvery},
      {{"--verify=end"}, VerifyMode::kEnd},
      {{"--verify", "end"}, VerifyMode::kEnd},
      {{"--verify", "--quiet"}, VerifyMode::kEvery},
      {{}, VerifyMode::kOff},
  };
  for (const auto& [extra, mode] : cases) {
    EXPECT_EQ(parse_run_config(with_required(extra)).verify, mode)
        << ::testing::PrintToString(extra);
  }
  expect_parse_error(with_required({"--verify=never"}),
                     "bad --verify 'never': expected every or end");
  expect_parse_error(with_required({"--verify", "off"}), "bad --verify 'off'");
}

TEST(RunConfigTest, ValueFlagFollowedByAnotherFlagLacksItsValue) {
  expect_parse_error(with_required({"--json", "--quiet"}),
                     "flag --json needs a value");
  expect_parse_error(with_required({"--seed"}), "flag --seed needs a value");
}

TEST(RunConfigTest, RepeatedFlagIsRejected) {
  expect_parse_error(with_required({"--heap=1M", "--heap=2M"}),
                     "flag --heap given more than once");
}

TEST(RunConfigTest, StrayArgumentIsRejected) {
  expect_parse_error(with_required({"extra"}), "unexpected argument 'extra'");
  expect_parse_error(with_required({"--"}), "unexpected argument '--'");
}

TEST(RunConfigTest, HelpIsRecognisedAnywhere) {
  Args args = {"--heap=1M", "--help"};
  EXPECT_TRUE(scan_flags(args, command_flags(Command::kRun)).help_requested());
  Args short_form = {"-h"};
  EXPECT_TRUE(scan_flags(short_form, command_flags(Command::kCompare))
                  .help_requested());
}

// A misspelt name would read as "not given": asking about an undeclared
// flag is a gclab bug.
TEST(ScannedFlagsDeathTest, ReadingAnUndeclaredFlagAborts) {
  Args args = {"--heap=1M"};
  ScannedFlags flags = scan_flags(args, command_flags(Command::kRun));
  EXPECT_EQ(flags.value("heap"), "1M");
  EXPECT_FALSE(flags.has("seed")) << "declared, not given";
  EXPECT_DEATH(flags.value("repeat"),
               "flag --repeat is read but was never declared");
  EXPECT_DEATH(flags.has("hep"), "flag --hep is read but was never declared");
}

TEST(RunConfigTest, QualifiedParamNamesItsComponent) {
  RunConfig config = parse_run_config(
      with_required({"--param", "workload.depth=4", "--param", "other.x=1"}));
  ASSERT_EQ(config.params.size(), 2u);
  EXPECT_EQ(config.params[0].name, "depth");
  EXPECT_EQ(config.params[0].component, Component::kWorkload);
  EXPECT_EQ(config.params[1].name, "other.x")
      << "a prefix that is no component stays part of the name";
  EXPECT_FALSE(config.params[1].component.has_value());
}

TEST(RunConfigTest, MalformedParamIsRejected) {
  expect_parse_error(with_required({"--param", "=4"}), "bad --param '=4'");
  expect_parse_error(with_required({"--param="}), "bad --param ''");
}

TEST(RunConfigTest, BareParamIsLeftForRoutingToSettle) {
  RunConfig config = parse_run_config(with_required({"--param", "check"}));
  ASSERT_EQ(config.params.size(), 1u);
  EXPECT_EQ(config.params[0].name, "check");
  EXPECT_FALSE(config.params[0].value.has_value());
  EXPECT_FALSE(config.params[0].as_flag);
}

TEST(RunConfigTest, UnknownFlagsBecomeComponentFlagRequests) {
  RunConfig config = parse_run_config(
      with_required({"--fit=best", "--sweep", "lazy", "--bare"}));
  ASSERT_EQ(config.params.size(), 3u);
  EXPECT_EQ(config.params[0].name, "fit");
  EXPECT_EQ(config.params[0].value, "best");
  EXPECT_TRUE(config.params[0].as_flag);
  EXPECT_EQ(config.params[1].name, "sweep");
  EXPECT_EQ(config.params[1].value, "lazy");
  EXPECT_EQ(config.params[2].name, "bare");
  EXPECT_FALSE(config.params[2].value.has_value());
}

constexpr ParamSpec kCollectorSpecs[] = {
    {"sweep", ParamKind::kChoice, "eager", "when to sweep", "eager|lazy"},
    {"depth", ParamKind::kInt, "1", "shared name"},
};
constexpr ParamSpec kAllocatorSpecs[] = {
    {"fit", ParamKind::kChoice, "first", "fit policy", "first|next|best"},
};
constexpr ParamSpec kWorkloadSpecs[] = {
    {"depth", ParamKind::kInt, "16", "tree depth"},
    {"iterations", ParamKind::kInt, "10", "how often"},
    {"check", ParamKind::kFlag, "0", "a switch"},
};

const ChosenParams kChosen = {{{"ms", kCollectorSpecs},
                               {"fl", kAllocatorSpecs},
                               {"trees", kWorkloadSpecs}}};

RoutedParams route(const Args& extra) {
  return route_params(parse_run_config(with_required(extra)).params, kChosen);
}

void expect_route_error(const Args& extra, const std::string& expected) {
  std::string message = config_error([&] { route(extra); });
  EXPECT_NE(message.find(expected), std::string::npos)
      << "expected an error containing '" << expected << "', got '" << message
      << "'";
}

TEST(RouteParamsTest, EachParamReachesTheComponentDeclaringIt) {
  RoutedParams routed =
      route({"--param", "iterations=3", "--param", "fit=best"});
  EXPECT_EQ(routed[static_cast<int>(Component::kWorkload)].at("iterations"),
            "3");
  EXPECT_EQ(routed[static_cast<int>(Component::kAllocator)].at("fit"), "best");
  EXPECT_TRUE(routed[static_cast<int>(Component::kCollector)].empty());
}

TEST(RouteParamsTest, FlagFormReachesCollectorAndAllocator) {
  RoutedParams routed = route({"--fit=best", "--sweep", "lazy"});
  EXPECT_EQ(routed[static_cast<int>(Component::kAllocator)].at("fit"), "best");
  EXPECT_EQ(routed[static_cast<int>(Component::kCollector)].at("sweep"),
            "lazy");
}

TEST(RouteParamsTest, FlagFormDoesNotReachTheWorkload) {
  expect_route_error({"--iterations=3"},
                     "--iterations is a parameter of workload trees: write "
                     "--param iterations=VALUE");
}

TEST(RouteParamsTest, AmbiguousParamNamesEveryDeclarer) {
  expect_route_error({"--param", "depth=3"},
                     "parameter 'depth' is declared by collector ms and "
                     "workload trees");
}

TEST(RouteParamsTest, QualifierSettlesAnAmbiguity) {
  RoutedParams routed = route({"--param", "workload.depth=3"});
  EXPECT_EQ(routed[static_cast<int>(Component::kWorkload)].at("depth"), "3");
  EXPECT_TRUE(routed[static_cast<int>(Component::kCollector)].empty());
}

TEST(RouteParamsTest, UnknownParamIsRejected) {
  expect_route_error({"--param", "colour=red"},
                     "unknown parameter 'colour' (not declared by collector "
                     "ms, allocator fl or workload trees");
  expect_route_error({"--param", "allocator.sweep=lazy"},
                     "unknown parameter 'sweep' for allocator fl");
}

TEST(RouteParamsTest, UnknownFlagIsRejected) {
  expect_route_error({"--colour=red"}, "unknown flag --colour");
}

TEST(RouteParamsTest, DeclaredFlagWithoutValueIsRejected) {
  expect_route_error({"--fit"}, "flag --fit needs a value");
}

TEST(RouteParamsTest, BareParamSetsAFlagParameter) {
  RoutedParams routed = route({"--param", "check"});
  EXPECT_EQ(routed[static_cast<int>(Component::kWorkload)].at("check"), "1");
  RoutedParams qualified = route({"--param", "workload.check"});
  EXPECT_EQ(qualified[static_cast<int>(Component::kWorkload)].at("check"), "1");
}

TEST(RouteParamsTest, BareParamOfAValuedParameterIsRejected) {
  expect_route_error({"--param", "iterations"},
                     "bad --param 'iterations': expected NAME=VALUE or "
                     "COMPONENT.NAME=VALUE (NAME alone only for a 0|1 "
                     "parameter)");
  expect_route_error({"--param", "workload.depth"},
                     "bad --param 'workload.depth'");
}

TEST(RouteParamsTest, ParamGivenTwiceIsRejected) {
  expect_route_error({"--fit=best", "--param", "fit=next"},
                     "parameter 'fit' given more than once");
}

TEST(RouteParamsTest, IsDeclaredFollowsTheSameRules) {
  ParamRequest fit{
      .name = "fit", .value = "best", .component = {}, .as_flag = true};
  ParamRequest iterations{
      .name = "iterations", .value = "1", .component = {}, .as_flag = true};
  EXPECT_TRUE(is_declared(fit, kChosen));
  EXPECT_FALSE(is_declared(iterations, kChosen))
      << "a workload parameter cannot be given as a flag";
}

// A value other than its default for every flag of run: a flag added to the
// table without one here fails the round trip below.
const std::map<std::string_view, Args> kSampleValues = {
    {"collector", {"--collector=ms"}},
    {"allocator", {"--allocator=fl"}},
    {"workload", {"--workload=trees"}},
    {"heap", {"--heap=3M"}},
    {"mutators", {"--mutators=3"}},
    {"gc-threads", {"--gc-threads=2"}},
    {"seed", {"--seed=5"}},
    {"trigger", {"--trigger=occupancy:0.25"}},
    {"barrier", {"--barrier=yuasa"}},
    {"verify", {"--verify=end"}},
    {"stress", {"--stress=7"}},
    {"pretouch", {"--pretouch"}},
    {"census", {"--census=1000"}},
    {"leak-report", {"--leak-report=3"}},
    {"param", {"--param=allocator.fit=best", "--param=workload.check"}},
    {"json", {"--json=out.json"}},
    {"trace", {"--trace=out.trace.json"}},
    {"record-trace", {"--record-trace=out.gctrace"}},
    {"quiet", {"--quiet"}},
};

RunConfig without_arguments(const Args& args) {
  return parse_run_config(Args(args.begin() + 1, args.end()));
}

TEST(RunArgumentsTest, EveryFieldSetRoundTrips) {
  Args given;
  for (const FlagDeclaration& flag : flag_table()) {
    if (!takes(flag, Command::kRun)) continue;
    auto sample = kSampleValues.find(flag.name);
    ASSERT_NE(sample, kSampleValues.end())
        << "no sample value for --" << flag.name;
    given.insert(given.end(), sample->second.begin(), sample->second.end());
  }
  RunConfig config = parse_run_config(given);
  // Each sample differs from the default, so each field is really set.
  for (const auto& [name, sample] : kSampleValues) {
    Args alone = with_required(sample);
    if (name == "collector" || name == "allocator" || name == "workload") {
      continue;
    }
    EXPECT_NE(parse_run_config(alone), parse_run_config(with_required({})))
        << "the sample of --" << name << " is its default";
  }
  Args args = run_arguments(config);
  ASSERT_FALSE(args.empty());
  EXPECT_EQ(args.front(), "run");
  EXPECT_EQ(without_arguments(args), config) << ::testing::PrintToString(args);
}

TEST(RunArgumentsTest, EveryVerifyModeRoundTrips) {
  for (VerifyMode mode :
       {VerifyMode::kOff, VerifyMode::kEnd, VerifyMode::kEvery}) {
    RunConfig config = parse_run_config(with_required({}));
    config.verify = mode;
    EXPECT_EQ(without_arguments(run_arguments(config)).verify, mode)
        << to_string(mode);
  }
}

TEST(RunArgumentsTest, RoutedParametersReparseToTheSameRoute) {
  RunConfig config = parse_run_config(with_required(
      {"--heap=1M", "--mutators=2", "--seed=5", "--trigger=occupancy:0.25",
       "--verify", "--stress=7", "--fit=best", "--param", "workload.depth=3",
       "--param", "check"}));
  RoutedParams routed = route_params(config.params, kChosen);
  config.params = qualified_requests(routed);
  RunConfig again = without_arguments(run_arguments(config));
  EXPECT_EQ(again, config);
  EXPECT_EQ(route_params(again.params, kChosen), routed);
}

TEST(RunArgumentsTest, KeepsTheArgumentsCompareRecords) {
  RunConfig config = parse_run_config(with_required(
      {"--heap=1M", "--verify", "--param", "allocator.fit=best"}));
  EXPECT_EQ(run_arguments(config),
            (Args{"run", "--collector=mark-sweep", "--allocator=free-list",
                  "--workload=gcbench", "--heap=1048576", "--mutators=1",
                  "--gc-threads=1", "--seed=1", "--verify",
                  "--param=allocator.fit=best"}));
}

TEST(RouteParamsTest, RoutedComponentFollowsTheSameRules) {
  auto request = [](std::string name, bool as_flag) {
    return ParamRequest{
        .name = name, .value = "1", .component = {}, .as_flag = as_flag};
  };
  EXPECT_EQ(routed_component(request("fit", true), kChosen),
            Component::kAllocator);
  EXPECT_EQ(routed_component(request("iterations", false), kChosen),
            Component::kWorkload);
  EXPECT_EQ(routed_component(request("depth", false), kChosen), std::nullopt)
      << "a name two components declare routes nowhere unqualified";
  EXPECT_EQ(routed_component(request("colour", false), kChosen), std::nullopt);
}

TEST(SplitListTest, DropsBlanksAroundItems) {
  EXPECT_EQ(split_list("first, best ,\tnext", "--fit"),
            (std::vector<std::string>{"first", "best", "next"}));
  EXPECT_EQ(split_list("one", "--fit"), (std::vector<std::string>{"one"}));
}

TEST(SplitListTest, EmptyOrRepeatedItemIsRejected) {
  for (const char* list : {"a,,b", ",a", "a,", "a, ,b", ""}) {
    std::string message = config_error([&] { split_list(list, "--x 'L'"); });
    EXPECT_NE(message.find("bad --x 'L': an empty item"), std::string::npos)
        << "list '" << list << "' gave '" << message << "'";
  }
  EXPECT_EQ(config_error([] { split_list("a,b, a", "--x 'L'"); }),
            "bad --x 'L': 'a' is listed twice");
}

// Reads flags as compare does: every list may become an axis.
RunMatrix matrix_of(Args extra) {
  Args args = {"--collectors=ms", "--allocators=fl", "--workload", "gcbench"};
  args.insert(args.end(), extra.begin(), extra.end());
  return read_run_matrix(scan_flags(args, command_flags(Command::kCompare)));
}

void expect_matrix_error(const Args& extra, const std::string& expected) {
  std::string message = config_error([&] { matrix_of(extra); });
  EXPECT_NE(message.find(expected), std::string::npos)
      << "expected an error containing '" << expected << "', got '" << message
      << "'";
}

std::vector<std::string> axis_names(const RunMatrix& matrix) {
  std::vector<std::string> names;
  for (const Axis& axis : matrix.axes) names.push_back(axis.name);
  return names;
}

TEST(RunMatrixTest, SingleValuesMakeNoAxes) {
  RunMatrix matrix = matrix_of(
      {"--heap=2M", "--mutators=2", "--trigger=occupancy:0.5", "--fit=best"});
  EXPECT_TRUE(matrix.axes.empty());
  EXPECT_EQ(matrix.base.heap_bytes, 2u << 20);
  EXPECT_EQ(matrix.base.mutators, 2);
  EXPECT_EQ(matrix.base.trigger, "occupancy:0.5");
  ASSERT_EQ(matrix.base.params.size(), 1u);
  EXPECT_EQ(matrix.base.params[0].value, "best");
}

TEST(RunMatrixTest, ListsBecomeAxesInProductOrder) {
  RunMatrix matrix =
      matrix_of({"--trigger=on-failure,occupancy:0.5", "--gc-threads=1,2",
                 "--heap=1M,2M", "--mutators=2,1", "--fit=first,best",
                 "--param", "workload.depth=3,4", "--seed=7"});
  EXPECT_EQ(axis_names(matrix),
            (std::vector<std::string>{"workload.depth", "fit", "heap",
                                      "mutators", "gc-threads", "trigger"}))
      << "parameters (--param, then flags), then heap, mutators, gc-threads, "
         "trigger, whatever the order on the command line";
  const RunConfig& base = matrix.base;
  EXPECT_EQ(base.heap_bytes, 1u << 20) << "the base holds each first value";
  EXPECT_EQ(base.mutators, 2);
  EXPECT_EQ(base.gc_threads, 1);
  EXPECT_EQ(base.trigger, "on-failure");
  EXPECT_EQ(base.seed, 7u);
  ASSERT_EQ(base.params.size(), 2u);
  EXPECT_EQ(base.params[0].value, "3");
  EXPECT_EQ(base.params[1].value, "first");
  EXPECT_EQ(matrix.axes[0].param_index, 0u);
  EXPECT_EQ(matrix.axes[1].param_index, 1u);
  EXPECT_EQ(matrix.axes[3].values, (std::vector<std::string>{"2", "1"}))
      << "values keep the order given";
}

TEST(RunMatrixTest, QualifiedParamListKeepsItsComponent) {
  RunMatrix matrix = matrix_of({"--param", "allocator.fit=first,best"});
  ASSERT_EQ(matrix.axes.size(), 1u);
  EXPECT_EQ(matrix.axes[0].name, "allocator.fit");
  EXPECT_EQ(matrix.axes[0].values, (std::vector<std::string>{"first", "best"}));
  ASSERT_EQ(matrix.base.params.size(), 1u);
  EXPECT_EQ(matrix.base.params[0].name, "fit");
  EXPECT_EQ(matrix.base.params[0].component, Component::kAllocator);
  EXPECT_EQ(matrix.base.params[0].value, "first");
}

TEST(RunMatrixTest, SizesAndTriggersAreNormalised) {
  RunMatrix matrix = matrix_of({"--heap=4096,1536K,2048k,3G,4097",
                                "--trigger=occupancy:0.50,on-failure"});
  ASSERT_EQ(matrix.axes.size(), 2u);
  EXPECT_EQ(matrix.axes[0].values,
            (std::vector<std::string>{"4K", "1536K", "2M", "3G", "4097"}));
  EXPECT_EQ(matrix.axes[1].values,
            (std::vector<std::string>{"occupancy:0.5", "on-failure"}));
}

TEST(RunMatrixTest, BlanksAroundItemsAreDropped) {
  RunMatrix matrix = matrix_of({"--fit", "first, best", "--heap= 1M , 2M"});
  ASSERT_EQ(matrix.axes.size(), 2u);
  EXPECT_EQ(matrix.axes[0].values, (std::vector<std::string>{"first", "best"}));
  EXPECT_EQ(matrix.axes[1].values, (std::vector<std::string>{"1M", "2M"}));
}

TEST(RunMatrixTest, EmptyItemIsRejected) {
  expect_matrix_error({"--fit=first,,best"},
                      "bad --fit 'first,,best': an empty item");
  expect_matrix_error({"--param", "fit=first,"},
                      "bad --param fit 'first,': an empty item");
  expect_matrix_error({"--heap=,1M"}, "bad --heap ',1M': an empty item");
  expect_matrix_error({"--gc-threads=1, ,2"}, "an empty item");
}

TEST(RunMatrixTest, RepeatedValueIsRejected) {
  expect_matrix_error({"--fit=best,first,best"},
                      "bad --fit 'best,first,best': 'best' is listed twice");
  expect_matrix_error({"--heap=1M,1024K"},
                      "bad --heap '1M,1024K': '1024K' is the same as '1M'");
  expect_matrix_error({"--trigger=occupancy:0.5,occupancy:0.50"},
                      "'occupancy:0.50' is the same as 'occupancy:0.5'");
  expect_matrix_error({"--mutators=2,02"}, "'02' is the same as '2'");
}

TEST(RunMatrixTest, BadItemIsNamed) {
  expect_matrix_error({"--heap=1M,12Q"}, "bad --heap '12Q'");
  expect_matrix_error({"--mutators=1,0"}, "bad --mutators '0'");
  expect_matrix_error({"--gc-threads=2,x"}, "bad --gc-threads 'x'");
  expect_matrix_error({"--trigger=on-failure,sometimes"}, "bad --trigger");
}

TEST(RunConfigTest, RunRejectsEveryValueList) {
  const std::pair<Args, std::string> cases[] = {
      {{"--heap=1M,2M"}, "--heap takes one value in gclab run"},
      {{"--mutators=1,2"}, "--mutators takes one value in gclab run"},
      {{"--gc-threads=1,2"}, "--gc-threads takes one value in gclab run"},
      {{"--trigger=on-failure,occupancy:0.5"},
       "--trigger takes one value in gclab run"},
      {{"--fit=first,best"},
       "--fit takes one value in gclab run, not the list 'first,best' "
       "(value lists are for gclab compare)"},
      {{"--param", "fit=first,best"}, "--param fit takes one value"},
      {{"--param", "allocator.fit=first,best"},
       "--param allocator.fit takes one value"},
  };
  for (const auto& [extra, expected] : cases) {
    expect_parse_error(with_required(extra), expected);
  }
}

std::vector<std::string> labels(const std::vector<RunVariant>& variants) {
  std::vector<std::string> result;
  for (const RunVariant& variant : variants) {
    result.push_back(varied_label(variant.varied));
  }
  return result;
}

TEST(ExpandAxesTest, LastAxisChangesFastest) {
  RunMatrix matrix =
      matrix_of({"--gc-threads=1,2", "--heap=1M,2M", "--fit=first,best"});
  std::vector<RunVariant> variants = expand_axes(matrix.base, matrix.axes);
  EXPECT_EQ(labels(variants), (std::vector<std::string>{
                                  "fit=first heap=1M gc-threads=1",
                                  "fit=first heap=1M gc-threads=2",
                                  "fit=first heap=2M gc-threads=1",
                                  "fit=first heap=2M gc-threads=2",
                                  "fit=best heap=1M gc-threads=1",
                                  "fit=best heap=1M gc-threads=2",
                                  "fit=best heap=2M gc-threads=1",
                                  "fit=best heap=2M gc-threads=2",
                              }));
}

TEST(ExpandAxesTest, EachVariantCarriesItsValues) {
  RunMatrix matrix =
      matrix_of({"--fit=first,best", "--mutators=1,3",
                 "--trigger=on-failure,occupancy:0.5", "--seed=9"});
  std::vector<RunVariant> variants = expand_axes(matrix.base, matrix.axes);
  ASSERT_EQ(variants.size(), 8u);
  const RunVariant& last = variants.back();
  ASSERT_EQ(last.config.params.size(), 1u);
  EXPECT_EQ(last.config.params[0].value, "best");
  EXPECT_EQ(last.config.mutators, 3);
  EXPECT_EQ(last.config.trigger, "occupancy:0.5");
  EXPECT_EQ(last.config.seed, 9u) << "what is not varied stays as given";
  ASSERT_EQ(last.varied.size(), 3u);
  EXPECT_EQ(last.varied[0].param_index, 0u) << "a parameter names its request";
  EXPECT_FALSE(last.varied[1].param_index.has_value());
  EXPECT_EQ(variants.front().config.params[0].value, "first");
  EXPECT_EQ(variants.front().config.mutators, 1);
}

TEST(ExpandAxesTest, AxesLeftOutDoNotMultiply) {
  RunMatrix matrix = matrix_of({"--fit=first,best", "--heap=1M,2M"});
  std::vector<Axis> heap_only = {matrix.axes[1]};
  std::vector<RunVariant> variants = expand_axes(matrix.base, heap_only);
  EXPECT_EQ(labels(variants), (std::vector<std::string>{"heap=1M", "heap=2M"}));
  EXPECT_EQ(variants[1].config.params[0].value, "first")
      << "a left-out parameter keeps its first value";
}

TEST(ExpandAxesTest, NoAxesGiveTheBaseAlone) {
  RunMatrix matrix = matrix_of({"--heap=3M"});
  std::vector<RunVariant> variants = expand_axes(matrix.base, matrix.axes);
  ASSERT_EQ(variants.size(), 1u);
  EXPECT_EQ(variants[0].config.heap_bytes, 3u << 20);
  EXPECT_EQ(varied_label(variants[0].varied), "");
}

TEST(CompactSizeTest, UsesTheLargestExactUnit) {
  EXPECT_EQ(compact_size(32u << 20), "32M");
  EXPECT_EQ(compact_size(1536u << 10), "1536K");
  EXPECT_EQ(compact_size(std::uint64_t{2} << 30), "2G");
  EXPECT_EQ(compact_size(4097), "4097");
  for (std::uint64_t bytes : {std::uint64_t{4097}, std::uint64_t{3} << 30,
                              std::uint64_t{1536} << 10}) {
    EXPECT_EQ(parse_size(compact_size(bytes), "size"), bytes)
        << "compact sizes must parse back";
  }
}

}  // namespace
}  // namespace gclab
