#include "harness/census_summary.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "harness/report_fields.h"
#include "harness/summary.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

// The sites a summary line names at most, largest first.
constexpr std::size_t kSitesNamed = 3;

std::string plural(std::uint64_t count, const std::string& noun) {
  if (count == 1) return "1 " + noun;
  return std::to_string(count) + " " + noun +
         (noun.ends_with("s") ? "es" : "s");
}

std::string largest_sites(const Json& sites) {
  std::vector<const Json*> sorted;
  for (const Json& site : sites) sorted.push_back(&site);
  std::sort(sorted.begin(), sorted.end(), [](const Json* a, const Json* b) {
    return (*a)[fields::site_tally::kBytes].get<std::uint64_t>() >
           (*b)[fields::site_tally::kBytes].get<std::uint64_t>();
  });
  std::string text;
  for (std::size_t i = 0; i < sorted.size() && i < kSitesNamed; ++i) {
    const Json& site = *sorted[i];
    text += (i == 0 ? "" : ", ") +
            site[fields::site_tally::kSite].get<std::string>() + " " +
            format_bytes(site[fields::site_tally::kBytes].get<double>());
  }
  if (sorted.size() > kSitesNamed) text += ", ...";
  return text;
}

void print_censuses(std::ostream& out, const Json& census) {
  const Json& censuses = census[fields::census::kCensuses];
  double total_ns = 0;
  for (const Json& entry : censuses) {
    total_ns += entry[fields::census_record::kDurationNs].get<double>();
  }
  const Json& interval = census[fields::census::kIntervalAllocations];
  out << "  census        " << plural(censuses.size(), "census")
      << (interval.is_null()
              ? std::string(" at collections, in their closing pauses")
              : " every " + std::to_string(interval.get<std::uint64_t>()) +
                    " allocations of a mutator, world stopped (no pauses)")
      << ", " << format_duration(total_ns) << " in all\n";
}

void print_growing_sites(std::ostream& out, const Json& leaks) {
  const Json& growing = leaks[fields::leaks::kGrowingSites];
  int k = leaks[fields::leaks::kGrowthCensuses].get<int>();
  if (growing.empty()) {
    out << "  leaks         no site reached a new high at "
        << plural(k, "census") << " in a row\n";
    return;
  }
  for (const Json& site : growing) {
    out << "  leaks         "
        << site[fields::growing_site::kSite].get<std::string>() << ": +"
        << format_bytes(
               site[fields::growing_site::kBytesPerCensus].get<double>())
        << " per census ("
        << format_bytes(
               site[fields::growing_site::kBytesPerMibAllocated].get<double>())
        << " per MiB allocated) over "
        << plural(site[fields::growing_site::kCensuses].get<std::uint64_t>(),
                  "census")
        << " from census "
        << site[fields::growing_site::kFirstCensus].get<std::uint64_t>()
        << (site[fields::growing_site::kGrowingAtEnd].get<bool>()
                ? ", still growing"
                : ", then stopped")
        << "\n";
    const Json& path = site[fields::growing_site::kPath];
    if (!path.is_null()) {
      out << "                  path " << format_path(path) << "\n";
    }
  }
}

void print_garbage_cycles(std::ostream& out, const Json& leaks) {
  const Json& cycles = leaks[fields::leaks::kGarbageCycles];
  if (cycles.is_null()) return;
  out << "  garbage       "
      << plural(cycles[fields::garbage_cycles::kCount].get<std::uint64_t>(),
                "cycle")
      << " unreachable at census "
      << cycles[fields::garbage_cycles::kCensus].get<std::uint64_t>();
  if (cycles[fields::garbage_cycles::kCount].get<std::uint64_t>() > 0) {
    out << ", "
        << format_bytes(cycles[fields::garbage_cycles::kBytes].get<double>())
        << " in "
        << plural(cycles[fields::garbage_cycles::kObjects].get<std::uint64_t>(),
                  "object");
  }
  out << "\n";
}

void print_at_end(std::ostream& out, const Json& leaks) {
  const Json& at_end = leaks[fields::leaks::kAtEnd];
  out << "  at the end    "
      << format_bytes(at_end[fields::at_end::kBytes].get<double>()) << " in "
      << plural(at_end[fields::at_end::kObjects].get<std::uint64_t>(),
                "object");
  if (!at_end[fields::at_end::kCollectorFrees].get<bool>()) {
    out << " still allocated: the collector never frees anything";
  } else if (at_end[fields::at_end::kReachableOnly].get<bool>()) {
    out << " still reachable from global roots";
  } else {
    out << " not freed";
  }
  const Json& sites = at_end[fields::at_end::kSites];
  if (!sites.empty()) out << " (" << largest_sites(sites) << ")";
  out << "\n";
}

}  // namespace

std::string format_path(const Json& path) {
  std::string text =
      path[fields::object_path::kRoot].get<std::string>() + " root";
  if (!path[fields::object_path::kMutator].is_null()) {
    text += " of mutator " +
            std::to_string(path[fields::object_path::kMutator].get<int>());
  }
  const Json& steps = path[fields::object_path::kSteps];
  std::size_t elided =
      path[fields::object_path::kElidedSteps].get<std::size_t>();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Json& slot = steps[i][fields::path_step::kSlot];
    text += slot.is_null() ? " -> "
                           : " -[" + std::to_string(slot.get<int>()) + "]-> ";
    text += steps[i][fields::path_step::kSite].get<std::string>();
    // A long path keeps as many steps at each end (ObjectPath).
    if (elided > 0 && i + 1 == steps.size() / 2) {
      text += " ... (" + plural(elided, "step") + ")";
    }
  }
  return text;
}

void print_census_summary(std::ostream& out, const Json& report) {
  auto census = report.find(fields::run::kCensus);
  if (census == report.end()) return;
  print_censuses(out, *census);
  auto leaks = report.find(fields::run::kLeaks);
  if (leaks == report.end()) return;
  print_growing_sites(out, *leaks);
  print_garbage_cycles(out, *leaks);
  print_at_end(out, *leaks);
}

}  // namespace gclab
