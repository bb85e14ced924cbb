#include "harness/list.h"

#include <algorithm>
#include <span>
#include <string>
#include <string_view>

#include "harness/selection.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t kNameWidth = 16;
constexpr std::size_t kParamWidth = 28;

std::string padded(std::string_view text, std::size_t width) {
  std::string result(text);
  result.resize(std::max(width, text.size() + 2), ' ');
  return result;
}

// What a parameter takes, as the list shows it: its choices spelled out.
std::string_view kind_name(const ParamSpec& spec) {
  if (spec.kind == ParamKind::kChoice) return spec.choices;
  if (spec.kind == ParamKind::kFlag) return "0|1";
  return to_string(spec.kind);
}

// Collector and allocator parameters may be given as --NAME=VALUE; workload
// parameters only as --param NAME=VALUE.
void print_params(std::ostream& out, std::span<const ParamSpec> params,
                  std::string_view prefix) {
  for (const ParamSpec& spec : params) {
    std::string usage = std::string(prefix) + std::string(spec.name) + "=" +
                        std::string(spec.default_value);
    out << "    " << padded(usage, kParamWidth) << spec.help << " ("
        << kind_name(spec) << ")\n";
  }
}

template <typename Entry>
void print_section(std::ostream& out, std::string_view title,
                   std::span<const Entry> entries, std::string_view prefix) {
  out << title << " (parameters with their defaults)\n";
  for (const Entry& entry : entries) {
    out << "  " << padded(entry.name, kNameWidth) << entry.description << "\n";
    print_params(out, entry.params, prefix);
  }
}

template <typename Entry>
Json entries_json(std::span<const Entry> entries) {
  Json list = Json::array();
  for (const Entry& entry : entries) {
    Json params = Json::array();
    for (const ParamSpec& spec : entry.params) {
      params.push_back({{"name", spec.name},
                        {"kind", kind_name(spec)},
                        {"default", spec.default_value},
                        {"help", spec.help}});
    }
    list.push_back({{"name", entry.name},
                    {"description", entry.description},
                    {"params", std::move(params)}});
  }
  return list;
}

}  // namespace

Json list_json() {
  Json pairs = Json::array();
  for (const CollectorEntry& collector : collector_registry()) {
    for (const AllocatorEntry& allocator : allocator_registry()) {
      std::string misfit = pair_misfit(collector, allocator);
      Json pair = {{"collector", collector.name},
                   {"allocator", allocator.name},
                   {"fits", misfit.empty()}};
      if (!misfit.empty()) pair["reason"] = misfit;
      pairs.push_back(std::move(pair));
    }
  }
  return {{"schema_version", 1},
          {"kind", "list"},
          {"collectors", entries_json(collector_registry())},
          {"allocators", entries_json(allocator_registry())},
          {"workloads", entries_json(workload_registry())},
          {"pairs", std::move(pairs)}};
}

void print_list(std::ostream& out) {
  print_section(out, "collectors", collector_registry(), "--");
  out << "\n";
  print_section(out, "allocators", allocator_registry(), "--");
  out << "\n";
  print_section(out, "workloads", workload_registry(), "--param ");
  out << "\npairs (collector: allocators it runs over)\n";
  for (const CollectorEntry& collector : collector_registry()) {
    std::string fits;
    std::string misfits;
    for (const AllocatorEntry& allocator : allocator_registry()) {
      std::string misfit = pair_misfit(collector, allocator);
      if (misfit.empty()) {
        fits += (fits.empty() ? "" : ", ") + std::string(allocator.name);
      } else {
        misfits += "; not " + std::string(allocator.name) + " (" + misfit + ")";
      }
    }
    out << "  " << padded(collector.name, kNameWidth)
        << (fits.empty() ? "none" : fits) << misfits << "\n";
  }
}

}  // namespace gclab
