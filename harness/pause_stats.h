// Summary statistics of a run's pause durations.
//
// Percentiles use the nearest-rank definition: the p-th percentile of n
// sorted durations is the one at rank ceil(p/100 * n) (1-based), i.e. the
// smallest duration that at least p% of the pauses do not exceed. It is
// always one of the measured durations, never an interpolation, so p50 <=
// p90 <= p99 <= p99.9 <= max holds by construction. Ranks are computed in
// tenths of a percent with integer arithmetic, so p99.9 of 1000 pauses is
// exactly rank 999. With no pauses every field is zero.
#ifndef GCLAB_HARNESS_PAUSE_STATS_H_
#define GCLAB_HARNESS_PAUSE_STATS_H_

#include <cstdint>
#include <span>

namespace gclab {

struct PauseSummary {
  std::int64_t count = 0;
  std::int64_t total_ns = 0;
  std::int64_t mean_ns = 0;  // rounded to the nearest nanosecond
  std::int64_t p50_ns = 0;
  std::int64_t p90_ns = 0;
  std::int64_t p99_ns = 0;
  std::int64_t p999_ns = 0;
  std::int64_t max_ns = 0;
};

// `sorted` ascending and non-empty; `per_mille` in [0, 1000] (999 = p99.9).
std::int64_t nearest_rank_percentile(std::span<const std::int64_t> sorted,
                                     std::int64_t per_mille);

PauseSummary summarize_pauses(std::span<const std::int64_t> durations_ns);

}  // namespace gclab

#endif  // GCLAB_HARNESS_PAUSE_STATS_H_
