// What one run was asked to do: the typed form of `gclab run`'s flags, and
// the lists of values `gclab compare` varies.
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
// Value lists. `compare` takes "V1,V2,..." for --heap, --mutators,
// --gc-threads, --trigger, --barrier and any parameter (no single value of
// these holds a comma: trigger specs use ':', choices '|'); `run` rejects a
// list, naming compare. Each setting given two or more values is an Axis; a
// RunMatrix is a RunConfig holding the first value of every axis, so it is
// itself a valid configuration, plus its axes in product order: parameters (the
// --param ones, then the flag-form ones, each in the order given), then heap,
// mutators, gc-threads, trigger, barrier. Values keep the order given, are
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
};

struct RunConfig {
  std::string collector;
  std::string allocator;
  std::string workload;
  std::size_t heap_bytes = std::size_t{64} << 20;
  int mutators = 1;
  int gc_threads = 1;
  std::uint64_t seed = 1;
  std::string trigger;  // empty: the collector's default
  std::string barrier;  // empty: the collector's default
  bool verify = false;
  std::uint64_t stress = 0;  // collect every N allocations; 0: off
  std::vector<ParamRequest> params;
  std::string json_path{};  // empty: write no file
  bool quiet = false;
};

// The flags of `run` other than --collector and --allocator; `compare` takes
// them too and passes them on to every run.
std::span<const FlagSpec> shared_run_flags();

// Fills every field but collector and allocator from scanned flags; a value
// list is an error that points to `gclab compare`.
void read_shared_run_flags(const ScannedFlags& flags, RunConfig& config);

// A setting that can take a list of values.
enum class Setting { kParam, kHeap, kMutators, kGcThreads, kTrigger, kBarrier };

struct Axis {
  Setting setting = Setting::kParam;
  // As labels show it: "heap", "gc-threads", "fit", "allocator.fit".
  std::string name;
  // For kParam: the request in RunConfig::params whose value the axis sets.
  std::size_t param_index = 0;
  // At least two, distinct, in the order given; sizes in compact binary
  // units ("32M"), triggers normalised, parameter values as given.
  std::vector<std::string> values;
};

struct RunMatrix {
  RunConfig base;          // with the first value of every axis
  std::vector<Axis> axes;  // in product order, see above
};

// Like read_shared_run_flags, but a list becomes an axis.
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

// Parses the arguments of `gclab run` (after the word "run").
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

// The arguments of `gclab run` that repeat `config` for the given collector
// and allocator with already routed parameters (each one qualified with its
// component, so routing in the child cannot differ).
std::vector<std::string> run_arguments(const RunConfig& config,
                                       std::string_view collector,
                                       std::string_view allocator,
                                       const RoutedParams& params);

}  // namespace gclab

#endif  // GCLAB_HARNESS_RUN_CONFIG_H_
