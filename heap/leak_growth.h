// LeakGrowth: which allocation sites keep growing, census after census —
// the test of Cork (Jump and McKinley 2007, "Cork: dynamic memory leak
// detection for garbage-collected languages", POPL): a leak shows as a
// site whose live volume grows across many consecutive collections, while
// a site in steady use goes up and down.
//
// The growth test: a site grows at a census when its live bytes there are
// strictly more than at every earlier census (a new high-water mark; a site
// absent from a census has none there). A growth streak is a run of
// consecutive censuses at which the site grows; a site is flagged at the
// census where its streak reaches K censuses (gclab run --leak-report=K,
// kDefaultLeakGrowthCensuses). A high-water mark rather than "more than at
// the census before": a site in steady use that goes up and down would rise
// after every dip, so its chance rises would make streaks, while its
// high-water mark is passed ever more rarely; a site that filled once and
// stays full never grows again; a steady leak passes its mark at every
// census.
//
// A census after which nothing was allocated (the second collection a
// failed allocation asks for, when the first freed too little) says nothing
// about growth and is passed over.
//
// Growth is measured over the streak: from the census before its first
// growth to its last, in bytes per census and per MiB allocated meanwhile.
// A site keeps the latest streak that flagged it, with `growing_at_end`
// true while that streak has not been broken. The census gives each
// flagged site a path from a root to one of its objects while the streak
// runs (observe() names the sites that want one), so that the path is
// taken while the objects are still reachable.
//
// Pure bookkeeping over the numbers it is given: unit-tested on synthetic
// series (heap/leak_growth_test.cc).
//
// Design note: docs/design.md#the-heap-census.
#ifndef GCLAB_HEAP_LEAK_GROWTH_H_
#define GCLAB_HEAP_LEAK_GROWTH_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "heap/census_trace.h"

namespace gclab {

inline constexpr int kDefaultLeakGrowthCensuses = 5;

struct GrowingSite {
  std::uint16_t site = 0;
  std::uint32_t flagged_at_census = 0;  // where the streak reached K
  std::uint32_t first_census = 0;       // the streak's first growth
  std::uint32_t last_census = 0;        // and its last so far
  std::uint32_t censuses = 0;           // growths in the streak
  bool growing_at_end = true;           // the streak was not broken
  // Live bytes of the site, and bytes allocated by then, at the census
  // before the streak and at its last census.
  std::uint64_t bytes_before = 0;
  std::uint64_t bytes_at_last = 0;
  std::uint64_t allocated_before = 0;
  std::uint64_t allocated_at_last = 0;
  // A path from a root to an object of the site, and the census it was
  // taken at; none when the census reached no object of the site.
  std::optional<ObjectPath> path{};
  std::optional<std::uint32_t> path_census{};

  double bytes_per_census() const;
  // Growth per MiB allocated over the streak; 0 when nothing was.
  double bytes_per_mib_allocated() const;
};

class LeakGrowth {
 public:
  // `growth_censuses` is K, at least 1.
  explicit LeakGrowth(int growth_censuses);

  int growth_censuses() const { return growth_censuses_; }

  // One census: its index, the bytes allocated so far, and the live bytes
  // of each site by site id (sites past the end have none). Returns the
  // sites flagged and still growing, which want a path from this census.
  std::vector<std::uint16_t> observe(
      std::uint32_t census, std::uint64_t allocated_bytes,
      std::span<const std::uint64_t> bytes_by_site);
  // The path a site wanted at `census`.
  void set_path(std::uint16_t site, std::uint32_t census,
                std::optional<ObjectPath> path);

  // Every site ever flagged, in site order, each with its latest streak.
  std::vector<GrowingSite> flagged() const;

 private:
  struct SiteState {
    std::uint64_t most_bytes = 0;  // the high-water mark
    std::uint64_t last_bytes = 0;  // at the census before this one
    std::uint32_t streak = 0;
    std::uint64_t streak_bytes_before = 0;
    std::uint64_t streak_allocated_before = 0;
    std::uint32_t streak_first_census = 0;
    std::optional<GrowingSite> flagged{};
  };

  const int growth_censuses_;
  std::vector<SiteState> sites_;
  std::uint64_t last_allocated_ = 0;
  bool first_census_ = true;
};

}  // namespace gclab

#endif  // GCLAB_HEAP_LEAK_GROWTH_H_
