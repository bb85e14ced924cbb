#include "workloads/registry.h"

#include <string>

#include "heap/component_table.h"
#include "heap/errors.h"
#include "workloads/binary_trees.h"
#include "workloads/fragmentation.h"
#include "workloads/gcbench.h"
#include "workloads/gcold.h"
#include "workloads/graph_churn.h"
#include "workloads/leak.h"
#include "workloads/lru_cache.h"
#include "workloads/producer_consumer.h"
#include "workloads/replay.h"
#include "workloads/synthetic.h"

namespace gclab {
namespace {

const WorkloadEntry kWorkloads[] = {
    {"binary-trees", "Benchmarks Game binary-trees: many short-lived trees",
     kBinaryTreesParams, &BinaryTreesWorkload::make},
    {"fragmentation",
     "fills the heap with small objects, drops all but every k-th, then asks "
     "for objects larger than any hole left",
     kFragmentationParams, &FragmentationWorkload::make},
    {"gcbench",
     "Boehm's GCBench: trees top down and bottom up, a long-lived "
     "tree and array",
     kGcbenchParams, &GcbenchWorkload::make},
    {"gcold",
     "Detlefs's GCOld: an old generation of perfect trees, young garbage, "
     "steady promotion replacing the oldest trees, and subtree swaps",
     kGcoldParams, &GcoldWorkload::make},
    {"graph-churn",
     "barrier torture: mutators rewire one shared graph (lost-object, "
     "roots-only, fresh and rewire patterns), checking every node they read",
     kGraphChurnParams, &GraphChurnWorkload::make},
    {"leak",
     "a service that leaks: each request allocates a garbage request graph "
     "and replaces a cache entry, and a fraction of its objects is kept "
     "forever on a list (site leak.retained), for the leak report",
     kLeakParams, &LeakWorkload::make},
    {"lru-cache",
     "a bounded LRU cache in the heap (hash table and doubly linked list) "
     "serving requests at a set hit rate: each miss allocates a value and "
     "evicts the least recently used entry, medium-lived garbage",
     kLruCacheParams, &LruCacheWorkload::make},
    {"producer-consumer",
     "producers build small message graphs and hand them through bounded "
     "queues in the heap to consumers, which check each whole and drop it: "
     "objects allocated on one thread die on another",
     kProducerConsumerParams, &ProducerConsumerWorkload::make},
    {"replay",
     "replays an allocation trace recorded by gclab run --record-trace: the "
     "same allocations, stores, reads and roots, under any collector",
     kReplayParams, &ReplayWorkload::make},
    {"synthetic",
     "a parametric allocation generator: sizes, lifetimes and links drawn "
     "from chosen distributions, checked against a shadow model",
     kSyntheticParams, &SyntheticWorkload::make},
};

}  // namespace

std::span<const WorkloadEntry> workload_registry() { return kWorkloads; }

const WorkloadEntry& find_workload(std::string_view name) {
  return find_component<WorkloadEntry>(kWorkloads, name, "workload");
}

}  // namespace gclab
