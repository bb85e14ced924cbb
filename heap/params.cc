#include "heap/params.h"

#include <cerrno>
#include <cstdlib>

#include "heap/errors.h"
#include "heap/fatal.h"

namespace gclab {
namespace {

bool parse_int(const std::string& text, std::int64_t& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  out = value;
  return true;
}

bool parse_double(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0') return false;
  out = value;
  return true;
}

bool is_choice(std::string_view choices, std::string_view value) {
  while (!choices.empty()) {
    std::size_t bar = choices.find('|');
    if (choices.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) break;
    choices.remove_prefix(bar + 1);
  }
  return false;
}

void check_value(const ParamSpec& spec, const std::string& value) {
  std::string what = "parameter " + std::string(spec.name);
  switch (spec.kind) {
    case ParamKind::kInt: {
      std::int64_t parsed;
      if (!parse_int(value, parsed)) {
        throw ConfigError("bad " + what + "='" + value +
                          "': expected an integer");
      }
      return;
    }
    case ParamKind::kSize:
      parse_size(value, what);
      return;
    case ParamKind::kDouble: {
      double parsed;
      if (!parse_double(value, parsed)) {
        throw ConfigError("bad " + what + "='" + value +
                          "': expected a number");
      }
      return;
    }
    case ParamKind::kFlag:
      if (value != "0" && value != "1") {
        throw ConfigError("bad " + what + "='" + value + "': expected 0 or 1");
      }
      return;
    case ParamKind::kChoice:
      if (!is_choice(spec.choices, value)) {
        throw ConfigError("bad " + what + "='" + value + "': expected one of " +
                          std::string(spec.choices));
      }
      return;
    case ParamKind::kText:
      return;
  }
}

}  // namespace

std::string_view to_string(ParamKind kind) {
  switch (kind) {
    case ParamKind::kInt:
      return "integer";
    case ParamKind::kSize:
      return "size";
    case ParamKind::kDouble:
      return "number";
    case ParamKind::kChoice:
      return "choice";
    case ParamKind::kFlag:
      return "flag";
    case ParamKind::kText:
      return "text";
  }
  return "value";
}

std::uint64_t parse_size(std::string_view text, std::string_view what) {
  std::string digits(text);
  std::uint64_t unit = 1;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'K':
      case 'k':
        unit = 1ull << 10;
        break;
      case 'M':
      case 'm':
        unit = 1ull << 20;
        break;
      case 'G':
      case 'g':
        unit = 1ull << 30;
        break;
      default:
        break;
    }
    if (unit != 1) digits.pop_back();
  }
  std::int64_t value;
  if (!parse_int(digits, value) || value <= 0 ||
      static_cast<std::uint64_t>(value) > (UINT64_MAX >> 30)) {
    throw ConfigError("bad " + std::string(what) + " '" + std::string(text) +
                      "': expected a positive size like 4096, 512K, 64M or 2G");
  }
  return static_cast<std::uint64_t>(value) * unit;
}

ParamValues::ParamValues(std::span<const ParamSpec> specs,
                         const std::map<std::string, std::string>& overrides) {
  for (const ParamSpec& spec : specs) {
    values_.emplace(std::string(spec.name), std::string(spec.default_value));
    kinds_.emplace(std::string(spec.name), spec.kind);
  }
  for (const auto& [name, value] : overrides) {
    const ParamSpec* spec = nullptr;
    for (const ParamSpec& candidate : specs) {
      if (candidate.name == name) spec = &candidate;
    }
    if (spec == nullptr) throw ConfigError("unknown parameter '" + name + "'");
    check_value(*spec, value);
    values_[name] = value;
  }
}

const std::string& ParamValues::raw(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    throw ConfigError("unknown parameter '" + std::string(name) + "'");
  }
  return it->second;
}

const std::string& ParamValues::typed(std::string_view name,
                                      ParamKind kind) const {
  const std::string& value = raw(name);
  ParamKind declared = kinds_.find(name)->second;
  if (declared != kind) {
    fatal("parameter '" + std::string(name) + "' has kind " +
          std::string(to_string(declared)) + " but was read as kind " +
          std::string(to_string(kind)));
  }
  return value;
}

std::int64_t ParamValues::get_int(std::string_view name) const {
  std::int64_t value = 0;
  parse_int(typed(name, ParamKind::kInt), value);
  return value;
}

std::uint64_t ParamValues::get_size(std::string_view name) const {
  return parse_size(typed(name, ParamKind::kSize), name);
}

double ParamValues::get_double(std::string_view name) const {
  double value = 0;
  parse_double(typed(name, ParamKind::kDouble), value);
  return value;
}

bool ParamValues::get_flag(std::string_view name) const {
  return typed(name, ParamKind::kFlag) == "1";
}

std::string_view ParamValues::get_choice(std::string_view name) const {
  return typed(name, ParamKind::kChoice);
}

const std::string& ParamValues::get_string(std::string_view name) const {
  return raw(name);
}

}  // namespace gclab
