#include "heap/leak_growth.h"

#include <algorithm>

#include "heap/fatal.h"

namespace gclab {

double GrowingSite::bytes_per_census() const {
  return censuses == 0 ? 0.0
                       : (static_cast<double>(bytes_at_last) -
                          static_cast<double>(bytes_before)) /
                             censuses;
}

double GrowingSite::bytes_per_mib_allocated() const {
  double allocated_mib =
      static_cast<double>(allocated_at_last - allocated_before) / (1 << 20);
  return allocated_mib <= 0 ? 0.0
                            : (static_cast<double>(bytes_at_last) -
                               static_cast<double>(bytes_before)) /
                                  allocated_mib;
}

LeakGrowth::LeakGrowth(int growth_censuses)
    : growth_censuses_(growth_censuses) {
  if (growth_censuses < 1) fatal("a leak growth streak needs K >= 1");
}

std::vector<std::uint16_t> LeakGrowth::observe(
    std::uint32_t census, std::uint64_t allocated_bytes,
    std::span<const std::uint64_t> bytes_by_site) {
  // Nothing allocated since the last census (a second collection for the
  // same failed allocation): nothing can have grown or shrunk for a reason,
  // so the census neither extends nor breaks a streak.
  if (!first_census_ && allocated_bytes == last_allocated_) return {};
  if (bytes_by_site.size() > sites_.size()) {
    sites_.resize(bytes_by_site.size());
  }
  std::vector<std::uint16_t> want_paths;
  for (std::size_t site = 0; site < sites_.size(); ++site) {
    SiteState& state = sites_[site];
    std::uint64_t bytes = site < bytes_by_site.size() ? bytes_by_site[site] : 0;
    bool grew = !first_census_ && bytes > state.most_bytes;
    if (!grew) {
      state.streak = 0;
      if (state.flagged) state.flagged->growing_at_end = false;
    } else {
      if (state.streak == 0) {
        state.streak_first_census = census;
        state.streak_bytes_before = state.last_bytes;
        state.streak_allocated_before = last_allocated_;
      }
      ++state.streak;
      if (state.streak >= static_cast<std::uint32_t>(growth_censuses_)) {
        if (state.streak == static_cast<std::uint32_t>(growth_censuses_)) {
          state.flagged =
              GrowingSite{.site = static_cast<std::uint16_t>(site),
                          .flagged_at_census = census,
                          .first_census = state.streak_first_census,
                          .bytes_before = state.streak_bytes_before,
                          .allocated_before = state.streak_allocated_before};
        }
        GrowingSite& flagged = *state.flagged;
        flagged.last_census = census;
        flagged.censuses = state.streak;
        flagged.bytes_at_last = bytes;
        flagged.allocated_at_last = allocated_bytes;
        want_paths.push_back(static_cast<std::uint16_t>(site));
      }
    }
    state.most_bytes = std::max(state.most_bytes, bytes);
    state.last_bytes = bytes;
  }
  last_allocated_ = allocated_bytes;
  first_census_ = false;
  return want_paths;
}

void LeakGrowth::set_path(std::uint16_t site, std::uint32_t census,
                          std::optional<ObjectPath> path) {
  if (site >= sites_.size() || !sites_[site].flagged) {
    fatal("a path for a site that is not flagged");
  }
  GrowingSite& flagged = *sites_[site].flagged;
  // A census that reached no object of the site (all it counted was kept
  // but unreachable: floating garbage) leaves the last path found.
  if (!path) return;
  flagged.path = std::move(path);
  flagged.path_census = census;
}

std::vector<GrowingSite> LeakGrowth::flagged() const {
  std::vector<GrowingSite> flagged;
  for (const SiteState& state : sites_) {
    if (state.flagged) flagged.push_back(*state.flagged);
  }
  return flagged;
}

}  // namespace gclab
