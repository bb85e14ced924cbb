// Named parameters of a component (collector, allocator or workload).
//
// Each component declares its parameters once, in one table of ParamSpec;
// `gclab list` prints that table and the command line is parsed against it,
// so help, defaults and parsing can never disagree (Whippet's option lists).
#ifndef GCLAB_HEAP_PARAMS_H_
#define GCLAB_HEAP_PARAMS_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace gclab {

// kFlag is a switch: "0" or "1"; on the command line a bare --NAME means 1.
// kText is any text (a path, say), read with get_string.
enum class ParamKind { kInt, kSize, kDouble, kChoice, kFlag, kText };

struct ParamSpec {
  std::string_view name;
  ParamKind kind;
  std::string_view default_value;
  std::string_view help;
  std::string_view choices = {};  // for kChoice: "first|next|best"
};

// Parses "64M", "512K", "2G", "4096" (binary units); throws ConfigError.
std::uint64_t parse_size(std::string_view text, std::string_view what);

// "integer", "size", "number", "choice", "flag", "text".
std::string_view to_string(ParamKind kind);

// The effective values of one component's parameters: defaults overridden by
// what the user gave, each checked against its spec.
//
// The typed getters read a value as its spec's kind; asking for a name as
// another kind (get_flag on a choice, say) is a gclab bug, not bad input, so
// it aborts (heap/fatal.h) rather than guessing.
class ParamValues {
 public:
  ParamValues() = default;
  // Throws ConfigError for an unknown name or a value that does not parse.
  ParamValues(std::span<const ParamSpec> specs,
              const std::map<std::string, std::string>& overrides);

  std::int64_t get_int(std::string_view name) const;         // kInt
  std::uint64_t get_size(std::string_view name) const;       // kSize
  double get_double(std::string_view name) const;            // kDouble
  bool get_flag(std::string_view name) const;                // kFlag
  std::string_view get_choice(std::string_view name) const;  // kChoice
  // The value as text, whatever its kind: for recording the configuration.
  const std::string& get_string(std::string_view name) const;

  // Name to effective value, for the run's recorded configuration.
  const std::map<std::string, std::string, std::less<>>& values() const {
    return values_;
  }

 private:
  const std::string& raw(std::string_view name) const;
  // raw(name), after checking that `name` was declared as `kind`.
  const std::string& typed(std::string_view name, ParamKind kind) const;

  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, ParamKind, std::less<>> kinds_;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_PARAMS_H_
