#include "heap/trigger.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "heap/errors.h"

namespace gclab {
namespace {

class OnFailureTrigger final : public Trigger {
 public:
  bool should_collect(const Allocator&) override { return false; }
  void after_collection(const AllocatorStats&, std::size_t) override {}
  std::optional<std::size_t> trigger_bytes(const Allocator&) const override {
    return {};
  }
  std::string spec() const override { return "on-failure"; }
};

class OccupancyTrigger final : public Trigger {
 public:
  explicit OccupancyTrigger(double fraction) : fraction_(fraction) {}

  bool should_collect(const Allocator& allocator) override {
    return allocator.in_use_bytes() >= threshold(allocator.arena().size());
  }
  std::optional<std::size_t> trigger_bytes(
      const Allocator& allocator) const override {
    return threshold(allocator.arena().size());
  }

  // When the live data alone is above the threshold, collecting at the
  // threshold would collect on every refill; wait instead until half of what
  // remains free has been allocated.
  void after_collection(const AllocatorStats& after, std::size_t) override {
    std::size_t nominal =
        static_cast<std::size_t>(fraction_ * after.heap_bytes);
    floor_ = after.in_use_bytes >= nominal
                 ? after.in_use_bytes + after.free_bytes / 2
                 : 0;
  }

  std::string spec() const override {
    char text[32];
    std::snprintf(text, sizeof text, "occupancy:%g", fraction_);
    return text;
  }

 private:
  std::size_t threshold(std::size_t heap_bytes) const {
    std::size_t nominal = static_cast<std::size_t>(fraction_ * heap_bytes);
    return nominal > floor_ ? nominal : floor_;
  }

  double fraction_;
  std::size_t floor_ = 0;
};

class GogcTrigger final : public Trigger {
 public:
  // Go's minimum heap goal: a tiny live set does not mean constant GC.
  static constexpr std::size_t kMinimumGoal = std::size_t{4} << 20;

  explicit GogcTrigger(std::int64_t gogc) : gogc_(gogc) {}

  bool should_collect(const Allocator& allocator) override {
    return allocator.in_use_bytes() >= trigger_;
  }

  void after_collection(const AllocatorStats& after,
                        std::size_t allocated_while_marking) override {
    std::size_t live = after.in_use_bytes;
    std::size_t goal = live + live / 100 * static_cast<std::size_t>(gogc_) +
                       live % 100 * static_cast<std::size_t>(gogc_) / 100;
    goal_ = goal > kMinimumGoal ? goal : kMinimumGoal;
    trigger_ = goal_;
    if (allocated_while_marking > 0 && goal_ > live) {
      std::size_t runway = goal_ - live;
      std::size_t earliest = live + runway / 100 * 70;
      std::size_t latest = live + runway / 100 * 95;
      std::size_t paced =
          goal_ > allocated_while_marking ? goal_ - allocated_while_marking : 0;
      trigger_ = std::clamp(paced, earliest, latest);
    }
  }

  std::optional<std::size_t> trigger_bytes(const Allocator&) const override {
    return trigger_;
  }
  std::optional<std::size_t> heap_goal() const override { return goal_; }

  std::string spec() const override { return "gogc:" + std::to_string(gogc_); }

 private:
  std::int64_t gogc_;
  std::size_t goal_ = kMinimumGoal;
  std::size_t trigger_ = kMinimumGoal;
};

}  // namespace

std::unique_ptr<Trigger> parse_trigger(std::string_view spec) {
  if (spec == "on-failure") return std::make_unique<OnFailureTrigger>();
  constexpr std::string_view kOccupancy = "occupancy:";
  if (spec.starts_with(kOccupancy)) {
    std::string number(spec.substr(kOccupancy.size()));
    char* end = nullptr;
    double fraction = std::strtod(number.c_str(), &end);
    if (!number.empty() && *end == '\0' && fraction > 0 && fraction <= 1) {
      return std::make_unique<OccupancyTrigger>(fraction);
    }
  }
  constexpr std::string_view kGogc = "gogc:";
  if (spec.starts_with(kGogc)) {
    std::string number(spec.substr(kGogc.size()));
    char* end = nullptr;
    long long gogc = std::strtoll(number.c_str(), &end, 10);
    if (!number.empty() && *end == '\0' && gogc > 0 && gogc <= 100000) {
      return std::make_unique<GogcTrigger>(gogc);
    }
  }
  throw ConfigError("bad --trigger '" + std::string(spec) +
                    "': expected on-failure, occupancy:F with 0 < F <= 1, or "
                    "gogc:N with 0 < N <= 100000");
}

}  // namespace gclab
