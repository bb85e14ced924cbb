#include "harness/run_config.h"

#include <algorithm>

#include "heap/errors.h"

namespace gclab {
namespace {

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

// `value` into `config`, as the axis's flag reads it or as its parameter's
// value.
void apply(const Axis& axis, const std::string& value, RunConfig& config) {
  if (axis.flag != nullptr) {
    axis.flag->read(value, config);
  } else {
    config.params.at(axis.param_index).value = value;
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

// The flags `command` takes into `config`, each list's first value
// included; with `axes`, every list of two or more values is appended to it
// as an axis, without, a list is an error. Rows without a reader (compare's
// own flags) are only checked for being given when required.
void read_flags(const ScannedFlags& flags, Command command, RunConfig& config,
                std::vector<Axis>* axes) {
  std::vector<Axis> setting_axes;
  for (const FlagDeclaration& flag : flag_table()) {
    if (!takes(flag, command)) continue;
    std::string shown = "--" + std::string(flag.name);
    if (flag.repeatable) {
      for (const std::string& value : flags.values(flag.name)) {
        flag.read(value, config);
      }
      continue;
    }
    std::optional<std::string> text = flags.value(flag.name);
    if (!text) {
      if (flag.required) throw ConfigError("missing required flag " + shown);
      continue;
    }
    if (flag.read == nullptr) continue;
    if (!flag.listable) {
      flag.read(*text, config);
      continue;
    }
    std::vector<std::string> given =
        given_values(*text, shown, axes != nullptr);
    std::vector<std::string> values;
    for (const std::string& value : given) {
      RunConfig scratch = config;
      values.push_back(flag.read(value, scratch));
    }
    reject_equal_values(values, given, shown + " '" + *text + "'");
    flag.read(values.front(), config);
    if (values.size() > 1) {
      setting_axes.push_back({.flag = &flag,
                              .name = std::string(flag.name),
                              .param_index = 0,
                              .values = std::move(values)});
    }
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
      axes->push_back({.flag = nullptr,
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

std::string qualified_name(const ParamRequest& request) {
  if (!request.component) return request.name;
  return std::string(to_string(*request.component)) + "." + request.name;
}

RunMatrix read_run_matrix(const ScannedFlags& flags) {
  RunMatrix matrix;
  read_flags(flags, Command::kCompare, matrix.base, &matrix.axes);
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
        apply(axis, value, next.config);
        next.varied.push_back(
            {.name = axis.name,
             .value = value,
             .param_index = axis.flag == nullptr
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
  ScannedFlags flags = scan_flags(args, command_flags(Command::kRun));
  RunConfig config;
  read_flags(flags, Command::kRun, config, nullptr);
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

std::vector<ParamRequest> qualified_requests(const RoutedParams& routed) {
  std::vector<ParamRequest> requests;
  for (Component component : kComponents) {
    for (const auto& [name, value] : routed[static_cast<int>(component)]) {
      requests.push_back({.name = name,
                          .value = value,
                          .component = component,
                          .as_flag = false});
    }
  }
  return requests;
}

std::vector<std::string> run_arguments(const RunConfig& config) {
  std::vector<std::string> args = {"run"};
  for (const FlagDeclaration& flag : flag_table()) {
    if (!takes(flag, Command::kRun)) continue;
    for (const std::string& value : flag.write(config)) {
      args.push_back("--" + std::string(flag.name) +
                     (value.empty() ? "" : "=" + value));
    }
  }
  return args;
}

}  // namespace gclab
