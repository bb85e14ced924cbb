#include "harness/report_fields_check.h"

#include <algorithm>
#include <map>
#include <span>
#include <string_view>

#include "harness/report_fields.h"

namespace gclab::testing {
namespace {

using Json = nlohmann::ordered_json;
using Names = std::span<const std::string_view>;
namespace f = fields;

// What the keys of the object at a path are: declared names, or data (a map
// whose keys are parameter names, pause kinds or axis names).
struct Block {
  Names names;
  bool keys_are_data = false;
};

// Paths relative to a run report: "key", "key[]" for an array's objects and
// "*" for any key of a data map.
const std::map<std::string, Block, std::less<>>& run_blocks() {
  static const std::map<std::string, Block, std::less<>> blocks = {
      {"", {f::run::kAll}},
      {"config", {f::config::kAll}},
      {"config.params", {f::params::kAll}},
      {"config.params.collector", {{}, true}},
      {"config.params.allocator", {{}, true}},
      {"config.params.workload", {{}, true}},
      {"environment", {f::environment::kAll}},
      {"time", {f::time::kAll}},
      {"pauses", {f::pauses::kAll}},
      {"pauses.by_kind", {{}, true}},
      {"pauses.by_kind.*", {f::pause_summary::kAll}},
      {"pauses.list[]", {f::pause::kAll}},
      {"mmu", {f::mmu::kAll}},
      {"mmu.windows[]", {f::mmu_window::kAll}},
      {"allocation", {f::allocation::kAll}},
      {"heap", {f::heap::kAll}},
      {"heap.final", {f::heap_stats::kAll}},
      {"cycles[]", {f::cycle::kAll}},
      {"cycles[].phases[]", {f::phase::kAll}},
      {"cycles[].before", {f::heap_stats::kAll}},
      {"cycles[].after", {f::heap_stats::kAll}},
      {"cycles[].concurrent", {f::concurrent::kAll}},
      {"cycles[].pacer", {f::pacer::kAll}},
      {"cycles[].cpu", {f::cycle_cpu::kAll}},
      {"barriers", {f::barriers::kAll}},
      {"ref_count", {f::ref_count::kAll}},
      {"ref_count.freed_by_counting", {f::freed::kAll}},
      {"ref_count.freed_by_cycles", {f::freed::kAll}},
      {"verification", {f::verification::kAll}},
      {"workload", {f::workload::kAll}},
      {"census", {f::census::kAll}},
      {"census.censuses[]", {f::census_record::kAll}},
      {"census.censuses[].sites[]", {f::site_tally::kAll}},
      {"census.censuses[].ages[]", {f::age_tally::kAll}},
      {"leaks", {f::leaks::kAll}},
      {"leaks.growing_sites[]", {f::growing_site::kAll}},
      {"leaks.growing_sites[].path", {f::object_path::kAll}},
      {"leaks.growing_sites[].path.steps[]", {f::path_step::kAll}},
      {"leaks.garbage_cycles", {f::garbage_cycles::kAll}},
      {"leaks.garbage_cycles.components[]", {f::garbage_component::kAll}},
      {"leaks.garbage_cycles.components[].sites[]", {f::site_tally::kAll}},
      {"leaks.at_end", {f::at_end::kAll}},
      {"leaks.at_end.sites[]", {f::site_tally::kAll}},
      {"workload.long_lived_tree", {f::tree::kAll}},
      {"workload_report", {f::workload::kAll}},
      {"go", {f::go::kAll}},
      {"boehm", {f::boehm::kAll}},
      {"boehm.world_stopped", {f::pause_summary::kAll}},
  };
  return blocks;
}

// Paths relative to a compare document; a configuration's runs are run
// reports.
constexpr std::string_view kRunsPath = "configs[].runs[]";
const std::map<std::string, Block, std::less<>>& compare_blocks() {
  static const std::map<std::string, Block, std::less<>> blocks = {
      {"", {f::compare::kAll}},
      {"axes[]", {f::axis::kAll}},
      {"environment", {f::environment::kAll}},
      {"configs[]", {f::compared::kAll}},
      {"configs[].varied", {{}, true}},
      {"configs[].median", {f::median::kAll}},
      {"skipped[]", {f::skipped::kAll}},
  };
  return blocks;
}

class Walk {
 public:
  void object(const Json& json, const std::string& path, Document document) {
    if (document == Document::kCompare && path == kRunsPath) {
      object(json, "", Document::kRun);
      return;
    }
    const auto& blocks =
        document == Document::kRun ? run_blocks() : compare_blocks();
    auto block = blocks.find(path);
    if (block == blocks.end()) {
      note(path + " (no block is declared here)");
      return;
    }
    for (const auto& [key, value] : json.items()) {
      const Names& names = block->second.names;
      bool data = block->second.keys_are_data;
      if (!data && std::find(names.begin(), names.end(), key) == names.end()) {
        note(joined(path, key));
        continue;
      }
      value_at(value, joined(path, data ? "*" : key), document);
    }
  }

  std::vector<std::string> found() && { return std::move(found_); }

 private:
  static std::string joined(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  void value_at(const Json& value, const std::string& path, Document document) {
    if (value.is_object()) object(value, path, document);
    if (!value.is_array()) return;
    for (const Json& element : value) {
      if (element.is_object()) object(element, path + "[]", document);
    }
  }

  void note(const std::string& path) {
    if (std::find(found_.begin(), found_.end(), path) == found_.end()) {
      found_.push_back(path);
    }
  }

  std::vector<std::string> found_;
};

}  // namespace

std::vector<std::string> undeclared_fields(const Json& json,
                                           Document document) {
  Walk walk;
  walk.object(json, "", document);
  return std::move(walk).found();
}

}  // namespace gclab::testing
