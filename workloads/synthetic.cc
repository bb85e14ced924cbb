#include "workloads/synthetic.h"

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"
#include "workloads/synthetic_deaths.h"
#include "workloads/synthetic_draws.h"
#include "workloads/synthetic_model.h"

namespace gclab {
namespace {

using synthetic::kNever;
using synthetic::kNone;
using synthetic::SyntheticModel;

// Payloads start with an id and its check word.
constexpr std::uint64_t kStampBytes = 2 * sizeof(std::uint64_t);
constexpr std::uint64_t kMaxPayload = std::uint64_t{16} << 20;
constexpr std::int64_t kMaxRefsPerObject = 1024;
// Table slots per chunk: 16 KiB of slots, a small object under every
// allocator (size classes end at 32 KiB).
constexpr std::size_t kChunkSlots = 2048;
constexpr std::int64_t kMaxLiveLimit = std::int64_t{1} << 24;

// Murmur3's 64-bit finaliser (Appleby), as leak's check words.
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

void require_between(double value, double low, double high, const char* name,
                     bool low_open = false) {
  bool ok =
      low_open ? value > low && value <= high : value >= low && value <= high;
  if (!ok) {  // NaN too
    throw ConfigError("bad parameter " + std::string(name) + "=" +
                      std::to_string(value) + ": expected " +
                      (low_open ? "more than " : "") + std::to_string(low) +
                      ".." + std::to_string(high));
  }
}

// The table of held objects, in the heap: a spine held by a Root, whose
// slots hold the chunks of table slots. Two reads or a read and a write per
// access, every one through the mutator.
class HeldTable {
 public:
  // Allocates the spine and every chunk (site `site`).
  HeldTable(Mutator& mutator, std::uint16_t site, std::size_t slots)
      : mutator_(mutator),
        spine_(mutator, mutator.allocate(
                            {.site = site,
                             .num_refs = static_cast<std::uint16_t>(
                                 (slots + kChunkSlots - 1) / kChunkSlots)})) {
    for (std::size_t first = 0; first < slots; first += kChunkSlots) {
      const auto chunk_slots =
          static_cast<std::uint16_t>(std::min(kChunkSlots, slots - first));
      Object* chunk = mutator.allocate({.site = site, .num_refs = chunk_slots});
      mutator.write(spine_.get(), first / kChunkSlots, chunk);
    }
  }

  Object* load(std::size_t slot) {
    return mutator_.read(chunk(slot), slot % kChunkSlots);
  }
  void store(std::size_t slot, Object* object) {
    mutator_.write(chunk(slot), slot % kChunkSlots, object);
  }

 private:
  Object* chunk(std::size_t slot) {
    return mutator_.read(spine_.get(), slot / kChunkSlots);
  }

  Mutator& mutator_;
  Root spine_;
};

}  // namespace

SyntheticWorkload::SyntheticWorkload(SyntheticParams params) : params_(params) {
  params_.size_min = std::max(params_.size_min, kStampBytes);
  if (params_.size_min > kMaxPayload) {
    throw ConfigError(
        "bad parameter size-min=" + std::to_string(params.size_min) +
        ": expected at most " + std::to_string(kMaxPayload));
  }
  const bool ranged = params_.size == SizeDistribution::kUniform ||
                      params_.size == SizeDistribution::kGeometric;
  if (ranged &&
      (params_.size_max < params_.size_min || params_.size_max > kMaxPayload)) {
    throw ConfigError(
        "bad parameter size-max=" + std::to_string(params.size_max) +
        ": expected " + std::to_string(params_.size_min) + ".." +
        std::to_string(kMaxPayload) + " (size-min.." +
        std::to_string(kMaxPayload) + ")");
  }
  if (params_.size == SizeDistribution::kGeometric) {
    require_between(params.size_mean, static_cast<double>(params_.size_min),
                    static_cast<double>(params_.size_max), "size-mean");
  }
  if (params_.size == SizeDistribution::kHistogram) {
    if (params_.size_histogram.empty()) {
      throw ConfigError("bad parameter size-histogram: no bins");
    }
    for (const SizeBin& bin : params_.size_histogram) {
      require(static_cast<std::int64_t>(bin.payload_bytes),
              static_cast<std::int64_t>(kStampBytes),
              static_cast<std::int64_t>(kMaxPayload), "size-histogram payload");
    }
  }
  require_between(params.lifetime_mean, 0, 1e15, "lifetime-mean", true);
  require_between(params.lifetime_long, 0, 1e15, "lifetime-long", true);
  require_between(params.long_fraction, 0, 1, "long-fraction");
  require(params.refs, 0, kMaxRefsPerObject, "refs");
  require_between(params.link_probability, 0, 1, "link-probability");
  require_between(params.mutations, 0, 1000, "mutations");
  require(params.live_limit, 1, kMaxLiveLimit, "live-limit");
  require(params.objects, 0, std::int64_t{1} << 32, "objects");
}

std::unique_ptr<Workload> SyntheticWorkload::make(const ParamValues& values) {
  auto size_of = [](std::string_view name) {
    if (name == "fixed") return SizeDistribution::kFixed;
    if (name == "uniform") return SizeDistribution::kUniform;
    if (name == "histogram") return SizeDistribution::kHistogram;
    return SizeDistribution::kGeometric;
  };
  auto lifetime_of = [](std::string_view name) {
    if (name == "exponential") return LifetimeDistribution::kExponential;
    if (name == "bimodal") return LifetimeDistribution::kBimodal;
    return LifetimeDistribution::kGenerational;
  };
  const SizeDistribution size = size_of(values.get_choice("size"));
  return std::make_unique<SyntheticWorkload>(SyntheticParams{
      .size = size,
      .size_min = values.get_size("size-min"),
      .size_max = values.get_size("size-max"),
      .size_mean = values.get_double("size-mean"),
      // Parsed only when used, so that a default is never the error.
      .size_histogram =
          size == SizeDistribution::kHistogram
              ? parse_size_histogram(values.get_string("size-histogram"))
              : std::vector<SizeBin>{},
      .lifetime = lifetime_of(values.get_choice("lifetime")),
      .lifetime_unit = values.get_choice("lifetime-unit") == "bytes"
                           ? LifetimeUnit::kBytes
                           : LifetimeUnit::kObjects,
      .lifetime_mean = values.get_double("lifetime-mean"),
      .lifetime_long = values.get_double("lifetime-long"),
      .long_fraction = values.get_double("long-fraction"),
      .refs = values.get_int("refs"),
      .link_probability = values.get_double("link-probability"),
      .mutations = values.get_double("mutations"),
      .live_limit = values.get_int("live-limit"),
      .live_bound = values.get_choice("live-bound") == "bytes"
                        ? LiveBound::kBytes
                        : LiveBound::kObjects,
      .live_target = values.get_size("live-target"),
      .volume = values.get_choice("volume") == "bytes" ? Volume::kBytes
                                                       : Volume::kObjects,
      .objects = values.get_int("objects"),
      .bytes = values.get_size("bytes"),
      .collect_at_end = values.get_flag("collect-at-end")});
}

WorkloadReport SyntheticWorkload::run(Mutator& mutator, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  const std::uint64_t salt = random();
  const auto refs = static_cast<std::uint16_t>(params_.refs);
  const auto live_limit = static_cast<std::size_t>(params_.live_limit);
  const std::uint64_t live_target =
      params_.live_bound == LiveBound::kBytes ? params_.live_target : kNever;
  const std::uint16_t object_site =
      mutator.heap().register_site("synthetic.object");
  const std::uint16_t table_site =
      mutator.heap().register_site("synthetic.table");
  const synthetic::SizeDraw draw_size(params_);

  WorkloadReport report;
  auto check_word = [salt](std::uint64_t id) { return finalise(id ^ salt); };
  // Whether `object` is the intact object the model says, slots aside.
  auto check = [&](Object* object, std::uint64_t id, const char* what) {
    if (object == nullptr || object->kind() != BlockKind::kObject ||
        object->site() != object_site || object->num_refs() != refs ||
        object->payload_bytes() < kStampBytes ||
        object->payload_as<std::uint64_t>()[0] != id ||
        object->payload_as<std::uint64_t>()[1] != check_word(id)) {
      throw WorkloadCheckFailed("synthetic: " + std::string(what) +
                                " is not object " + std::to_string(id) +
                                " intact");
    }
    ++report.checks_passed;
  };

  SyntheticModel model(live_limit, refs);
  // Deaths due, nearest first; every held table slot has exactly one entry.
  synthetic::DeathQueue deaths;
  // The held slots, densely, for drawing a random held object, and each
  // slot's place among them; the bytes each slot holds, and their sum.
  std::vector<std::uint32_t> held;
  std::vector<std::uint32_t> place(live_limit, kNone);
  std::vector<std::uint64_t> slot_bytes(live_limit, 0);
  std::uint64_t held_bytes = 0;
  std::vector<std::uint32_t> free_slots;
  for (std::size_t slot = live_limit; slot-- > 0;) {
    free_slots.push_back(static_cast<std::uint32_t>(slot));
  }

  HeldTable table(mutator, table_site, live_limit);
  auto kill_nearest = [&]() {
    const std::uint32_t slot = deaths.nearest_slot();
    deaths.pop();
    table.store(slot, nullptr);
    model.table(slot) = kNone;
    std::uint32_t at = place[slot];
    held[at] = held.back();
    place[held[at]] = at;
    held.pop_back();
    place[slot] = kNone;
    held_bytes -= slot_bytes[slot];
    free_slots.push_back(slot);
  };
  // The object in a held slot, checked against the model.
  auto held_object = [&](std::uint32_t slot) {
    Object* object = table.load(slot);
    check(object, model.object(model.table(slot)).id,
          "the object in table slot");
    return object;
  };

  std::uint64_t payload_min = kNever;
  std::uint64_t payload_max = 0;
  std::uint64_t allocated = 0;
  std::uint64_t allocated_bytes = 0;
  double credit = 0;
  const bool by_bytes = params_.volume == Volume::kBytes;
  const bool clock_in_bytes = params_.lifetime_unit == LifetimeUnit::kBytes;
  while (by_bytes ? allocated_bytes < params_.bytes
                  : allocated < static_cast<std::uint64_t>(params_.objects)) {
    const std::uint64_t now = clock_in_bytes ? allocated_bytes : allocated;
    const std::uint64_t payload = draw_size(random);
    const ObjectShape shape{
        .site = object_site,
        .num_refs = refs,
        .payload_bytes = static_cast<std::uint32_t>(payload)};
    while (!deaths.empty() && deaths.nearest_time() <= now &&
           deaths.nearest_time() != synthetic::DeathQueue::kNeverTime) {
      kill_nearest();
    }
    // The bounds: at the target, the nearest deaths come early.
    while (!deaths.empty() && (free_slots.empty() ||
                               held_bytes + shape.size_bytes() > live_target)) {
      kill_nearest();
    }
    model.maybe_prune();

    const std::uint64_t id = allocated + 1;
    payload_min = std::min(payload_min, payload);
    payload_max = std::max(payload_max, payload);
    Object* object = mutator.allocate(shape);
    object->payload_as<std::uint64_t>()[0] = id;
    object->payload_as<std::uint64_t>()[1] = check_word(id);
    ++allocated;
    allocated_bytes += shape.size_bytes();
    const std::uint32_t slot = free_slots.back();
    free_slots.pop_back();
    table.store(slot, object);
    const std::uint32_t index = model.add(id, shape.size_bytes());
    model.table(slot) = index;
    place[slot] = static_cast<std::uint32_t>(held.size());
    held.push_back(slot);
    slot_bytes[slot] = shape.size_bytes();
    held_bytes += shape.size_bytes();
    const std::uint64_t lifetime = synthetic::draw_lifetime(params_, random);
    deaths.push(lifetime == kNever ? kNever : now + lifetime, slot);

    // No allocation from here to the next iteration: raw pointers hold.
    if (refs == 0) continue;
    if (synthetic::unit(random) < params_.link_probability) {
      std::uint32_t holder = held[random() % held.size()];
      std::size_t at = random() % refs;
      mutator.write(held_object(holder), at, object);
      model.slot(model.table(holder), at) = index;
    }
    credit += params_.mutations;
    const auto stores = static_cast<std::int64_t>(credit);
    credit -= static_cast<double>(stores);
    for (std::int64_t i = 0; i < stores; ++i) {
      std::uint32_t from = held[random() % held.size()];
      std::uint32_t to = held[random() % held.size()];
      std::size_t at = random() % refs;
      Object* target = held_object(to);
      mutator.write(held_object(from), at, target);
      model.slot(model.table(from), at) = model.table(to);
    }
  }

  // The model's reachable set: what the run reports as live.
  const std::vector<std::uint32_t> reachable = model.reachable();
  std::uint64_t model_bytes = 0;
  std::uint32_t highest = 0;
  for (std::uint32_t index : reachable) {
    model_bytes += model.object(index).size_bytes;
    highest = std::max(highest, index);
  }

  // The real graph from the table against it: every object the table
  // reaches is the model's, slot for slot. Nothing allocates from here on.
  std::vector<bool> seen_model(reachable.empty() ? 0 : highest + 1);
  std::uint64_t real_objects = 0;
  std::uint64_t real_bytes = 0;
  std::uint64_t digest = finalise(salt);
  std::vector<std::pair<Object*, std::uint32_t>> stack;
  auto visit = [&](Object* object, std::uint32_t index) {
    if (seen_model[index]) return;
    seen_model[index] = true;
    const synthetic::ModelObject& expected = model.object(index);
    check(object, expected.id, "an object reached from the table");
    if (object->size_bytes() != expected.size_bytes) {
      throw WorkloadCheckFailed(
          "synthetic: object " + std::to_string(expected.id) + " has " +
          std::to_string(object->size_bytes()) + " bytes, expected " +
          std::to_string(expected.size_bytes));
    }
    ++real_objects;
    real_bytes += object->size_bytes();
    digest =
        finalise(digest ^ expected.id) + object->payload_as<std::uint64_t>()[1];
    stack.emplace_back(object, index);
  };
  for (std::size_t slot = 0; slot < live_limit; ++slot) {
    Object* object = table.load(slot);
    std::uint32_t index = model.table(slot);
    if ((object == nullptr) != (index == kNone)) {
      throw WorkloadCheckFailed(
          "synthetic: table slot " + std::to_string(slot) +
          (object == nullptr ? " lost its object" : " holds a dead object"));
    }
    if (object == nullptr) continue;
    visit(object, index);
    while (!stack.empty()) {
      auto [parent, parent_index] = stack.back();
      stack.pop_back();
      for (std::size_t i = 0; i < refs; ++i) {
        Object* child = mutator.read(parent, i);
        std::uint32_t child_index = model.slot(parent_index, i);
        if ((child == nullptr) != (child_index == kNone)) {
          throw WorkloadCheckFailed(
              "synthetic: slot " + std::to_string(i) + " of object " +
              std::to_string(model.object(parent_index).id) +
              (child == nullptr ? " lost its object" : " holds a stray one"));
        }
        if (child != nullptr) visit(child, child_index);
      }
    }
  }
  if (real_objects != reachable.size() || real_bytes != model_bytes) {
    throw WorkloadCheckFailed(
        "synthetic: the heap's live set is " + std::to_string(real_objects) +
        " objects (" + std::to_string(real_bytes) + " bytes), the model's " +
        std::to_string(reachable.size()) + " (" + std::to_string(model_bytes) +
        " bytes)");
  }
  ++report.checks_passed;
  // With the table still held, so that the collection keeps exactly the
  // reported live set (and the table).
  if (params_.collect_at_end) {
    mutator.heap().collect(&mutator, GcCause::kExplicit);
  }

  report.checksum = digest != 0 ? digest : 1;
  report.output.push_back("allocated " + std::to_string(allocated) +
                          " objects (" + std::to_string(allocated_bytes) +
                          " bytes), payloads " +
                          std::to_string(allocated == 0 ? 0 : payload_min) +
                          ".." + std::to_string(payload_max) + " bytes");
  report.output.push_back("held " + std::to_string(held.size()) +
                          " objects in the table at the end (" +
                          std::to_string(held_bytes) + " bytes)");
  report.output.push_back("live objects " + std::to_string(reachable.size()));
  report.output.push_back("live bytes " + std::to_string(model_bytes));
  return report;
}

}  // namespace gclab
