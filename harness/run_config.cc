#include "harness/run_config.h"

#include "heap/errors.h"
#include "heap/trigger.h"

namespace gclab {
namespace {

constexpr FlagSpec kSharedRunFlags[] = {
    {"workload"}, {"heap"},    {"mutators"},          {"gc-threads"},
    {"seed"},     {"trigger"}, {"param", true, true}, {"verify", false},
    {"stress"},   {"json"},    {"quiet", false},
};

constexpr int kMaxThreads = 1024;

constexpr Component kComponents[] = {
    Component::kCollector, Component::kAllocator, Component::kWorkload};

std::optional<Component> component_named(std::string_view name) {
  for (Component component : kComponents) {
    if (to_string(component) == name) return component;
  }
  return std::nullopt;
}

// "K=V" or "COMPONENT.K=V".
ParamRequest parse_param(std::string_view text) {
  std::size_t equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw ConfigError("bad --param '" + std::string(text) +
                      "': expected NAME=VALUE or COMPONENT.NAME=VALUE");
  }
  ParamRequest request{.name = std::string(text.substr(0, equals)),
                       .value = std::string(text.substr(equals + 1)),
                       .component = {},
                       .as_flag = false};
  if (std::size_t dot = request.name.find('.'); dot != std::string::npos) {
    if (auto component = component_named(request.name.substr(0, dot))) {
      request.component = component;
      request.name.erase(0, dot + 1);
    }
  }
  return request;
}

bool declares(const ComponentParams& params, std::string_view name) {
  for (const ParamSpec& spec : params.specs) {
    if (spec.name == name) return true;
  }
  return false;
}

std::vector<Component> claimants(const ParamRequest& request,
                                 const ChosenParams& chosen) {
  std::vector<Component> found;
  for (Component component : kComponents) {
    if (request.component && *request.component != component) continue;
    if (request.as_flag && component == Component::kWorkload) continue;
    if (declares(chosen[static_cast<int>(component)], request.name)) {
      found.push_back(component);
    }
  }
  return found;
}

std::string describe(Component component, const ChosenParams& chosen) {
  return std::string(to_string(component)) + " " +
         std::string(chosen[static_cast<int>(component)].name);
}

[[noreturn]] void throw_undeclared(const ParamRequest& request,
                                   const ChosenParams& chosen) {
  if (request.as_flag &&
      declares(chosen[static_cast<int>(Component::kWorkload)], request.name)) {
    throw ConfigError("--" + request.name + " is a parameter of " +
                      describe(Component::kWorkload, chosen) +
                      ": write --param " + request.name + "=VALUE");
  }
  if (request.as_flag) {
    throw ConfigError("unknown flag --" + request.name +
                      " (neither a gclab flag nor a parameter of " +
                      describe(Component::kCollector, chosen) + " or " +
                      describe(Component::kAllocator, chosen) + ")");
  }
  if (request.component) {
    throw ConfigError("unknown parameter '" + request.name + "' for " +
                      describe(*request.component, chosen) +
                      " (see gclab list)");
  }
  throw ConfigError(
      "unknown parameter '" + request.name + "' (not declared by " +
      describe(Component::kCollector, chosen) + ", " +
      describe(Component::kAllocator, chosen) + " or " +
      describe(Component::kWorkload, chosen) + "; see gclab list)");
}

}  // namespace

std::string_view to_string(Component component) {
  switch (component) {
    case Component::kCollector:
      return "collector";
    case Component::kAllocator:
      return "allocator";
    case Component::kWorkload:
      return "workload";
  }
  return "component";
}

std::span<const FlagSpec> shared_run_flags() { return kSharedRunFlags; }

void read_shared_run_flags(const ScannedFlags& flags, RunConfig& config) {
  auto workload = flags.value("workload");
  if (!workload) throw ConfigError("missing required flag --workload");
  config.workload = *workload;
  if (auto heap = flags.value("heap")) {
    config.heap_bytes = parse_size(*heap, "--heap");
  }
  if (auto mutators = flags.value("mutators")) {
    config.mutators = static_cast<int>(
        parse_integer_flag(*mutators, "mutators", 1, kMaxThreads));
  }
  if (auto gc_threads = flags.value("gc-threads")) {
    config.gc_threads = static_cast<int>(
        parse_integer_flag(*gc_threads, "gc-threads", 1, kMaxThreads));
  }
  if (auto seed = flags.value("seed")) {
    config.seed = parse_unsigned_flag(*seed, "seed");
  }
  if (auto trigger = flags.value("trigger")) {
    config.trigger = parse_trigger(*trigger)->spec();
  }
  config.verify = flags.has("verify");
  if (auto stress = flags.value("stress")) {
    config.stress = parse_unsigned_flag(*stress, "stress");
    if (config.stress == 0) {
      throw ConfigError("bad --stress '0': expected a positive integer");
    }
  }
  if (auto json = flags.value("json")) {
    if (json->empty()) throw ConfigError("bad --json '': expected a file name");
    config.json_path = *json;
  }
  config.quiet = flags.has("quiet");
  for (const std::string& param : flags.values("param")) {
    config.params.push_back(parse_param(param));
  }
  for (const UndeclaredFlag& flag : flags.undeclared()) {
    config.params.push_back({.name = flag.name,
                             .value = flag.value,
                             .component = {},
                             .as_flag = true});
  }
}

RunConfig parse_run_config(std::span<const std::string> args) {
  std::vector<FlagSpec> specs(kSharedRunFlags, std::end(kSharedRunFlags));
  specs.push_back({"collector"});
  specs.push_back({"allocator"});
  ScannedFlags flags = scan_flags(args, specs);
  RunConfig config;
  auto collector = flags.value("collector");
  if (!collector) throw ConfigError("missing required flag --collector");
  auto allocator = flags.value("allocator");
  if (!allocator) throw ConfigError("missing required flag --allocator");
  config.collector = *collector;
  config.allocator = *allocator;
  read_shared_run_flags(flags, config);
  return config;
}

bool is_declared(const ParamRequest& request, const ChosenParams& chosen) {
  return !claimants(request, chosen).empty();
}

RoutedParams route_params(std::span<const ParamRequest> requests,
                          const ChosenParams& chosen) {
  RoutedParams routed;
  for (const ParamRequest& request : requests) {
    std::vector<Component> found = claimants(request, chosen);
    if (found.empty()) throw_undeclared(request, chosen);
    if (found.size() > 1) {
      std::string message = "parameter '" + request.name + "' is declared by ";
      std::string choices;
      for (std::size_t i = 0; i < found.size(); ++i) {
        message += (i == 0 ? "" : " and ") + describe(found[i], chosen);
        choices += (i == 0 ? "" : " or ") + std::string("--param ") +
                   std::string(to_string(found[i])) + "." + request.name +
                   "=VALUE";
      }
      throw ConfigError(message + "; write " + choices);
    }
    if (!request.value) {
      throw ConfigError("flag --" + request.name + " needs a value");
    }
    auto [it, inserted] = routed[static_cast<int>(found.front())].emplace(
        request.name, *request.value);
    if (!inserted) {
      throw ConfigError("parameter '" + request.name +
                        "' given more than once");
    }
  }
  return routed;
}

std::vector<std::string> run_arguments(const RunConfig& config,
                                       std::string_view collector,
                                       std::string_view allocator,
                                       const RoutedParams& params) {
  std::vector<std::string> args = {
      "run",
      "--collector=" + std::string(collector),
      "--allocator=" + std::string(allocator),
      "--workload=" + config.workload,
      "--heap=" + std::to_string(config.heap_bytes),
      "--mutators=" + std::to_string(config.mutators),
      "--gc-threads=" + std::to_string(config.gc_threads),
      "--seed=" + std::to_string(config.seed),
      "--trigger=" + config.trigger,
  };
  if (config.verify) args.push_back("--verify");
  if (config.stress != 0) {
    args.push_back("--stress=" + std::to_string(config.stress));
  }
  for (Component component : kComponents) {
    for (const auto& [name, value] : params[static_cast<int>(component)]) {
      args.push_back("--param=" + std::string(to_string(component)) + "." +
                     name + "=" + value);
    }
  }
  return args;
}

}  // namespace gclab
