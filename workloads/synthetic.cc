#include "workloads/synthetic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "heap/errors.h"
#include "heap/heap.h"

namespace gclab {
namespace {

// Payloads start with an id and its check word.
constexpr std::uint64_t kStampBytes = 2 * sizeof(std::uint64_t);
constexpr std::uint64_t kMaxPayload = std::uint64_t{16} << 20;
constexpr std::int64_t kMaxRefsPerObject = 1024;
constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();
// A model slot or table entry that holds nothing.
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

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

// Uniform in [0, 1), from the top 53 bits: the same sequence under every
// standard library (std::*_distribution is implementation-defined).
double unit(std::mt19937_64& random) {
  return static_cast<double>(random() >> 11) * 0x1.0p-53;
}

// Exponential with `mean`, rounded to a whole number of allocations, at
// least one.
std::uint64_t exponential(std::mt19937_64& random, double mean) {
  double draw = -mean * std::log1p(-unit(random));
  if (!(draw < 1e18)) return std::uint64_t{1} << 60;
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(draw + 0.5));
}

// The model of one object: its id, size and slots (model indices).
struct ModelObject {
  std::uint64_t id;
  std::uint64_t size_bytes;
  std::uint32_t first_slot;  // into SyntheticModel::slots
};

// The shadow model: the objects the table may still reach, each slot as a
// model index, and the table. Pruned by a sliding compaction of its own
// when it has grown well past what was reachable at the last pruning.
class SyntheticModel {
 public:
  SyntheticModel(std::size_t live_limit, std::size_t refs)
      : refs_(refs), table_(live_limit, kNone) {}

  std::uint32_t add(std::uint64_t id, std::uint64_t size_bytes) {
    auto index = static_cast<std::uint32_t>(objects_.size());
    objects_.push_back(
        {id, size_bytes, static_cast<std::uint32_t>(slots_.size())});
    slots_.insert(slots_.end(), refs_, kNone);
    return index;
  }
  const ModelObject& object(std::uint32_t index) const {
    return objects_[index];
  }
  std::uint32_t& slot(std::uint32_t index, std::size_t slot) {
    return slots_[objects_[index].first_slot + slot];
  }
  std::uint32_t& table(std::size_t slot) { return table_[slot]; }

  // The model indices the table reaches, each once, in a fixed order.
  std::vector<std::uint32_t> reachable() const {
    std::vector<bool> seen(objects_.size());
    std::vector<std::uint32_t> order;
    std::vector<std::uint32_t> stack;
    for (std::uint32_t held : table_) {
      if (held == kNone || seen[held]) continue;
      seen[held] = true;
      stack.push_back(held);
      while (!stack.empty()) {
        std::uint32_t index = stack.back();
        stack.pop_back();
        order.push_back(index);
        for (std::size_t i = 0; i < refs_; ++i) {
          std::uint32_t child = slots_[objects_[index].first_slot + i];
          if (child != kNone && !seen[child]) {
            seen[child] = true;
            stack.push_back(child);
          }
        }
      }
    }
    return order;
  }

  // Drops what the table no longer reaches, once the model has doubled
  // since the last pruning (amortised constant time per object).
  void maybe_prune() {
    if (objects_.size() < prune_at_) return;
    std::vector<std::uint32_t> kept = reachable();
    std::sort(kept.begin(), kept.end());
    std::vector<std::uint32_t> forward(objects_.size(), kNone);
    for (std::size_t i = 0; i < kept.size(); ++i) {
      forward[kept[i]] = static_cast<std::uint32_t>(i);
    }
    std::vector<ModelObject> objects;
    std::vector<std::uint32_t> slots;
    objects.reserve(kept.size());
    slots.reserve(kept.size() * refs_);
    for (std::uint32_t old : kept) {
      objects.push_back({objects_[old].id, objects_[old].size_bytes,
                         static_cast<std::uint32_t>(slots.size())});
      for (std::size_t i = 0; i < refs_; ++i) {
        std::uint32_t child = slots_[objects_[old].first_slot + i];
        slots.push_back(child == kNone ? kNone : forward[child]);
      }
    }
    for (std::uint32_t& held : table_) {
      if (held != kNone) held = forward[held];
    }
    objects_ = std::move(objects);
    slots_ = std::move(slots);
    prune_at_ = std::max<std::size_t>(2 * objects_.size(), 4 * table_.size());
  }

 private:
  const std::size_t refs_;
  std::vector<ModelObject> objects_;
  std::vector<std::uint32_t> slots_;
  std::vector<std::uint32_t> table_;
  std::size_t prune_at_ = 0;
};

}  // namespace

SyntheticWorkload::SyntheticWorkload(SyntheticParams params) : params_(params) {
  params_.size_min = std::max(params_.size_min, kStampBytes);
  if (params_.size_min > kMaxPayload) {
    throw ConfigError(
        "bad parameter size-min=" + std::to_string(params.size_min) +
        ": expected at most " + std::to_string(kMaxPayload));
  }
  if (params_.size != SizeDistribution::kFixed &&
      (params_.size_max < params_.size_min || params_.size_max > kMaxPayload)) {
    throw ConfigError(
        "bad parameter size-max=" + std::to_string(params.size_max) +
        ": expected " + std::to_string(params_.size_min) + ".." +
        std::to_string(kMaxPayload) + " (size-min.." +
        std::to_string(kMaxPayload) + ")");
  }
  require_between(params.lifetime_mean, 0, 1e15, "lifetime-mean", true);
  require_between(params.lifetime_long, 0, 1e15, "lifetime-long", true);
  require_between(params.long_fraction, 0, 1, "long-fraction");
  require(params.refs, 0, kMaxRefsPerObject, "refs");
  require_between(params.link_probability, 0, 1, "link-probability");
  require_between(params.mutations, 0, 1000, "mutations");
  require(params.live_limit, 1, static_cast<std::int64_t>(kMaxRefs),
          "live-limit");
  require(params.objects, 0, std::int64_t{1} << 32, "objects");
}

std::unique_ptr<Workload> SyntheticWorkload::make(const ParamValues& values) {
  auto size_of = [](std::string_view name) {
    if (name == "fixed") return SizeDistribution::kFixed;
    if (name == "uniform") return SizeDistribution::kUniform;
    return SizeDistribution::kGeometric;
  };
  auto lifetime_of = [](std::string_view name) {
    if (name == "exponential") return LifetimeDistribution::kExponential;
    if (name == "bimodal") return LifetimeDistribution::kBimodal;
    return LifetimeDistribution::kGenerational;
  };
  return std::make_unique<SyntheticWorkload>(
      SyntheticParams{.size = size_of(values.get_choice("size")),
                      .size_min = values.get_size("size-min"),
                      .size_max = values.get_size("size-max"),
                      .lifetime = lifetime_of(values.get_choice("lifetime")),
                      .lifetime_mean = values.get_double("lifetime-mean"),
                      .lifetime_long = values.get_double("lifetime-long"),
                      .long_fraction = values.get_double("long-fraction"),
                      .refs = values.get_int("refs"),
                      .link_probability = values.get_double("link-probability"),
                      .mutations = values.get_double("mutations"),
                      .live_limit = values.get_int("live-limit"),
                      .objects = values.get_int("objects")});
}

WorkloadReport SyntheticWorkload::run(Mutator& mutator, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  const std::uint64_t salt = random();
  const auto refs = static_cast<std::uint16_t>(params_.refs);
  const auto live_limit = static_cast<std::size_t>(params_.live_limit);
  const std::uint16_t object_site =
      mutator.heap().register_site("synthetic.object");
  const ObjectShape table_shape{
      .site = mutator.heap().register_site("synthetic.table"),
      .num_refs = static_cast<std::uint16_t>(live_limit)};

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

  auto draw_payload = [&]() -> std::uint64_t {
    const std::uint64_t low = params_.size_min;
    const std::uint64_t high = params_.size_max;
    switch (params_.size) {
      case SizeDistribution::kFixed:
        return low;
      case SizeDistribution::kUniform:
        return low + random() % (high - low + 1);
      case SizeDistribution::kGeometric: {
        // Failures before a success with p = 1 / (m + 1) have mean m.
        double mean = static_cast<double>(high - low) / 2;
        if (mean <= 0) return low;
        double p = 1 / (mean + 1);
        double k = std::floor(std::log1p(-unit(random)) / std::log1p(-p));
        if (!(k < static_cast<double>(high - low))) return high;
        return low + static_cast<std::uint64_t>(k);
      }
    }
    return low;
  };
  auto draw_lifetime = [&]() -> std::uint64_t {
    switch (params_.lifetime) {
      case LifetimeDistribution::kExponential:
        return exponential(random, params_.lifetime_mean);
      case LifetimeDistribution::kBimodal:
        return exponential(random, unit(random) < params_.long_fraction
                                       ? params_.lifetime_long
                                       : params_.lifetime_mean);
      case LifetimeDistribution::kGenerational:
        if (unit(random) < params_.long_fraction) return kNever;
        return exponential(random, params_.lifetime_mean);
    }
    return 1;
  };

  SyntheticModel model(live_limit, refs);
  // Deaths due, nearest first; every held table slot has exactly one entry.
  using Death = std::pair<std::uint64_t, std::uint32_t>;
  std::priority_queue<Death, std::vector<Death>, std::greater<>> deaths;
  // The held slots, densely, for drawing a random held object, and each
  // slot's place among them.
  std::vector<std::uint32_t> held;
  std::vector<std::uint32_t> place(live_limit, kNone);
  std::vector<std::uint32_t> free_slots;
  for (std::size_t slot = live_limit; slot-- > 0;) {
    free_slots.push_back(static_cast<std::uint32_t>(slot));
  }

  Root table(mutator, mutator.allocate(table_shape));
  auto kill = [&](std::uint32_t slot) {
    mutator.write(table.get(), slot, nullptr);
    model.table(slot) = kNone;
    std::uint32_t at = place[slot];
    held[at] = held.back();
    place[held[at]] = at;
    held.pop_back();
    place[slot] = kNone;
    free_slots.push_back(slot);
  };
  // The object in a held slot, checked against the model.
  auto held_object = [&](std::uint32_t slot) {
    Object* object = mutator.read(table.get(), slot);
    check(object, model.object(model.table(slot)).id,
          "the object in table slot");
    return object;
  };

  std::uint64_t payload_min = kNever;
  std::uint64_t payload_max = 0;
  double credit = 0;
  const auto objects = static_cast<std::uint64_t>(params_.objects);
  for (std::uint64_t now = 0; now < objects; ++now) {
    while (!deaths.empty() && deaths.top().first <= now) {
      kill(deaths.top().second);
      deaths.pop();
    }
    if (free_slots.empty()) {
      kill(deaths.top().second);
      deaths.pop();
    }
    model.maybe_prune();

    const std::uint64_t id = now + 1;
    const std::uint64_t payload = draw_payload();
    payload_min = std::min(payload_min, payload);
    payload_max = std::max(payload_max, payload);
    const ObjectShape shape{
        .site = object_site,
        .num_refs = refs,
        .payload_bytes = static_cast<std::uint32_t>(payload)};
    Object* object = mutator.allocate(shape);
    object->payload_as<std::uint64_t>()[0] = id;
    object->payload_as<std::uint64_t>()[1] = check_word(id);
    const std::uint32_t slot = free_slots.back();
    free_slots.pop_back();
    mutator.write(table.get(), slot, object);
    const std::uint32_t index = model.add(id, shape.size_bytes());
    model.table(slot) = index;
    place[slot] = static_cast<std::uint32_t>(held.size());
    held.push_back(slot);
    const std::uint64_t lifetime = draw_lifetime();
    deaths.push({lifetime == kNever ? kNever : now + lifetime, slot});

    // No allocation from here to the next iteration: raw pointers hold.
    if (refs == 0) continue;
    if (unit(random) < params_.link_probability) {
      std::uint32_t holder = held[random() % held.size()];
      std::size_t at = random() % refs;
      mutator.write(held_object(holder), at, object);
      model.slot(model.table(holder), at) = index;
    }
    credit += params_.mutations;
    const auto stores = static_cast<std::int64_t>(std::floor(credit));
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

  // The model's reachable set, and the real graph's against it: every
  // object the table reaches is the model's, slot for slot. Nothing
  // allocates from here on.
  const std::vector<std::uint32_t> reachable = model.reachable();
  std::uint64_t model_bytes = 0;
  for (std::uint32_t index : reachable) {
    model_bytes += model.object(index).size_bytes;
  }
  std::vector<bool> seen_model;
  std::uint64_t highest = 0;
  for (std::uint32_t index : reachable) {
    highest = std::max<std::uint64_t>(highest, index);
  }
  seen_model.resize(reachable.empty() ? 0 : highest + 1);

  std::uint64_t real_objects = 0;
  std::uint64_t real_bytes = 0;
  std::uint64_t digest = finalise(salt);
  std::vector<std::pair<Object*, std::uint32_t>> stack;
  auto visit = [&](Object* object, std::uint32_t index) {
    if (seen_model[index]) return;
    seen_model[index] = true;
    const ModelObject& expected = model.object(index);
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
    Object* object = mutator.read(table.get(), slot);
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

  report.checksum = digest != 0 ? digest : 1;
  report.output.push_back("allocated " + std::to_string(objects) +
                          " objects, payloads " +
                          std::to_string(objects == 0 ? 0 : payload_min) +
                          ".." + std::to_string(payload_max) + " bytes");
  report.output.push_back("held " + std::to_string(held.size()) +
                          " objects in the table at the end");
  report.output.push_back("live objects " + std::to_string(real_objects));
  report.output.push_back("live bytes " + std::to_string(real_bytes));
  return report;
}

}  // namespace gclab
