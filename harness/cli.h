// The command-line flag scanner shared by every gclab subcommand.
//
// Every argument is a flag: `--name=value` or `--name value` for a flag that
// takes a value, `--name` for a switch, either for a flag whose value is
// optional. Flags the caller declares are checked here (a value where one is
// needed, none where none is allowed, no repeat unless repeatable); any other
// `--name[=value]` is kept, in order, for the caller to match against the
// parameters of the chosen components, since which names are valid depends on
// what was chosen. A separate `--name value` is taken as a value only when it
// does not itself start with `--` (no argument that is not a flag is valid, so
// that is never ambiguous).
//
// Asking ScannedFlags about a name that was not declared is a gclab bug (a
// misspelt name would otherwise read as "not given"), so it aborts.
#ifndef GCLAB_HARNESS_CLI_H_
#define GCLAB_HARNESS_CLI_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gclab {

enum class FlagValue {
  kNone,      // a switch: --name
  kRequired,  // --name=value or --name value
  kOptional,  // --name, --name=value or --name value
};

struct FlagSpec {
  std::string_view name;  // without the leading "--"
  FlagValue value = FlagValue::kRequired;
  bool repeatable = false;
};

struct UndeclaredFlag {
  std::string name;
  std::optional<std::string> value;
};

class ScannedFlags {
 public:
  // The single value of a declared flag, if given; "" for a switch, or for a
  // flag with an optional value given without one.
  std::optional<std::string> value(std::string_view name) const;
  // Every value of a repeatable flag, in order.
  std::vector<std::string> values(std::string_view name) const;
  bool has(std::string_view name) const;

  const std::vector<UndeclaredFlag>& undeclared() const { return undeclared_; }
  bool help_requested() const { return help_requested_; }

 private:
  friend ScannedFlags scan_flags(std::span<const std::string> args,
                                 std::span<const FlagSpec> declared);

  // The given values of a declared name (none when it was not given).
  const std::vector<std::string>& given(std::string_view name) const;

  // Every declared name, given or not.
  std::map<std::string, std::vector<std::string>, std::less<>> declared_;
  std::vector<UndeclaredFlag> undeclared_;
  bool help_requested_ = false;
};

// Throws ConfigError for a stray argument, a missing or unwanted value, or a
// repeated flag. `-h` and `--help` set help_requested().
ScannedFlags scan_flags(std::span<const std::string> args,
                        std::span<const FlagSpec> declared);

// An integer flag value in [min, max]; throws ConfigError naming the flag.
std::int64_t parse_integer_flag(std::string_view text, std::string_view flag,
                                std::int64_t min, std::int64_t max);
std::uint64_t parse_unsigned_flag(std::string_view text, std::string_view flag);

// "a, b,c" -> {"a", "b", "c"}: blanks around an item are dropped, so a list
// may be typed either way. Throws ConfigError for an empty item or an item
// listed twice; the message opens "bad <shown_as>:", so `shown_as` names the
// flag and the whole list as the user typed it ("--fit 'first,,best'").
std::vector<std::string> split_list(std::string_view text,
                                    std::string_view shown_as);

}  // namespace gclab

#endif  // GCLAB_HARNESS_CLI_H_
