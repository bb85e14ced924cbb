#include "harness/mmu.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gclab {
namespace {

// A point (time, mutator time up to it) of the run's mutator-time curve.
struct Point {
  std::int64_t x;
  std::int64_t y;
};

// Twice the signed area of (o, a, b): positive when b lies to the left of
// the directed line o -> a. 128-bit, because nanosecond products of runs
// longer than a few seconds overflow 64 bits.
__int128 cross(Point o, Point a, Point b) {
  return static_cast<__int128>(a.x - o.x) * (b.y - o.y) -
         static_cast<__int128>(a.y - o.y) * (b.x - o.x);
}

void check_window(std::int64_t window_ns, std::int64_t run_ns) {
  if (window_ns <= 0 || window_ns > run_ns) {
    throw std::invalid_argument("MMU window " + std::to_string(window_ns) +
                                " ns is outside (0, " + std::to_string(run_ns) +
                                "]");
  }
}

}  // namespace

PauseTimeline::PauseTimeline(std::span<const PauseInterval> pauses,
                             std::int64_t run_ns)
    : run_ns_(run_ns) {
  std::vector<PauseInterval> clamped;
  for (PauseInterval pause : pauses) {
    pause.start_ns = std::clamp<std::int64_t>(pause.start_ns, 0, run_ns);
    pause.end_ns = std::clamp<std::int64_t>(pause.end_ns, 0, run_ns);
    if (pause.start_ns < pause.end_ns) clamped.push_back(pause);
  }
  std::sort(clamped.begin(), clamped.end(),
            [](const PauseInterval& a, const PauseInterval& b) {
              return a.start_ns < b.start_ns;
            });
  std::int64_t total = 0;
  for (const PauseInterval& pause : clamped) {
    if (!ends_.empty() && pause.start_ns <= ends_.back()) {
      std::int64_t grown = std::max(ends_.back(), pause.end_ns);
      total += grown - ends_.back();
      ends_.back() = grown;
      continue;
    }
    pause_time_before_.push_back(total);
    starts_.push_back(pause.start_ns);
    ends_.push_back(pause.end_ns);
    total += pause.end_ns - pause.start_ns;
  }
}

std::int64_t PauseTimeline::pause_time_until(std::int64_t time) const {
  auto started = std::upper_bound(starts_.begin(), starts_.end(), time);
  if (started == starts_.begin()) return 0;
  std::size_t last = (started - starts_.begin()) - 1;
  return pause_time_before_[last] + std::min(time, ends_[last]) - starts_[last];
}

double PauseTimeline::utilisation(std::int64_t from, std::int64_t to) const {
  double paused =
      static_cast<double>(pause_time_until(to) - pause_time_until(from));
  return 1.0 - paused / static_cast<double>(to - from);
}

double PauseTimeline::mmu(std::int64_t window_ns) const {
  check_window(window_ns, run_ns_);
  if (starts_.empty()) return 1.0;
  std::int64_t last_start = run_ns_ - window_ns;
  double worst = 1.0;
  auto consider = [&](std::int64_t start) {
    start = std::clamp<std::int64_t>(start, 0, last_start);
    worst = std::min(worst, utilisation(start, start + window_ns));
  };
  consider(0);
  consider(last_start);
  for (std::size_t i = 0; i < starts_.size(); ++i) {
    consider(starts_[i]);
    consider(ends_[i] - window_ns);
  }
  return worst;
}

// The utilisation of [s_i, e_j] is the slope of the chord between the points
// (s_i, M(s_i)) and (e_j, M(e_j)) of the mutator-time curve M. For each e_j
// the least slope to a point at least `min_width` to its left is the tangent
// from (e_j, M(e_j)) to the upper convex hull of those points. Ends grow with
// j, so points join the hull in time order (Andrew's monotone chain) and the
// tangent is found by binary search: along the hull, the chord slope falls
// until the tangent point and rises after it.
double PauseTimeline::worst_pause_aligned_window(std::int64_t min_width) const {
  auto mutator_point = [this](std::int64_t time) {
    return Point{time, time - pause_time_until(time)};
  };
  std::vector<Point> hull;
  std::size_t next_start = 0;
  double worst = 1.0;
  for (std::int64_t end : ends_) {
    while (next_start < starts_.size() &&
           starts_[next_start] <= end - min_width) {
      Point added = mutator_point(starts_[next_start++]);
      while (hull.size() >= 2 &&
             cross(hull[hull.size() - 2], hull.back(), added) >= 0) {
        hull.pop_back();
      }
      hull.push_back(added);
    }
    if (hull.empty()) continue;
    Point end_point = mutator_point(end);
    std::size_t low = 0;
    std::size_t high = hull.size() - 1;
    while (low < high) {
      std::size_t mid = (low + high) / 2;
      // Is the next hull point on or above the chord from this one to the
      // end? Then its chord is no steeper: the tangent lies further on.
      if (cross(hull[mid], end_point, hull[mid + 1]) >= 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    worst = std::min(worst, utilisation(hull[low].x, end));
  }
  return worst;
}

double PauseTimeline::bmu(std::int64_t window_ns) const {
  return std::min(mmu(window_ns), worst_pause_aligned_window(window_ns));
}

std::vector<std::int64_t> utilisation_windows(std::int64_t run_ns) {
  // 10^(k/4) for k = 0..3; the decade itself is multiplied in as an integer
  // so that every power of ten is exact.
  constexpr double kQuarterDecades[] = {1.0, 1.7782794100389228,
                                        3.1622776601683795, 5.623413251903491};
  constexpr std::int64_t kFirstWindowNs = 100'000;
  std::vector<std::int64_t> windows;
  for (std::int64_t decade = kFirstWindowNs; decade < run_ns; decade *= 10) {
    for (double step : kQuarterDecades) {
      auto window = static_cast<std::int64_t>(
          std::llround(static_cast<double>(decade) * step));
      if (window < run_ns) windows.push_back(window);
    }
  }
  if (run_ns > 0) windows.push_back(run_ns);
  return windows;
}

std::vector<UtilisationPoint> utilisation_curve(
    std::span<const PauseInterval> pauses, std::int64_t run_ns) {
  PauseTimeline timeline(pauses, run_ns);
  std::vector<UtilisationPoint> curve;
  for (std::int64_t window : utilisation_windows(run_ns)) {
    curve.push_back({window, timeline.mmu(window), timeline.bmu(window)});
  }
  // BMU is non-decreasing by definition; a running minimum from the longest
  // window keeps it so even where two exact values differ only by rounding.
  for (std::size_t i = curve.size(); i-- > 1;) {
    curve[i - 1].bmu = std::min(curve[i - 1].bmu, curve[i].bmu);
  }
  return curve;
}

}  // namespace gclab
