// The `pauses` and `mmu` blocks of a report, built from a list of pauses:
// one definition for gclab's own runs (harness/report.h) and for the
// baselines whose pauses come from elsewhere (harness/go_baseline.h), so
// that every row of a comparison is summarised the same way.
#ifndef GCLAB_HARNESS_PAUSE_BLOCKS_H_
#define GCLAB_HARNESS_PAUSE_BLOCKS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "heap/gc_events.h"

namespace gclab {

// {count, total_ns, mean_ns, p50_ns, ..., max_ns, by_kind {KIND: the same
// summary}, list [{start_ns, duration_ns, kind, time_to_safepoint_ns}]}.
nlohmann::ordered_json pauses_block(std::span<const PauseRecord> pauses);

// {windows [{window_ns, mmu, bmu}]} over a run of `run_ns`.
nlohmann::ordered_json mmu_block(std::span<const PauseRecord> pauses,
                                 std::int64_t run_ns);

}  // namespace gclab

#endif  // GCLAB_HARNESS_PAUSE_BLOCKS_H_
