// CensusCounts: what one heap census counted — objects and bytes per
// allocation site, and per age (Object::age, 0 to 255) — as dense tables
// while the census walks, and as the sparse lists a CensusRecord keeps.
// The census (heap/census.h) fills it from the marks or from its own trace
// (heap/census_trace.h); both count an object the same way, here.
//
// Design note: docs/design.md#the-heap-census.
#ifndef GCLAB_HEAP_CENSUS_COUNTS_H_
#define GCLAB_HEAP_CENSUS_COUNTS_H_

#include <array>
#include <cstdint>
#include <vector>

#include "heap/object.h"

namespace gclab {

struct Tally {
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;

  void add(std::uint64_t object_bytes) {
    ++objects;
    bytes += object_bytes;
  }
  void add(const Tally& other) {
    objects += other.objects;
    bytes += other.bytes;
  }
};

// One site's (or one age's) share, in the sparse lists records keep.
struct SiteTally {
  std::uint16_t site = 0;
  Tally tally;
};
struct AgeTally {
  std::uint8_t age = 0;
  Tally tally;
};

class CensusCounts {
 public:
  void count(const Object* object) {
    std::uint16_t site = object->site();
    if (site >= by_site_.size()) by_site_.resize(site + 1);
    by_site_[site].add(object->size_bytes());
    by_age_[object->age()].add(object->size_bytes());
  }

  // The site's tally; empty for a site never counted.
  Tally site(std::uint16_t site) const {
    return site < by_site_.size() ? by_site_[site] : Tally{};
  }
  // Bytes by site id, for the leak tracker (heap/leak_growth.h).
  std::vector<std::uint64_t> bytes_by_site() const {
    std::vector<std::uint64_t> bytes;
    bytes.reserve(by_site_.size());
    for (const Tally& tally : by_site_) bytes.push_back(tally.bytes);
    return bytes;
  }

  // The sites and ages that counted an object, in increasing order.
  std::vector<SiteTally> sites() const {
    std::vector<SiteTally> sites;
    for (std::size_t site = 0; site < by_site_.size(); ++site) {
      if (by_site_[site].objects > 0) {
        sites.push_back({static_cast<std::uint16_t>(site), by_site_[site]});
      }
    }
    return sites;
  }
  std::vector<AgeTally> ages() const {
    std::vector<AgeTally> ages;
    for (std::size_t age = 0; age < by_age_.size(); ++age) {
      if (by_age_[age].objects > 0) {
        ages.push_back({static_cast<std::uint8_t>(age), by_age_[age]});
      }
    }
    return ages;
  }

 private:
  std::vector<Tally> by_site_;
  std::array<Tally, 256> by_age_{};
};

}  // namespace gclab

#endif  // GCLAB_HEAP_CENSUS_COUNTS_H_
