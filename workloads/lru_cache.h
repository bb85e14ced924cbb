// lru-cache: a bounded cache in the heap serving a stream of requests, so
// that objects live as long as they stay in use: medium-lived, neither
// short-lived garbage nor permanent (docs/design.md#workloads).
//
// The cache, all in the heap and held by one Root: a cache object (site
// lru-cache.cache) that is also the sentinel of a circular doubly linked
// LRU list through every entry's prev and next slots, most recent first,
// and that holds a hash table (lru-cache.table) of min(bit_ceil(capacity),
// 32768) buckets whose entries chain through their chain slot. An entry
// (lru-cache.entry) holds its key, an id and a check word of both, and a
// value (lru-cache.value): a chain of 1..value-size objects, each with
// 0..payload further bytes drawn per object and filled with a pattern from
// its check word.
//
// The cache is filled with `capacity` fresh keys first, so that the hit rate
// is the parameter's from the first request. Then each request, with
// probability hit-rate, asks for a key drawn uniformly from those cached,
// else for a fresh key (never asked before). A hit moves its entry to the
// front of the list and checks it whole (key, id, check words, the value's
// length and every object's stamp and pattern). A miss allocates a value
// and an entry, evicts the least recently used entry (unlinked from the
// list and its bucket, its slots cleared so that no garbage cycle is left
// for a counting collector) and links the new one at the front. A mirror in
// C++ (keys, ids and recency only, never an Object*) says what the cache
// must hold: every lookup's outcome and every eviction's victim are checked
// against it, and at the end the whole list, front to back. The output
// states the measured hit rate, which the tests hold to the parameter.
//
// With --mutators N each mutator runs an independent cache with its own
// seed: nothing is shared, so each instance is deterministic for its seed
// whatever N. The checksum chains every request's outcome (hit: the id
// found; miss: the key inserted) and every eviction, in order.
//
// Every Object* kept across an allocation is held in a Root and read again
// through it; everything else is re-read from the cache.
#ifndef GCLAB_WORKLOADS_LRU_CACHE_H_
#define GCLAB_WORKLOADS_LRU_CACHE_H_

#include <cstdint>
#include <memory>

#include "heap/mutator.h"
#include "heap/params.h"
#include "workloads/workload.h"

namespace gclab {

inline constexpr ParamSpec kLruCacheParams[] = {
    {"requests", ParamKind::kInt, "1500000",
     "requests served once the cache is full"},
    {"capacity", ParamKind::kInt, "16384",
     "entries the cache holds (1..1048576)"},
    {"hit-rate", ParamKind::kDouble, "0.8",
     "probability that a request asks for a cached key, else a fresh one "
     "(0 to 1): the expected hit rate"},
    {"value-size", ParamKind::kInt, "4",
     "most objects in a value's chain (1..255); each value draws "
     "1..value-size"},
    {"payload", ParamKind::kInt, "32",
     "most payload bytes of a value object beyond its id and check word; "
     "each object draws 0..payload"},
};

struct LruCacheParams {
  std::int64_t requests = 1500000;
  std::int64_t capacity = 16384;
  double hit_rate = 0.8;
  std::int64_t value_size = 4;
  std::int64_t payload = 32;
};

// Reads the parameters and checks their ranges; throws ConfigError naming
// the first that is out of range.
LruCacheParams lru_cache_params(const ParamValues& values);

class LruCacheWorkload final : public Workload {
 public:
  explicit LruCacheWorkload(LruCacheParams params);
  static std::unique_ptr<Workload> make(const ParamValues& params);

  WorkloadReport run(Mutator& mutator, std::uint64_t seed) override;

 private:
  const LruCacheParams params_;
};

}  // namespace gclab

#endif  // GCLAB_WORKLOADS_LRU_CACHE_H_
