#include "workloads/fragmentation.h"

#include <string>

#include "heap/errors.h"
#include "heap/heap.h"

namespace gclab {
namespace {

constexpr std::size_t kNext = 0;

// A node's payload starts with its id; its size is checked from its header.
struct NodeFormat {
  ObjectShape shape;

  Object* make(Mutator& mutator, std::uint64_t id) const {
    Object* node = mutator.allocate(shape);
    *node->payload_as<std::uint64_t>() = id;
    return node;
  }
  void check(Object* node, std::uint64_t id, const char* list) const {
    if (node == nullptr || node->size_bytes() != shape.size_bytes() ||
        *node->payload_as<std::uint64_t>() != id) {
      throw WorkloadCheckFailed("fragmentation: node " + std::to_string(id) +
                                " of the " + list + " list is not intact");
    }
  }
};

std::int64_t require(std::int64_t value, std::int64_t low, std::int64_t high,
                     const char* name) {
  if (value < low || value > high) {
    throw ConfigError("bad parameter " + std::string(name) + "=" +
                      std::to_string(value) + ": expected " +
                      std::to_string(low) + ".." + std::to_string(high));
  }
  return value;
}

}  // namespace

FragmentationWorkload::FragmentationWorkload(FragmentationParams params)
    : params_(params) {
  require(params.objects, 1, std::int64_t{1} << 32, "objects");
  require(params.small, 8, std::int64_t{1} << 20, "small");
  require(params.keep_every, 2, 1 << 20, "keep-every");
  require(params.large_count, 0, std::int64_t{1} << 32, "large-count");
  // The widest hole: keep_every - 1 small objects side by side.
  std::int64_t hole =
      (params.keep_every - 1) *
      static_cast<std::int64_t>(
          ObjectShape{.num_refs = 1,
                      .payload_bytes = static_cast<std::uint32_t>(params.small)}
              .size_bytes());
  require(params.large, hole, std::int64_t{1} << 30, "large");
}

std::unique_ptr<Workload> FragmentationWorkload::make(
    const ParamValues& values) {
  return std::make_unique<FragmentationWorkload>(
      FragmentationParams{.objects = values.get_int("objects"),
                          .small = values.get_int("small"),
                          .keep_every = values.get_int("keep-every"),
                          .large = values.get_int("large"),
                          .large_count = values.get_int("large-count")});
}

WorkloadReport FragmentationWorkload::run(Mutator& mutator, std::uint64_t) {
  std::uint16_t site = mutator.heap().register_site("fragmentation");
  const NodeFormat small{
      {.site = site,
       .num_refs = 1,
       .payload_bytes = static_cast<std::uint32_t>(params_.small)}};
  const NodeFormat large{
      {.site = site,
       .num_refs = 1,
       .payload_bytes = static_cast<std::uint32_t>(params_.large)}};

  // 1. fill, the list's head holding the lowest id last: ids count down.
  Root smalls(mutator);
  for (std::int64_t id = params_.objects; id >= 1; --id) {
    Object* node = small.make(mutator, id);
    mutator.write(node, kNext, smalls.get());
    smalls = node;
  }
  // 2. drop all but ids 1, 1 + keep, 1 + 2 keep, ...
  std::int64_t kept = 0;
  for (Object* node = smalls.get(); node != nullptr;) {
    ++kept;
    Object* next = node;
    for (std::int64_t skip = 0; skip < params_.keep_every && next != nullptr;
         ++skip) {
      next = mutator.read(next, kNext);
    }
    mutator.write(node, kNext, next);
    node = next;
  }
  // 3. grow.
  Root larges(mutator);
  for (std::int64_t id = 1; id <= params_.large_count; ++id) {
    Object* node = large.make(mutator, id);
    mutator.write(node, kNext, larges.get());
    larges = node;
  }
  // 4. check.
  WorkloadReport report;
  std::uint64_t id = 1;
  for (Object* node = smalls.get(); node != nullptr;
       node = mutator.read(node, kNext)) {
    small.check(node, id, "small");
    id += params_.keep_every;
    ++report.checks_passed;
  }
  id = params_.large_count;
  for (Object* node = larges.get(); node != nullptr;
       node = mutator.read(node, kNext)) {
    large.check(node, id--, "large");
    ++report.checks_passed;
  }
  if (static_cast<std::int64_t>(report.checks_passed) !=
      kept + params_.large_count) {
    throw WorkloadCheckFailed("fragmentation: the lists lost nodes");
  }
  report.output.push_back("kept " + std::to_string(kept) + " of " +
                          std::to_string(params_.objects) +
                          " small objects, then allocated " +
                          std::to_string(params_.large_count) + " large");
  return report;
}

}  // namespace gclab
