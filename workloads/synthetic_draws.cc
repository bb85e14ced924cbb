#include "workloads/synthetic_draws.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "heap/errors.h"
#include "heap/params.h"

namespace gclab {

std::vector<SizeBin> parse_size_histogram(std::string_view whole) {
  auto bad = [&](std::string_view pair, std::string_view why) {
    return ConfigError("bad parameter size-histogram='" + std::string(whole) +
                       "': '" + std::string(pair) + "' " + std::string(why));
  };
  std::vector<SizeBin> bins;
  std::string_view text = whole;  // what is left to parse
  while (!text.empty() || bins.empty()) {
    std::size_t comma = text.find(',');
    std::string_view pair = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view()
                                           : text.substr(comma + 1);
    std::size_t colon = pair.find(':');
    if (colon == std::string_view::npos) {
      throw bad(pair, "is not PAYLOAD:WEIGHT");
    }
    SizeBin bin;
    try {
      bin.payload_bytes = parse_size(pair.substr(0, colon), "size-histogram");
    } catch (const ConfigError&) {
      throw bad(pair, "has no payload size (like 64 or 4K)");
    }
    const std::string weight(pair.substr(colon + 1));
    char* end = nullptr;
    bin.weight = std::strtod(weight.c_str(), &end);
    if (weight.empty() || end != weight.c_str() + weight.size() ||
        !(bin.weight > 0) || !std::isfinite(bin.weight)) {
      throw bad(pair, "has no positive weight");
    }
    bins.push_back(bin);
    if (comma != std::string_view::npos && text.empty()) {
      throw bad("", "follows the last comma");
    }
  }
  return bins;
}

namespace synthetic {

std::uint64_t exponential(std::mt19937_64& random, double mean) {
  double draw = -mean * std::log1p(-unit(random));
  if (!(draw < 1e18)) return std::uint64_t{1} << 60;
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(draw + 0.5));
}

SizeDraw::SizeDraw(const SyntheticParams& params) : params_(params) {
  // Failures before a success with p = 1 / (m + 1) have mean m.
  const double mean = params.size_mean - static_cast<double>(params.size_min);
  if (mean > 0) log_failure_ = std::log1p(-1 / (mean + 1));
  double sum = 0;
  for (const SizeBin& bin : params.size_histogram) {
    sum += bin.weight;
    cumulative_.push_back(sum);
  }
}

std::uint64_t SizeDraw::operator()(std::mt19937_64& random) const {
  const std::uint64_t low = params_.size_min;
  const std::uint64_t high = params_.size_max;
  switch (params_.size) {
    case SizeDistribution::kFixed:
      return low;
    case SizeDistribution::kUniform:
      return low + random() % (high - low + 1);
    case SizeDistribution::kGeometric: {
      if (log_failure_ == 0) return low;
      double k = std::floor(std::log1p(-unit(random)) / log_failure_);
      if (!(k < static_cast<double>(high - low))) return high;
      return low + static_cast<std::uint64_t>(k);
    }
    case SizeDistribution::kHistogram: {
      const double at = unit(random) * cumulative_.back();
      auto bin = std::upper_bound(cumulative_.begin(), cumulative_.end(), at);
      // at < the sum, so some bin's running sum passes it; the guard is for
      // a sum so large that the product rounded up to it.
      if (bin == cumulative_.end()) --bin;
      return params_.size_histogram[bin - cumulative_.begin()].payload_bytes;
    }
  }
  return low;
}

std::uint64_t draw_lifetime(const SyntheticParams& params,
                            std::mt19937_64& random) {
  switch (params.lifetime) {
    case LifetimeDistribution::kExponential:
      return exponential(random, params.lifetime_mean);
    case LifetimeDistribution::kBimodal:
      return exponential(random, unit(random) < params.long_fraction
                                     ? params.lifetime_long
                                     : params.lifetime_mean);
    case LifetimeDistribution::kGenerational:
      if (unit(random) < params.long_fraction) return kNever;
      return exponential(random, params.lifetime_mean);
  }
  return 1;
}

}  // namespace synthetic
}  // namespace gclab
