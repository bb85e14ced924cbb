#include "harness/run_config.h"

#include <algorithm>

#include "heap/barrier.h"
#include "heap/errors.h"
#include "heap/trigger.h"

namespace gclab {
namespace {

constexpr FlagSpec kSharedRunFlags[] = {
    {"workload"},      {"heap"},    {"mutators"}, {"gc-threads"},
    {"seed"},          {"trigger"}, {"barrier"},  {"param", true, true},
    {"verify", false}, {"stress"},  {"json"},     {"quiet", false},
};

constexpr int kMaxThreads = 1024;

// The settings other than parameters that compare can vary, in product order.
struct ListableSetting {
  Setting setting;
  std::string_view flag;
};
constexpr ListableSetting kListableSettings[] = {
    {Setting::kHeap, "heap"},
    {Setting::kMutators, "mutators"},
    {Setting::kGcThreads, "gc-threads"},
    {Setting::kTrigger, "trigger"},
    {Setting::kBarrier, "barrier"},
};

constexpr Component kComponents[] = {
    Component::kCollector, Component::kAllocator, Component::kWorkload};

std::optional<Component> component_named(std::string_view name) {
  for (Component component : kComponents) {
    if (to_string(component) == name) return component;
  }
  return std::nullopt;
}

constexpr std::string_view kParamForms =
    "expected NAME=VALUE or COMPONENT.NAME=VALUE";

// "K=V" or "COMPONENT.K=V"; a bare "K" is left without a value, for routing
// to accept if K is a flag parameter.
ParamRequest parse_param(std::string_view text) {
  std::size_t equals = text.find('=');
  if (text.empty() || equals == 0) {
    throw ConfigError("bad --param '" + std::string(text) +
                      "': " + std::string(kParamForms));
  }
  ParamRequest request{.name = std::string(text.substr(0, equals)),
                       .value = {},
                       .component = {},
                       .as_flag = false};
  if (equals != std::string_view::npos) {
    request.value = std::string(text.substr(equals + 1));
  }
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

std::string qualified_name(const ParamRequest& request) {
  if (!request.component) return request.name;
  return std::string(to_string(*request.component)) + "." + request.name;
}

// How the user gave a parameter, for messages: "--fit" or "--param fit".
std::string shown_flag(const ParamRequest& request) {
  return request.as_flag ? "--" + request.name
                         : "--param " + qualified_name(request);
}

// One value, or, where lists are allowed, the items of a list.
std::vector<std::string> given_values(const std::string& text,
                                      const std::string& flag,
                                      bool lists_allowed) {
  if (text.find(',') == std::string::npos) return {text};
  if (!lists_allowed) {
    throw ConfigError(flag + " takes one value in gclab run, not the list '" +
                      text + "' (value lists are for gclab compare)");
  }
  return split_list(text, flag + " '" + text + "'");
}

int parse_thread_count(std::string_view text, std::string_view flag) {
  return static_cast<int>(parse_integer_flag(text, flag, 1, kMaxThreads));
}

// Checks one value of a setting as `run` would and returns it as labels show
// it, in a form that parses back to the same setting.
std::string normalise(Setting setting, std::string_view value) {
  switch (setting) {
    case Setting::kHeap:
      return compact_size(parse_size(value, "--heap"));
    case Setting::kMutators:
      return std::to_string(parse_thread_count(value, "mutators"));
    case Setting::kGcThreads:
      return std::to_string(parse_thread_count(value, "gc-threads"));
    case Setting::kTrigger:
      return parse_trigger(value)->spec();
    case Setting::kBarrier:
      return std::string(to_string(parse_barrier(value)));
    case Setting::kParam:
      break;
  }
  return std::string(value);
}

// `value` as normalise returns it.
void apply(Setting setting, std::size_t param_index, const std::string& value,
           RunConfig& config) {
  switch (setting) {
    case Setting::kHeap:
      config.heap_bytes = parse_size(value, "--heap");
      return;
    case Setting::kMutators:
      config.mutators = parse_thread_count(value, "mutators");
      return;
    case Setting::kGcThreads:
      config.gc_threads = parse_thread_count(value, "gc-threads");
      return;
    case Setting::kTrigger:
      config.trigger = value;
      return;
    case Setting::kBarrier:
      config.barrier = value;
      return;
    case Setting::kParam:
      config.params.at(param_index).value = value;
      return;
  }
}

// Two spellings of one value ("1M" and "1024K") would be two identical
// configurations.
void reject_equal_values(std::span<const std::string> normalised,
                         std::span<const std::string> given,
                         const std::string& shown_as) {
  for (std::size_t i = 0; i < normalised.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (normalised[i] == normalised[j]) {
        throw ConfigError("bad " + shown_as + ": '" + given[i] +
                          "' is the same as '" + given[j] + "'");
      }
    }
  }
}

// The shared run flags into `config`, each list's first value included; with
// `axes`, every list of two or more values is appended to it as an axis,
// without, a list is an error.
void read_run_flags(const ScannedFlags& flags, RunConfig& config,
                    std::vector<Axis>* axes) {
  auto workload = flags.value("workload");
  if (!workload) throw ConfigError("missing required flag --workload");
  config.workload = *workload;
  std::vector<Axis> setting_axes;
  for (const ListableSetting& listable : kListableSettings) {
    auto text = flags.value(listable.flag);
    if (!text) continue;
    std::string flag = "--" + std::string(listable.flag);
    std::vector<std::string> given = given_values(*text, flag, axes != nullptr);
    std::vector<std::string> values;
    for (const std::string& value : given) {
      values.push_back(normalise(listable.setting, value));
    }
    reject_equal_values(values, given, flag + " '" + *text + "'");
    apply(listable.setting, 0, values.front(), config);
    if (values.size() > 1) {
      setting_axes.push_back({.setting = listable.setting,
                              .name = std::string(listable.flag),
                              .param_index = 0,
                              .values = std::move(values)});
    }
  }
  if (auto seed = flags.value("seed")) {
    config.seed = parse_unsigned_flag(*seed, "seed");
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
  for (std::size_t i = 0; i < config.params.size(); ++i) {
    ParamRequest& request = config.params[i];
    if (!request.value) continue;
    std::vector<std::string> values =
        given_values(*request.value, shown_flag(request), axes != nullptr);
    request.value = values.front();
    if (values.size() > 1) {
      axes->push_back({.setting = Setting::kParam,
                       .name = qualified_name(request),
                       .param_index = i,
                       .values = std::move(values)});
    }
  }
  if (axes != nullptr) {
    axes->insert(axes->end(), setting_axes.begin(), setting_axes.end());
  }
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
  read_run_flags(flags, config, nullptr);
}

RunMatrix read_run_matrix(const ScannedFlags& flags) {
  RunMatrix matrix;
  read_run_flags(flags, matrix.base, &matrix.axes);
  return matrix;
}

std::vector<RunVariant> expand_axes(const RunConfig& base,
                                    std::span<const Axis> axes) {
  std::vector<RunVariant> variants = {{.config = base, .varied = {}}};
  for (const Axis& axis : axes) {
    std::vector<RunVariant> extended;
    for (const RunVariant& variant : variants) {
      for (const std::string& value : axis.values) {
        RunVariant next = variant;
        apply(axis.setting, axis.param_index, value, next.config);
        next.varied.push_back(
            {.name = axis.name,
             .value = value,
             .param_index = axis.setting == Setting::kParam
                                ? std::optional(axis.param_index)
                                : std::nullopt});
        extended.push_back(std::move(next));
      }
    }
    variants = std::move(extended);
  }
  return variants;
}

std::string varied_label(std::span<const VariedValue> varied) {
  std::string label;
  for (const VariedValue& entry : varied) {
    label += (label.empty() ? "" : " ") + entry.name + "=" + entry.value;
  }
  return label;
}

std::string compact_size(std::uint64_t bytes) {
  constexpr std::pair<int, char> kUnits[] = {{30, 'G'}, {20, 'M'}, {10, 'K'}};
  for (auto [shift, suffix] : kUnits) {
    if (bytes != 0 && bytes % (std::uint64_t{1} << shift) == 0) {
      return std::to_string(bytes >> shift) + suffix;
    }
  }
  return std::to_string(bytes);
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

std::optional<Component> routed_component(const ParamRequest& request,
                                          const ChosenParams& chosen) {
  std::vector<Component> found = claimants(request, chosen);
  if (found.size() != 1) return std::nullopt;
  return found.front();
}

namespace {

// A bare --NAME sets a kFlag parameter.
bool is_switch(std::string_view name, const ComponentParams& component) {
  return std::any_of(component.specs.begin(), component.specs.end(),
                     [name](const ParamSpec& spec) {
                       return spec.name == name &&
                              spec.kind == ParamKind::kFlag;
                     });
}

}  // namespace

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
    std::optional<std::string> value = request.value;
    if (!value &&
        is_switch(request.name, chosen[static_cast<int>(found.front())])) {
      value = "1";
    }
    if (!value && request.as_flag) {
      throw ConfigError("flag --" + request.name + " needs a value");
    }
    if (!value) {
      throw ConfigError("bad --param '" + qualified_name(request) +
                        "': " + std::string(kParamForms) +
                        " (NAME alone only for a 0|1 parameter)");
    }
    auto [it, inserted] =
        routed[static_cast<int>(found.front())].emplace(request.name, *value);
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
  };
  if (!config.trigger.empty()) args.push_back("--trigger=" + config.trigger);
  if (!config.barrier.empty()) args.push_back("--barrier=" + config.barrier);
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
