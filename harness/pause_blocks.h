// The `pauses` and `mmu` blocks of a report, built from a list of pauses:
// one definition for gclab's own runs (harness/report.h) and for the
// baselines whose pauses come from elsewhere (harness/go_baseline.h), so
// that every row of a comparison is summarised the same way.
#ifndef GCLAB_HARNESS_PAUSE_BLOCKS_H_
#define GCLAB_HARNESS_PAUSE_BLOCKS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "heap/gc_events.h"

namespace gclab {

// A pause as a report lists it: gclab's own (PauseRecord, whose kind is a
// PauseKind) or a baseline's, whose kinds are its runtime's own
// ("mark-termination").
struct ReportedPause {
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
  std::string_view kind;
  std::int64_t time_to_safepoint_ns = 0;
  // gclab's own: the cycle it belongs to, and for a one-mutator pause the
  // mutator it stopped (PauseRecord); a baseline's pauses have neither.
  std::optional<std::uint32_t> cycle{};
  std::optional<int> mutator{};
};

std::vector<ReportedPause> reported_pauses(std::span<const PauseRecord> pauses);

// {count, total_ns, mean_ns, p50_ns, ..., max_ns, by_kind {KIND: the same
// summary}, list [{start_ns, duration_ns, kind, time_to_safepoint_ns, cycle
// (when known), mutator (for a one-mutator pause)}]}.
nlohmann::ordered_json pauses_block(std::span<const ReportedPause> pauses);

// {windows [{window_ns, mmu, bmu}]} over a run of `run_ns`.
nlohmann::ordered_json mmu_block(std::span<const ReportedPause> pauses,
                                 std::int64_t run_ns);

}  // namespace gclab

#endif  // GCLAB_HARNESS_PAUSE_BLOCKS_H_
