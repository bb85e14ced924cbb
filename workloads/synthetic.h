// synthetic: a parametric allocation generator. Object sizes, lifetimes and
// the shape of the object graph are drawn from distributions chosen on the
// command line, so that one workload can stand in for many programs (the
// workhorse of a GC study: vary one property of the allocation behaviour,
// keep the rest). Design note: docs/design.md#workloads.
//
// A table of held objects lives in the heap (site synthetic.table): a spine
// reference array held by one Root, whose slots hold chunks of up to 2048
// slots each (a chunk stays a small object under every allocator), one
// table slot per held object, `live-limit` slots in all. Every store into
// it goes through Mutator::write, so barriers and counts see it. Each of
// `objects` allocations
//   1. kills the held objects whose death time has come (a min-heap of
//      (death time, table slot); death is clearing the slot), then, while
//      the table is full or (live-bound=bytes) the new object would take
//      the held bytes past `live-target`, the one with the nearest death
//      early;
//   2. allocates an object (site synthetic.object) with `refs` slots and a
//      payload drawn from `size`, and holds it in a free table slot until
//      its death, a `lifetime` draw from now;
//   3. with probability `link-probability` stores it into a random slot of
//      a random held object, which keeps it reachable past its own death
//      for as long as that holder is;
//   4. makes `mutations` (on average) more stores between random held
//      objects, the count an accumulator's whole part.
// Time is counted in allocations or in bytes allocated (`lifetime-unit`).
// The live-set bound is the early death, not a choice of lifetimes: the
// steady state the lifetimes would reach is capped where the target cuts
// it, whatever the distribution. It bounds what the table holds; what links
// keep past their holders' deaths comes on top, and is what the run
// reports at the end.
//
// Cost of the generator's bookkeeping, per allocation: a push and a pop on
// the min-heap (O(log held)), a model entry of 24 bytes plus 4 per slot,
// and an amortised share of the model's pruning (a trace of the model's
// reachable set each time the model doubles): O(log held) in all.
//
// Every payload starts with an id and a check word (a hash of the id and a
// salt drawn from the seed), checked on every read of an object. A shadow
// model in C++ memory mirrors the table and every slot, in ids; it is
// pruned, from time to time, of what the table no longer reaches (nothing
// unreachable is ever stored again). At the end, with the table still
// held, the model's reachable set is reported ("live objects N", "live
// bytes B", counting ObjectShape::size_bytes()) and the real graph is
// traversed from the table, every object's id, check word, size and slots
// compared with the model's: any difference throws WorkloadCheckFailed.
// With `collect-at-end` a full collection follows, so that the census at
// its close (--census) counts what the heap really keeps; the tests check
// it against the report. Every Object* held across an allocation is in a
// Root and read again through it. Deterministic for a seed; with
// --mutators N every thread runs its own instance from its own seed, all
// its state local to its run.
#ifndef GCLAB_WORKLOADS_SYNTHETIC_H_
#define GCLAB_WORKLOADS_SYNTHETIC_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kSyntheticParams[] = {
    {"size", ParamKind::kChoice, "geometric",
     "payload size distribution: fixed (size-min), uniform over "
     "size-min..size-max, geometric with mean size-mean from size-min "
     "(draws past size-max are size-max), histogram (size-histogram)",
     "fixed|uniform|geometric|histogram"},
    {"size-min", ParamKind::kSize, "16",
     "smallest payload in bytes (raised to 16: the id and check word)"},
    {"size-max", ParamKind::kSize, "256",
     "largest payload in bytes (at least size-min, at most 16M)"},
    {"size-mean", ParamKind::kDouble, "136",
     "geometric: mean payload in bytes before truncation (size-min to "
     "size-max)"},
    {"size-histogram", ParamKind::kText, "16:50,32:25,64:15,256:8,4K:2",
     "histogram: comma-separated PAYLOAD:WEIGHT pairs, payloads 16..16M "
     "(K and M allowed), weights positive numbers; a payload is drawn with "
     "probability its weight over their sum"},
    {"lifetime", ParamKind::kChoice, "bimodal",
     "lifetime distribution: exponential (lifetime-mean), bimodal (a "
     "long-fraction with mean lifetime-long, the rest lifetime-mean), "
     "generational (a long-fraction lives for the whole run, the rest "
     "exponential with lifetime-mean)",
     "exponential|bimodal|generational"},
    {"lifetime-unit", ParamKind::kChoice, "objects",
     "what lifetimes count since birth: objects allocated, or bytes "
     "allocated (ObjectShape::size_bytes of this instance's objects)",
     "objects|bytes"},
    {"lifetime-mean", ParamKind::kDouble, "1000",
     "mean lifetime of the short-lived objects, in lifetime-units (> 0)"},
    {"lifetime-long", ParamKind::kDouble, "200000",
     "mean lifetime of the long-lived objects under bimodal (> 0)"},
    {"long-fraction", ParamKind::kDouble, "0.1",
     "bimodal: fraction of objects long-lived; generational: fraction that "
     "lives for the whole run (0 to 1)"},
    {"refs", ParamKind::kInt, "2", "reference slots per object (0 to 1024)"},
    {"link-probability", ParamKind::kDouble, "0.3",
     "pointer density: chance that a new object is stored into a random "
     "slot of a random held object (0 to 1)"},
    {"mutations", ParamKind::kDouble, "0.5",
     "extra reference stores between random held objects per allocation "
     "(0 to 1000)"},
    {"live-bound", ParamKind::kChoice, "objects",
     "what bounds the objects the table holds: live-limit objects, or "
     "live-target bytes as well; at the bound, the nearest deaths come early",
     "objects|bytes"},
    {"live-limit", ParamKind::kInt, "50000",
     "table slots: most objects held at once (1 to 16777216)"},
    {"live-target", ParamKind::kSize, "16M",
     "live-bound=bytes: most bytes held at once (ObjectShape::size_bytes); "
     "an object that would pass it kills the nearest deaths until it fits"},
    {"volume", ParamKind::kChoice, "objects",
     "what ends the run: `objects` allocated, or `bytes` allocated "
     "(ObjectShape::size_bytes of its objects, the table aside)",
     "objects|bytes"},
    {"objects", ParamKind::kInt, "2000000", "objects allocated in all"},
    {"bytes", ParamKind::kSize, "256M",
     "bytes allocated in all: the run stops at the first object to reach "
     "it"},
    {"collect-at-end", ParamKind::kFlag, "0",
     "ask for a full collection at the end while the table is held, so "
     "that its census (--census) counts the reported live set"},
};

enum class SizeDistribution { kFixed, kUniform, kGeometric, kHistogram };
enum class LifetimeDistribution { kExponential, kBimodal, kGenerational };
enum class LifetimeUnit { kObjects, kBytes };
enum class Volume { kObjects, kBytes };
enum class LiveBound { kObjects, kBytes };

// One bar of a size histogram: a payload size and its weight.
struct SizeBin {
  std::uint64_t payload_bytes = 0;
  double weight = 0;
  friend bool operator==(const SizeBin&, const SizeBin&) = default;
};

// "16:50,4K:2" as bins; throws ConfigError (one line) on a malformed pair.
std::vector<SizeBin> parse_size_histogram(std::string_view text);

struct SyntheticParams {
  SizeDistribution size = SizeDistribution::kGeometric;
  std::uint64_t size_min = 16;
  std::uint64_t size_max = 256;
  double size_mean = 136;
  std::vector<SizeBin> size_histogram{};
  LifetimeDistribution lifetime = LifetimeDistribution::kBimodal;
  LifetimeUnit lifetime_unit = LifetimeUnit::kObjects;
  double lifetime_mean = 1000;
  double lifetime_long = 200000;
  double long_fraction = 0.1;
  std::int64_t refs = 2;
  double link_probability = 0.3;
  double mutations = 0.5;
  std::int64_t live_limit = 50000;
  LiveBound live_bound = LiveBound::kObjects;
  std::uint64_t live_target = std::uint64_t{16} << 20;
  Volume volume = Volume::kObjects;
  std::int64_t objects = 2000000;
  std::uint64_t bytes = std::uint64_t{256} << 20;
  bool collect_at_end = false;
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
