#include "harness/census_report.h"

#include <string>

#include "harness/report_fields.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

class SiteNames {
 public:
  explicit SiteNames(const RunRecord& record) : names_(record.site_names) {}
  // A site no workload registered is shown by its id.
  std::string operator()(std::uint16_t site) const {
    return site < names_.size() ? names_[site] : "site " + std::to_string(site);
  }

 private:
  const std::vector<std::string>& names_;
};

Json sites_json(const std::vector<SiteTally>& sites, const SiteNames& name) {
  Json list = Json::array();
  for (const SiteTally& entry : sites) {
    list.push_back({{fields::site_tally::kSite, name(entry.site)},
                    {fields::site_tally::kObjects, entry.tally.objects},
                    {fields::site_tally::kBytes, entry.tally.bytes}});
  }
  return list;
}

Json ages_json(const std::vector<AgeTally>& ages) {
  Json list = Json::array();
  for (const AgeTally& entry : ages) {
    list.push_back({{fields::age_tally::kAge, entry.age},
                    {fields::age_tally::kObjects, entry.tally.objects},
                    {fields::age_tally::kBytes, entry.tally.bytes}});
  }
  return list;
}

template <typename T>
Json optional_json(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json path_json(const GrowingSite& site, const SiteNames& name) {
  if (!site.path) return nullptr;
  const ObjectPath& path = *site.path;
  Json steps = Json::array();
  for (const PathStep& step : path.steps) {
    steps.push_back({{fields::path_step::kSite, name(step.site)},
                     {fields::path_step::kSlot, optional_json(step.slot)}});
  }
  return {
      {fields::object_path::kCensus, optional_json(site.path_census)},
      {fields::object_path::kRoot,
       path.root == RootKind::kMutator ? "mutator" : "global"},
      {fields::object_path::kMutator, optional_json(path.mutator)},
      {fields::object_path::kSteps, steps},
      {fields::object_path::kElidedSteps, path.elided_steps},
  };
}

Json growing_sites_json(const LeakFindings& leaks, const SiteNames& name) {
  Json list = Json::array();
  for (const GrowingSite& site : leaks.growing_sites) {
    list.push_back({
        {fields::growing_site::kSite, name(site.site)},
        {fields::growing_site::kFlaggedAtCensus, site.flagged_at_census},
        {fields::growing_site::kFirstCensus, site.first_census},
        {fields::growing_site::kLastCensus, site.last_census},
        {fields::growing_site::kCensuses, site.censuses},
        {fields::growing_site::kGrowingAtEnd, site.growing_at_end},
        {fields::growing_site::kBytesBefore, site.bytes_before},
        {fields::growing_site::kBytesAtLast, site.bytes_at_last},
        {fields::growing_site::kBytesPerCensus, site.bytes_per_census()},
        {fields::growing_site::kBytesPerMibAllocated,
         site.bytes_per_mib_allocated()},
        {fields::growing_site::kPath, path_json(site, name)},
    });
  }
  return list;
}

Json garbage_cycles_json(const LeakFindings& leaks, const SiteNames& name) {
  if (!leaks.looks_for_cycles || !leaks.garbage_cycles) return nullptr;
  const std::vector<GarbageComponent>& found = leaks.garbage_cycles->components;
  Tally total;
  Json components = Json::array();
  for (const GarbageComponent& component : found) {
    total.add(component.total);
    if (components.size() == kReportedGarbageCycles) continue;
    components.push_back(
        {{fields::garbage_component::kObjects, component.total.objects},
         {fields::garbage_component::kBytes, component.total.bytes},
         {fields::garbage_component::kSites,
          sites_json(component.sites, name)}});
  }
  return {
      {fields::garbage_cycles::kCensus, leaks.garbage_cycles->census},
      {fields::garbage_cycles::kCount, found.size()},
      {fields::garbage_cycles::kObjects, total.objects},
      {fields::garbage_cycles::kBytes, total.bytes},
      {fields::garbage_cycles::kComponents, components},
      {fields::garbage_cycles::kComponentsLeftOut,
       found.size() - components.size()},
  };
}

Json at_end_json(const EndOfRunAllocation& at_end, const SiteNames& name) {
  Tally total;
  for (const SiteTally& site : at_end.sites) total.add(site.tally);
  return {
      {fields::at_end::kCollectorFrees, at_end.collector_frees},
      {fields::at_end::kReachableOnly, at_end.reachable_only},
      {fields::at_end::kObjects, total.objects},
      {fields::at_end::kBytes, total.bytes},
      {fields::at_end::kSites, sites_json(at_end.sites, name)},
  };
}

}  // namespace

Json census_json(const RunRecord& record) {
  const SiteNames name(record);
  const CensusSeries& census = *record.census;
  Json censuses = Json::array();
  for (const CensusRecord& entry : census.records) {
    censuses.push_back({
        {fields::census_record::kIndex, entry.index},
        {fields::census_record::kTimeNs, entry.time_ns},
        {fields::census_record::kCycle, optional_json(entry.cycle)},
        {fields::census_record::kAllocatedObjects, entry.allocated_objects},
        {fields::census_record::kAllocatedBytes, entry.allocated_bytes},
        {fields::census_record::kDurationNs, entry.duration_ns},
        {fields::census_record::kSites, sites_json(entry.sites, name)},
        {fields::census_record::kAges, ages_json(entry.ages)},
    });
  }
  return {
      {fields::census::kIntervalAllocations,
       optional_json(census.interval_allocations)},
      {fields::census::kCensuses, censuses},
  };
}

Json leaks_json(const RunRecord& record) {
  const SiteNames name(record);
  const LeakFindings& leaks = *record.leaks;
  return {
      {fields::leaks::kGrowthCensuses, leaks.growth_censuses},
      {fields::leaks::kGrowingSites, growing_sites_json(leaks, name)},
      {fields::leaks::kGarbageCycles, garbage_cycles_json(leaks, name)},
      {fields::leaks::kAtEnd, at_end_json(leaks.at_end, name)},
  };
}

}  // namespace gclab
