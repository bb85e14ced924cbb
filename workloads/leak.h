// leak: a service with a leak, for the heap census and the leak report
// (gclab run --leak-report; docs/design.md#the-heap-census).
//
// A service object (site leak.service), held in a GlobalRoot for the run,
// holds a cache table (leak.table) of `working-set` entries (leak.cache)
// and the head of a list that only grows. The table is filled before the
// first request. Then each of `requests` requests
//   1. builds its request graph: a head (leak.request) and a chain of
//      `request-size` - 1 nodes hanging from it; of every request's
//      `request-size` objects a `leak-fraction` on average are allocated at
//      site leak.retained instead and also pushed onto the service's list,
//      which nothing ever unlinks — the leak. How many a request keeps is
//      an accumulator's whole part, so the leak is steady (about
//      leak-fraction * request-size per request), whatever the seed;
//   2. replaces one cache entry, round robin, with a new one (the old one
//      is garbage): a working set of fixed size, in steady use;
//   3. checks its chain and one cache entry drawn at random, and drops the
//      request graph, which is garbage from then on.
// So leak.retained is the only site whose live bytes grow from request to
// request; leak.request, leak.cache, leak.table and leak.service stay
// bounded. At the end the list and the table are checked whole.
//
// Every object is stamped with an id and a check word (a hash of the id
// and a salt drawn from the seed) that every check reads, so a collector
// that frees or moves an object wrongly fails the run. Every Object* held
// across an allocation is in a Root (or the service's GlobalRoot) and read
// again through it. Deterministic for a seed.
#ifndef GCLAB_WORKLOADS_LEAK_H_
#define GCLAB_WORKLOADS_LEAK_H_

#include <cstdint>
#include <memory>

#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kLeakParams[] = {
    {"requests", ParamKind::kInt, "400000", "requests served"},
    {"request-size", ParamKind::kInt, "16",
     "objects each request allocates for its graph (at least 2)"},
    {"leak-fraction", ParamKind::kDouble, "0.05",
     "fraction of the request objects kept forever at site leak.retained "
     "(0 to 1; at most all but the request's head)"},
    {"working-set", ParamKind::kInt, "1024",
     "entries of the cache, one replaced per request"},
};

struct LeakParams {
  std::int64_t requests = 400000;
  std::int64_t request_size = 16;
  double leak_fraction = 0.05;
  std::int64_t working_set = 1024;
};

class LeakWorkload final : public Workload {
 public:
  // Throws ConfigError for a parameter out of range.
  explicit LeakWorkload(LeakParams params);
  static std::unique_ptr<Workload> make(const ParamValues& params);

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

 private:
  const LeakParams params_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_LEAK_H_
