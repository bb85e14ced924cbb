// The flags of `gclab run` and `gclab compare`, declared once.
//
// One row per flag: its name, what value it takes, whether it repeats, which
// commands take it, whether it is required, whether compare takes a list of
// its values, what usage shows (value name, help, default), and, for a flag
// of `run`, how one value is read into a RunConfig and how a RunConfig is
// written back as arguments. Everything else is derived from the table:
//   - the specs scan_flags checks (command_flags);
//   - the flag sections of `gclab help` (harness/usage.h);
//   - reading the flags into a RunConfig or a RunMatrix, and the argv of the
//     child `gclab run` that compare starts for each configuration
//     (harness/run_config.h),
// so adding a flag is one row here plus its field in RunConfig. The rows of
// run's flags are in the order a child's argv lists them; compare's own
// flags (read by harness/compare.cc itself, so without read or write) come
// last. Two rows may share a name if no command takes both (--json says
// different things to run and to compare).
//
// A component parameter given as --NAME=VALUE is no row: scan_flags keeps
// any undeclared flag for routing (harness/run_config.h).
#ifndef GCLAB_HARNESS_FLAGS_H_
#define GCLAB_HARNESS_FLAGS_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cli.h"

namespace gclab {

struct RunConfig;

enum class Command { kRun, kCompare };
enum class FlagCommands { kRun, kCompare, kRunAndCompare };

struct FlagDeclaration {
  std::string_view name;  // without the leading "--"
  FlagValue value = FlagValue::kRequired;
  bool repeatable = false;
  FlagCommands commands = FlagCommands::kRunAndCompare;
  bool required = false;
  // compare takes "V1,V2,..." and varies the setting over the values; the
  // rows' order is the order of those axes.
  bool listable = false;
  std::string_view value_name = {};  // usage: "--heap SIZE"
  std::string_view help = {};
  // The value that applies when the flag is not given, as usage shows it;
  // empty when there is none or the help says it in words.
  std::string_view default_value = {};
  // Reads one value (one item of a list; "" for a bare switch or optional
  // value) into `config` and returns it as compare's labels show it. Throws
  // ConfigError. Null for compare's own flags.
  std::string (*read)(std::string_view value, RunConfig& config) = nullptr;
  // The values a child `gclab run` is given to repeat `config`: none leaves
  // the flag out, "" gives it bare. Set exactly for the flags of run.
  std::vector<std::string> (*write)(const RunConfig& config) = nullptr;
};

// Every row, in the order described above.
std::span<const FlagDeclaration> flag_table();

bool takes(const FlagDeclaration& flag, Command command);

// The specs of every flag `command` takes, for scan_flags.
std::vector<FlagSpec> command_flags(Command command);

}  // namespace gclab

#endif  // GCLAB_HARNESS_FLAGS_H_
