#include "harness/run_config.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
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
  EXPECT_EQ(config.trigger, "on-failure");
  EXPECT_FALSE(config.verify);
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
    EXPECT_TRUE(config->verify);
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
  expect_parse_error(with_required({"--verify=yes"}),
                     "flag --verify takes no value");
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
  EXPECT_TRUE(scan_flags(args, shared_run_flags()).help_requested());
  Args short_form = {"-h"};
  EXPECT_TRUE(scan_flags(short_form, shared_run_flags()).help_requested());
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
  expect_parse_error(with_required({"--param", "depth"}),
                     "bad --param 'depth'");
  expect_parse_error(with_required({"--param", "=4"}), "bad --param '=4'");
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

TEST(RunArgumentsTest, ReparseToTheSameRun) {
  RunConfig config = parse_run_config(with_required(
      {"--heap=1M", "--mutators=2", "--seed=5", "--trigger=occupancy:0.25",
       "--verify", "--stress=7", "--fit=best", "--param", "workload.depth=3"}));
  RoutedParams routed = route_params(config.params, kChosen);
  Args args = run_arguments(config, "ms", "fl", routed);
  ASSERT_FALSE(args.empty());
  EXPECT_EQ(args.front(), "run");
  RunConfig again = parse_run_config(Args(args.begin() + 1, args.end()));
  EXPECT_EQ(again.collector, "ms");
  EXPECT_EQ(again.allocator, "fl");
  EXPECT_EQ(again.workload, config.workload);
  EXPECT_EQ(again.heap_bytes, config.heap_bytes);
  EXPECT_EQ(again.mutators, 2);
  EXPECT_EQ(again.seed, 5u);
  EXPECT_EQ(again.trigger, "occupancy:0.25");
  EXPECT_TRUE(again.verify);
  EXPECT_EQ(again.stress, 7u);
  EXPECT_EQ(route_params(again.params, kChosen), routed);
}

}  // namespace
}  // namespace gclab
