// What one run was asked to do: the typed form of `gclab run`'s flags, and
// the lists of values `gclab compare` varies.
//
// Which flags exist, and how each one's value is read and written back, is
// the flag table's (harness/flags.h); this file applies the table: it reads
// flags into a RunConfig or a RunMatrix, routes parameters, and writes a
// RunConfig back as the argv of `gclab run`.
//
// Parsing checks the form of every value (sizes, counts, the trigger) but not
// the component names or their parameters: those are checked against the
// registries once the components are looked up (harness/selection.h). A
// component parameter reaches its component in one of two ways:
//   --param K=V            whichever of collector, allocator and workload
//                          declares K (exactly one must);
//   --param workload.K=V   that component only (to settle an ambiguity);
//   --param K              K=1, for a 0|1 (kFlag) parameter only;
//   --K=V, --K V           a flag gclab itself does not know: the chosen
//                          collector or allocator must declare K.
// Routing keeps that rule in one place, for `run` and `compare` alike.
//
// Value lists. `compare` takes "V1,V2,..." for the flags the table marks
// listable (--heap, --mutators, --gc-threads, --trigger, --barrier) and any
// parameter (no single value of these holds a comma: trigger specs use ':',
// choices '|'); `run` rejects a list, naming compare. Each setting given two
// or more values is an Axis; a RunMatrix is a RunConfig holding the first
// value of every axis, so it is itself a valid configuration, plus its axes in
// product order: parameters (the --param ones, then the flag-form ones, each
// in the order given), then the listable flags in table order. Values keep
// the order given, are
// distinct (sizes and triggers compared once normalised) and each was checked
// alone as `run` would check it, except parameter values, which only the
// declaring component can check.
#ifndef GCLAB_HARNESS_RUN_CONFIG_H_
#define GCLAB_HARNESS_RUN_CONFIG_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cli.h"
#include "harness/flags.h"
#include "harness/verify_mode.h"
#include "heap/params.h"

namespace gclab {

enum class Component { kCollector, kAllocator, kWorkload };
std::string_view to_string(Component component);

struct ParamRequest {
  std::string name;
  // Missing only for a bare --K or --param K, which set a 0|1 parameter to 1.
  std::optional<std::string> value;
  std::optional<Component> component{};
  bool as_flag = false;  // given as --K=V rather than --param K=V

  bool operator==(const ParamRequest&) const = default;
};

// "K=V", "COMPONENT.K=V" or a bare "K" (--param's value) as a request; a bare
// one has no value, for routing to accept if K is a 0|1 parameter. Throws
// ConfigError for an empty text or name.
ParamRequest parse_param(std::string_view text);

// "fit", or "allocator.fit" for a request qualified with its component.
std::string qualified_name(const ParamRequest& request);

struct RunConfig {
  std::string collector;
  std::string allocator;
  std::string workload;
  std::size_t heap_bytes = std::size_t{64} << 20;
  int mutators = 1;
  int gc_threads = 1;
  std::uint64_t seed = 1;
  std::string trigger = {};  // empty: the collector's default
  std::string barrier = {};  // empty: the collector's default
  VerifyMode verify = VerifyMode::kOff;
  std::uint64_t stress = 0;  // collect every N allocations; 0: off
  bool pretouch = false;     // commit the heap's pages before the clock
  // --census[=N]: take heap censuses (heap/census.h), every N allocations
  // under a collector whose marks say nothing. --leak-report[=K] implies a
  // census at the default interval.
  std::optional<std::uint64_t> census{};
  std::optional<int> leak_report{};  // K: growth streak that flags a site
  std::vector<ParamRequest> params;
  std::string json_path{};   // empty: write no file
  std::string trace_path{};  // empty: write no trace (harness/trace.h)
  // empty: record no allocation trace (heap/trace_recorder.h)
  std::string record_trace_path{};
  bool quiet = false;

  bool operator==(const RunConfig&) const = default;
};

struct Axis {
  // The listable flag whose values the axis lists; null for a parameter's.
  const FlagDeclaration* flag = nullptr;
  // As labels show it: "heap", "gc-threads", "fit", "allocator.fit".
  std::string name;
  // For a parameter's axis: the request in RunConfig::params it sets.
  std::size_t param_index = 0;
  // At least two, distinct, in the order given; sizes in compact binary
  // units ("32M"), triggers normalised, parameter values as given.
  std::vector<std::string> values;
};

struct RunMatrix {
  RunConfig base;          // with the first value of every axis
  std::vector<Axis> axes;  // in product order, see above
};

// The run flags `compare` takes, scanned with command_flags(kCompare), each
// list an axis; checks that compare's own required flags were given.
RunMatrix read_run_matrix(const ScannedFlags& flags);

// One value of an axis, as a configuration's label and JSON show it.
struct VariedValue {
  std::string name;
  std::string value;
  // Set when the value is a parameter's: its request in RunConfig::params.
  std::optional<std::size_t> param_index;
};

struct RunVariant {
  RunConfig config;
  std::vector<VariedValue> varied;  // one per axis, in axis order
};

// Every combination of one value per axis, the last axis changing fastest;
// with no axes, the base alone.
std::vector<RunVariant> expand_axes(const RunConfig& base,
                                    std::span<const Axis> axes);

// "fit=best heap=32M gc-threads=2"; empty when nothing varies.
std::string varied_label(std::span<const VariedValue> varied);

// "32M", "1536K", "2G", "4097": the largest binary unit that divides the size
// exactly, so parse_size reads it back to the same number.
std::string compact_size(std::uint64_t bytes);

// Parses the arguments of `gclab run` (after the word "run"); a value list is
// an error that points to `gclab compare`.
RunConfig parse_run_config(std::span<const std::string> args);

// One chosen component's name and parameter table.
struct ComponentParams {
  std::string_view name;
  std::span<const ParamSpec> specs;
};
// Indexed by Component.
using ChosenParams = std::array<ComponentParams, 3>;
using RoutedParams = std::array<std::map<std::string, std::string>, 3>;

// Whether some chosen component would accept `request`.
bool is_declared(const ParamRequest& request, const ChosenParams& chosen);

// The component route_params sends `request` to; empty when no component or
// several would accept it.
std::optional<Component> routed_component(const ParamRequest& request,
                                          const ChosenParams& chosen);

// Sends each request to the one component that declares it. Throws
// ConfigError for a name no component (or several) declares, a flag without
// a value, or a parameter given twice.
RoutedParams route_params(std::span<const ParamRequest> requests,
                          const ChosenParams& chosen);

// Routed parameters as requests, each qualified with its component
// ("--param allocator.fit=best"), in component then name order, so that
// routing them again cannot differ.
std::vector<ParamRequest> qualified_requests(const RoutedParams& routed);

// The arguments of `gclab run` ("run" first) that repeat `config`, written by
// each run flag's row of the table: parse_run_config of what follows "run"
// gives `config` back.
std::vector<std::string> run_arguments(const RunConfig& config);

}  // namespace gclab

#endif  // GCLAB_HARNESS_RUN_CONFIG_H_
