#include "workloads/leak.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"

namespace gclab {
namespace {

// The service's slots.
constexpr std::size_t kTable = 0;
constexpr std::size_t kList = 1;
// A request object's slots: the next in its request's chain, and, for a
// retained one, the next in the service's list.
constexpr std::size_t kChain = 0;
constexpr std::size_t kListNext = 1;
// Payloads: an id and its check word, and a cache entry's value bytes.
constexpr std::uint32_t kStampBytes = 2 * sizeof(std::uint64_t);
constexpr std::uint32_t kCacheEntryBytes = 64;

// Murmur3's 64-bit finaliser (Appleby), as graph-churn's check words.
std::uint64_t finalise(std::uint64_t z) {
  z ^= z >> 33;
  z *= 0xff51afd7ed558ccdULL;
  z ^= z >> 33;
  z *= 0xc4ceb9fe1a85ec53ULL;
  return z ^ (z >> 33);
}

std::int64_t require(std::int64_t value, std::int64_t low, std::int64_t high,
                     const char* name) {
  if (value < low || value > high) {
    throw ConfigError("bad parameter " + std::string(name) + "=" +
                      std::to_string(value) + ": expected " +
                      std::to_string(low) + ".." + std::to_string(high));
  }
  return value;
}

// The shapes and sites of one run's objects, and their stamps.
class LeakObjects {
 public:
  LeakObjects(Heap& heap, std::int64_t working_set, std::uint64_t salt)
      : service_{.site = heap.register_site("leak.service"), .num_refs = 2},
        table_{.site = heap.register_site("leak.table"),
               .num_refs = static_cast<std::uint16_t>(working_set)},
        cache_entry_{.site = heap.register_site("leak.cache"),
                     .payload_bytes = kStampBytes + kCacheEntryBytes},
        request_{.site = heap.register_site("leak.request"),
                 .num_refs = 2,
                 .payload_bytes = kStampBytes},
        retained_{.site = heap.register_site("leak.retained"),
                  .num_refs = 2,
                  .payload_bytes = kStampBytes},
        salt_(salt) {}

  ObjectShape service() const { return service_; }
  ObjectShape table() const { return table_; }
  ObjectShape cache_entry() const { return cache_entry_; }
  ObjectShape request() const { return request_; }
  ObjectShape retained() const { return retained_; }

  void stamp(Object* object, std::uint64_t id) const {
    auto* words = object->payload_as<std::uint64_t>();
    words[0] = id;
    words[1] = finalise(id ^ salt_);
  }
  // Whether `object` is an intact object of `shape` stamped `id`.
  bool intact(Object* object, const ObjectShape& shape,
              std::uint64_t id) const {
    return object != nullptr && object->kind() == BlockKind::kObject &&
           object->site() == shape.site &&
           object->num_refs() == shape.num_refs &&
           object->payload_as<std::uint64_t>()[0] == id &&
           object->payload_as<std::uint64_t>()[1] == finalise(id ^ salt_);
  }

 private:
  const ObjectShape service_;
  const ObjectShape table_;
  const ObjectShape cache_entry_;
  const ObjectShape request_;
  const ObjectShape retained_;
  const std::uint64_t salt_;
};

[[noreturn]] void lost(const std::string& what, std::uint64_t id) {
  throw WorkloadCheckFailed("leak: " + what + " is not object " +
                            std::to_string(id) + " intact");
}

}  // namespace

LeakWorkload::LeakWorkload(LeakParams params) : params_(params) {
  require(params.requests, 0, std::int64_t{1} << 40, "requests");
  require(params.request_size, 2, 1 << 20, "request-size");
  require(params.working_set, 1, kMaxRefs, "working-set");
  double most = static_cast<double>(params.request_size - 1) /
                static_cast<double>(params.request_size);
  if (!(params.leak_fraction >= 0 && params.leak_fraction <= most)) {
    throw ConfigError(
        "bad parameter leak-fraction=" + std::to_string(params.leak_fraction) +
        ": expected 0.." + std::to_string(most) +
        " (all but the head of a request of request-size)");
  }
}

std::unique_ptr<Workload> LeakWorkload::make(const ParamValues& values) {
  return std::make_unique<LeakWorkload>(
      LeakParams{.requests = values.get_int("requests"),
                 .request_size = values.get_int("request-size"),
                 .leak_fraction = values.get_double("leak-fraction"),
                 .working_set = values.get_int("working-set")});
}

WorkloadReport LeakWorkload::run(Mutator& mutator, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  const LeakObjects objects(mutator.heap(), params_.working_set, random());
  const std::size_t working_set = static_cast<std::size_t>(params_.working_set);
  std::uint64_t next_id = 1;

  GlobalRoot service(mutator, mutator.allocate(objects.service()));
  Object* table = mutator.allocate(objects.table());
  mutator.write(service.get(), kTable, table);
  // The working set is whole before the first request, so that it never
  // grows while the requests run.
  std::vector<std::uint64_t> cache_ids(working_set);
  auto replace_entry = [&](std::size_t slot) {
    Object* entry = mutator.allocate(objects.cache_entry());
    objects.stamp(entry, next_id);
    cache_ids[slot] = next_id++;
    mutator.write(mutator.read(service.get(), kTable), slot, entry);
  };
  for (std::size_t slot = 0; slot < working_set; ++slot) replace_entry(slot);

  WorkloadReport report;
  const double kept_per_request =
      params_.leak_fraction * static_cast<double>(params_.request_size);
  double credit = 0;
  std::uint64_t retained = 0;
  for (std::int64_t request_index = 0; request_index < params_.requests;
       ++request_index) {
    credit += kept_per_request;
    const std::int64_t keep = static_cast<std::int64_t>(std::floor(credit));
    credit -= static_cast<double>(keep);

    const std::uint64_t head_id = next_id++;
    Root request(mutator, mutator.allocate(objects.request()));
    objects.stamp(request.get(), head_id);
    for (std::int64_t i = 1; i < params_.request_size; ++i) {
      const bool kept = i <= keep;
      Object* node =
          mutator.allocate(kept ? objects.retained() : objects.request());
      objects.stamp(node, next_id++);
      mutator.write(node, kChain, mutator.read(request.get(), kChain));
      mutator.write(request.get(), kChain, node);
      if (kept) {
        Object* owner = service.get();
        mutator.write(node, kListNext, mutator.read(owner, kList));
        mutator.write(owner, kList, node);
        ++retained;
      }
    }
    replace_entry(static_cast<std::size_t>(request_index) % working_set);

    // The chain holds the nodes newest first: ids down to the head's + 1,
    // the first `keep` of them (the oldest) retained.
    Object* node = mutator.read(request.get(), kChain);
    for (std::int64_t i = params_.request_size - 1; i >= 1; --i) {
      std::uint64_t id = head_id + static_cast<std::uint64_t>(i);
      if (!objects.intact(
              node, i <= keep ? objects.retained() : objects.request(), id)) {
        lost("node " + std::to_string(i) + " of request " +
                 std::to_string(request_index),
             id);
      }
      node = mutator.read(node, kChain);
    }
    if (!objects.intact(request.get(), objects.request(), head_id)) {
      lost("the head of request " + std::to_string(request_index), head_id);
    }
    std::size_t slot = random() % working_set;
    if (!objects.intact(mutator.read(mutator.read(service.get(), kTable), slot),
                        objects.cache_entry(), cache_ids[slot])) {
      lost("cache entry " + std::to_string(slot), cache_ids[slot]);
    }
    ++report.checks_passed;
  }

  // The list, newest first, and the whole table.
  std::uint64_t listed = 0;
  std::uint64_t last_id = next_id;
  for (Object* node = mutator.read(service.get(), kList); node != nullptr;
       node = mutator.read(node, kListNext)) {
    std::uint64_t id = node->payload_as<std::uint64_t>()[0];
    if (id >= last_id) {
      throw WorkloadCheckFailed("leak: the retained list is out of order");
    }
    if (!objects.intact(node, objects.retained(), id)) {
      lost("retained object " + std::to_string(listed), id);
    }
    last_id = id;
    ++listed;
  }
  if (listed != retained) {
    throw WorkloadCheckFailed("leak: the retained list holds " +
                              std::to_string(listed) + " objects, expected " +
                              std::to_string(retained));
  }
  ++report.checks_passed;
  for (std::size_t slot = 0; slot < working_set; ++slot) {
    if (!objects.intact(mutator.read(mutator.read(service.get(), kTable), slot),
                        objects.cache_entry(), cache_ids[slot])) {
      lost("cache entry " + std::to_string(slot), cache_ids[slot]);
    }
  }
  ++report.checks_passed;

  report.output.push_back(
      "served " + std::to_string(params_.requests) + " requests; " +
      std::to_string(retained) + " objects (" +
      std::to_string(retained * objects.retained().size_bytes()) +
      " bytes) retained at leak.retained; " + std::to_string(working_set) +
      " cache entries");
  return report;
}

}  // namespace gclab
