// Minimum mutator utilisation (Cheng & Blelloch 2001) and its bounded form,
// BMU (Sachindran, Moss & Berger 2004), computed exactly from the pauses.
//
// A run is the interval [0, T]; pauses are intervals inside it (overlapping
// pauses are merged first, so a nanosecond is counted once). The utilisation
// of a window [t, t+w] is the fraction of it in which no pause was in
// progress; MMU(w) is the least utilisation of any window of width w inside
// the run, and BMU(w) = min over w' >= w of MMU(w'), which is non-decreasing
// in w and never above MMU(w).
//
// Exactness. The pause time inside [t, t+w] is piecewise linear in t and can
// only stop rising where the window's start enters a pause or its end leaves
// one, so MMU(w) is the minimum over the O(P) windows that start at a pause
// start or end at a pause end (clamped into the run), each evaluated with
// prefix sums of pause time and a binary search. For BMU, a window longer
// than w is at its worst when it starts at a pause start and ends at a pause
// end (moving an end through mutator time towards the inside, or through
// pause time towards the outside, only lowers utilisation), so BMU(w) is the
// least of MMU(w) and of the utilisations of such windows at least w long;
// those are found for all pairs at once as tangents to an upper convex hull.
#ifndef GCLAB_HARNESS_MMU_H_
#define GCLAB_HARNESS_MMU_H_

#include <cstdint>
#include <span>
#include <vector>

namespace gclab {

struct PauseInterval {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
};

struct UtilisationPoint {
  std::int64_t window_ns = 0;
  double mmu = 1.0;
  double bmu = 1.0;
};

class PauseTimeline {
 public:
  // Clamps the pauses to [0, run_ns], drops empty ones and merges overlaps.
  PauseTimeline(std::span<const PauseInterval> pauses, std::int64_t run_ns);

  std::int64_t run_ns() const { return run_ns_; }

  // Both require 0 < window_ns <= run_ns.
  double mmu(std::int64_t window_ns) const;
  double bmu(std::int64_t window_ns) const;

 private:
  // Total pause time in [0, time].
  std::int64_t pause_time_until(std::int64_t time) const;
  double utilisation(std::int64_t from, std::int64_t to) const;
  // Least utilisation of a window [pause start, pause end] at least
  // `min_width` long; 1 when there is none.
  double worst_pause_aligned_window(std::int64_t min_width) const;

  std::int64_t run_ns_;
  std::vector<std::int64_t> starts_;  // sorted, disjoint pauses
  std::vector<std::int64_t> ends_;
  std::vector<std::int64_t> pause_time_before_;  // of pauses [0, i)
};

// The reported window widths: 4 per decade from 100 us (so that 1 ms, 10 ms
// and 100 ms appear exactly), those shorter than the run, then the run length.
std::vector<std::int64_t> utilisation_windows(std::int64_t run_ns);

// MMU and BMU at every width of utilisation_windows(run_ns).
std::vector<UtilisationPoint> utilisation_curve(
    std::span<const PauseInterval> pauses, std::int64_t run_ns);

}  // namespace gclab

#endif  // GCLAB_HARNESS_MMU_H_
