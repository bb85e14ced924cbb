#include "harness/cli.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "heap/errors.h"
#include "heap/fatal.h"

namespace gclab {
namespace {

const FlagSpec* find_spec(std::span<const FlagSpec> declared,
                          std::string_view name) {
  for (const FlagSpec& spec : declared) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool is_flag(std::string_view arg) { return arg.starts_with("--"); }

constexpr std::string_view kBlanks = " \t";

}  // namespace

const std::vector<std::string>& ScannedFlags::given(
    std::string_view name) const {
  auto it = declared_.find(name);
  if (it == declared_.end()) {
    fatal("flag --" + std::string(name) + " is read but was never declared");
  }
  return it->second;
}

std::optional<std::string> ScannedFlags::value(std::string_view name) const {
  const std::vector<std::string>& values = given(name);
  if (values.empty()) return std::nullopt;
  return values.front();
}

std::vector<std::string> ScannedFlags::values(std::string_view name) const {
  return given(name);
}

bool ScannedFlags::has(std::string_view name) const {
  return !given(name).empty();
}

ScannedFlags scan_flags(std::span<const std::string> args,
                        std::span<const FlagSpec> declared) {
  ScannedFlags scanned;
  for (const FlagSpec& spec : declared) {
    scanned.declared_.emplace(std::string(spec.name),
                              std::vector<std::string>());
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      scanned.help_requested_ = true;
      continue;
    }
    if (!is_flag(arg) || arg.size() == 2) {
      throw ConfigError("unexpected argument '" + std::string(arg) +
                        "' (flags are --name=value or --name value)");
    }
    std::string_view body = arg.substr(2);
    std::string name(body.substr(0, body.find('=')));
    std::optional<std::string> value;
    if (std::size_t equals = body.find('='); equals != std::string_view::npos) {
      value = std::string(body.substr(equals + 1));
    }
    const FlagSpec* spec = find_spec(declared, name);
    bool wants_value = spec == nullptr || spec->value != FlagValue::kNone;
    if (wants_value && !value && i + 1 < args.size() && !is_flag(args[i + 1])) {
      value = args[++i];
    }
    if (spec == nullptr) {
      scanned.undeclared_.push_back({name, value});
      continue;
    }
    if (spec->value == FlagValue::kRequired && !value) {
      throw ConfigError("flag --" + name + " needs a value");
    }
    if (spec->value == FlagValue::kNone && value) {
      throw ConfigError("flag --" + name + " takes no value");
    }
    std::vector<std::string>& values = scanned.declared_[name];
    if (!values.empty() && !spec->repeatable) {
      throw ConfigError("flag --" + name + " given more than once");
    }
    values.push_back(value.value_or(""));
  }
  return scanned;
}

std::int64_t parse_integer_flag(std::string_view text, std::string_view flag,
                                std::int64_t min, std::int64_t max) {
  std::string digits(text);
  char* end = nullptr;
  errno = 0;
  long long parsed = std::strtoll(digits.c_str(), &end, 10);
  if (digits.empty() || *end != '\0' || errno != 0 || parsed < min ||
      parsed > max) {
    throw ConfigError("bad --" + std::string(flag) + " '" + digits +
                      "': expected an integer from " + std::to_string(min) +
                      " to " + std::to_string(max));
  }
  return parsed;
}

std::uint64_t parse_unsigned_flag(std::string_view text,
                                  std::string_view flag) {
  std::string digits(text);
  char* end = nullptr;
  errno = 0;
  unsigned long long parsed = std::strtoull(digits.c_str(), &end, 10);
  if (digits.empty() || digits.front() == '-' || *end != '\0' || errno != 0) {
    throw ConfigError("bad --" + std::string(flag) + " '" + digits +
                      "': expected a non-negative integer");
  }
  return parsed;
}

std::vector<std::string> split_list(std::string_view text,
                                    std::string_view shown_as) {
  std::vector<std::string> items;
  while (true) {
    std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    std::size_t first = item.find_first_not_of(kBlanks);
    item = first == std::string_view::npos
               ? std::string_view()
               : item.substr(first, item.find_last_not_of(kBlanks) - first + 1);
    if (item.empty()) {
      throw ConfigError("bad " + std::string(shown_as) +
                        ": an empty item in a comma-separated list");
    }
    if (std::find(items.begin(), items.end(), item) != items.end()) {
      throw ConfigError("bad " + std::string(shown_as) + ": '" +
                        std::string(item) + "' is listed twice");
    }
    items.emplace_back(item);
    if (comma == std::string_view::npos) return items;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace gclab
