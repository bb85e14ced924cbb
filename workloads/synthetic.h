// synthetic: a parametric allocation generator. Object sizes, lifetimes and
// the shape of the object graph are drawn from distributions chosen on the
// command line, so that one workload can stand in for many programs.
//
// A table of held objects lives in the heap: one reference array of
// `live-limit` slots (site synthetic.table), held by a Root and written
// through Mutator::write, so barriers and counts see every store. Each of
// `objects` allocations
//   1. kills the held objects whose death time has come (a min-heap of
//      (death time, table slot); death is clearing the slot), and, when the
//      table is full, the held object with the nearest death early;
//   2. allocates an object (site synthetic.object) with `refs` slots and a
//      payload drawn from `size`, and holds it in a free table slot until
//      its death, `lifetime` allocations from now;
//   3. with probability `link-probability` stores it into a random slot of
//      a random held object, which keeps it reachable past its own death
//      for as long as that holder is;
//   4. makes `mutations` (on average) more stores between random held
//      objects, the count an accumulator's whole part.
// Time is counted in allocations.
//
// Every payload starts with an id and a check word (a hash of the id and a
// salt drawn from the seed), checked on every read of an object. A shadow
// model in C++ memory mirrors the table and every slot, in ids; it is
// pruned, from time to time, of what the table no longer reaches (nothing
// unreachable is ever stored again). At the end the model's reachable set
// is reported ("live objects N", "live bytes B") and the real graph is
// traversed from the table, every object's id, check word and slots
// compared with the model's: any difference throws WorkloadCheckFailed.
// Every Object* held across an allocation is in a Root and read again
// through it. Deterministic for a seed.
#ifndef GCLAB_WORKLOADS_SYNTHETIC_H_
#define GCLAB_WORKLOADS_SYNTHETIC_H_

#include <cstdint>
#include <memory>

#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kSyntheticParams[] = {
    {"size", ParamKind::kChoice, "geometric",
     "payload size distribution: fixed (size-min), uniform over "
     "size-min..size-max, geometric with mean (size-min+size-max)/2 "
     "truncated at size-max",
     "fixed|uniform|geometric"},
    {"size-min", ParamKind::kSize, "16",
     "smallest payload in bytes (raised to 16: the id and check word)"},
    {"size-max", ParamKind::kSize, "256",
     "largest payload in bytes (at least size-min, at most 16M)"},
    {"lifetime", ParamKind::kChoice, "bimodal",
     "lifetime distribution, in allocations: exponential (lifetime-mean), "
     "bimodal (a long-fraction with mean lifetime-long, the rest "
     "lifetime-mean), generational (a long-fraction lives for the whole run, "
     "the rest exponential with lifetime-mean)",
     "exponential|bimodal|generational"},
    {"lifetime-mean", ParamKind::kDouble, "1000",
     "mean lifetime of the short-lived objects, in allocations (> 0)"},
    {"lifetime-long", ParamKind::kDouble, "200000",
     "mean lifetime of the long-lived objects under bimodal (> 0)"},
    {"long-fraction", ParamKind::kDouble, "0.1",
     "bimodal: fraction of objects long-lived; generational: fraction that "
     "lives for the whole run (0 to 1)"},
    {"refs", ParamKind::kInt, "2", "reference slots per object (0 to 1024)"},
    {"link-probability", ParamKind::kDouble, "0.3",
     "chance that a new object is stored into a random slot of a random "
     "held object (0 to 1)"},
    {"mutations", ParamKind::kDouble, "0.5",
     "extra reference stores between random held objects per allocation "
     "(0 to 1000)"},
    {"live-limit", ParamKind::kInt, "50000",
     "most objects the table holds at once; when full, the one with the "
     "nearest death dies early (1 to 65535)"},
    {"objects", ParamKind::kInt, "2000000", "objects allocated in all"},
};

enum class SizeDistribution { kFixed, kUniform, kGeometric };
enum class LifetimeDistribution { kExponential, kBimodal, kGenerational };

struct SyntheticParams {
  SizeDistribution size = SizeDistribution::kGeometric;
  std::uint64_t size_min = 16;
  std::uint64_t size_max = 256;
  LifetimeDistribution lifetime = LifetimeDistribution::kBimodal;
  double lifetime_mean = 1000;
  double lifetime_long = 200000;
  double long_fraction = 0.1;
  std::int64_t refs = 2;
  double link_probability = 0.3;
  double mutations = 0.5;
  std::int64_t live_limit = 50000;
  std::int64_t objects = 2000000;
};

class SyntheticWorkload final : public Workload {
 public:
  // Throws ConfigError for a parameter out of range.
  explicit SyntheticWorkload(SyntheticParams params);
  static std::unique_ptr<Workload> make(const ParamValues& params);

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

  // The effective parameters (size_min raised to 16).
  const SyntheticParams& params() const { return params_; }

 private:
  SyntheticParams params_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_SYNTHETIC_H_
