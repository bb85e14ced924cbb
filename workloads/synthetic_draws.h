// The synthetic workload's draws (workloads/synthetic.h): payload sizes and
// lifetimes from the distributions its parameters name. Every draw is
// computed from the raw 64-bit output of one std::mt19937_64, never through
// std::*_distribution (whose results are implementation-defined), so a
// seed gives the same run under every standard library.
#ifndef GCLAB_WORKLOADS_SYNTHETIC_DRAWS_H_
#define GCLAB_WORKLOADS_SYNTHETIC_DRAWS_H_

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "workloads/synthetic.h"

namespace gclab::synthetic {

// The death time of an object that lives for the whole run.
inline constexpr std::uint64_t kNever =
    std::numeric_limits<std::uint64_t>::max();

// Uniform in [0, 1), from the top 53 bits.
inline double unit(std::mt19937_64& random) {
  return static_cast<double>(random() >> 11) * 0x1.0p-53;
}

// Exponential with `mean`, rounded to a whole number of units, at least one.
std::uint64_t exponential(std::mt19937_64& random, double mean);

// Payload sizes, in bytes, from params.size.
class SizeDraw {
 public:
  explicit SizeDraw(const SyntheticParams& params);
  std::uint64_t operator()(std::mt19937_64& random) const;

 private:
  const SyntheticParams& params_;
  // Geometric: log1p(-p) for the failures-before-a-success count.
  double log_failure_ = 0;
  // Histogram: running weight sums, bin by bin (a binary search per draw).
  std::vector<double> cumulative_;
};

// Lifetimes, in params.lifetime_unit, from params.lifetime; kNever for
// an object that outlives the run.
std::uint64_t draw_lifetime(const SyntheticParams& params,
                            std::mt19937_64& random);

}  // namespace gclab::synthetic

#endif  // GCLAB_WORKLOADS_SYNTHETIC_DRAWS_H_
