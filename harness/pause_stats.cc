#include "harness/pause_stats.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace gclab {

std::int64_t nearest_rank_percentile(std::span<const std::int64_t> sorted,
                                     std::int64_t per_mille) {
  auto n = static_cast<std::int64_t>(sorted.size());
  std::int64_t rank = (per_mille * n + 999) / 1000;  // ceil(p/1000 * n)
  rank = std::clamp<std::int64_t>(rank, 1, n);
  return sorted[rank - 1];
}

PauseSummary summarize_pauses(std::span<const std::int64_t> durations_ns) {
  PauseSummary summary;
  if (durations_ns.empty()) return summary;
  std::vector<std::int64_t> sorted(durations_ns.begin(), durations_ns.end());
  std::sort(sorted.begin(), sorted.end());
  summary.count = static_cast<std::int64_t>(sorted.size());
  summary.total_ns =
      std::accumulate(sorted.begin(), sorted.end(), std::int64_t{0});
  summary.mean_ns = (summary.total_ns + summary.count / 2) / summary.count;
  summary.p50_ns = nearest_rank_percentile(sorted, 500);
  summary.p90_ns = nearest_rank_percentile(sorted, 900);
  summary.p99_ns = nearest_rank_percentile(sorted, 990);
  summary.p999_ns = nearest_rank_percentile(sorted, 999);
  summary.max_ns = sorted.back();
  return summary;
}

}  // namespace gclab
