// Human-readable views of reports: the few lines `gclab run` prints and the
// table `gclab compare` prints. Both read the JSON reports themselves (not
// the runner's records), so what is printed is exactly what was written, and
// a baseline that prints a report with the same field names fits in a row.
#ifndef GCLAB_HARNESS_SUMMARY_H_
#define GCLAB_HARNESS_SUMMARY_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <span>
#include <string>

namespace gclab {

void print_run_summary(std::ostream& out, const nlohmann::ordered_json& report);

// The compared quantities of one run; a field the report lacks is empty.
struct SummaryRow {
  std::optional<double> wall_ns;
  std::optional<double> pause_total_ns;
  std::optional<double> gc_cpu_ns;
  std::optional<double> collections;
  std::optional<double> pause_p50_ns;
  std::optional<double> pause_p99_ns;
  std::optional<double> pause_max_ns;
  // MMU at 1, 10 and 100 ms (the windows a pause-time goal is read at).
  std::optional<double> mmu_1ms;
  std::optional<double> mmu_10ms;
  std::optional<double> mmu_100ms;
  std::optional<double> peak_heap_bytes;  // heap.peak_committed_bytes
};

// Collections are the length of `cycles`, or a baseline's `cycles_count`;
// MMU is read from `mmu`, or computed from `pauses.list` when the
// report has no mmu block.
SummaryRow summary_row(const nlohmann::ordered_json& report);
// Field by field, over the runs that have the field (the mean of the middle
// two for an even count).
SummaryRow median_row(std::span<const SummaryRow> rows);
nlohmann::ordered_json row_json(const SummaryRow& row);

struct LabelledRow {
  std::string label;
  SummaryRow row;
  // Set when the configuration has no figures ("heap exhausted"): printed in
  // their place, after the label column.
  std::optional<std::string> outcome = {};
};
void print_table(std::ostream& out, std::span<const LabelledRow> rows);

// "812 ns", "3.4 us", "12.31 ms", "1.204 s".
std::string format_duration(double ns);
// "512 B", "3.0 KiB", "64.0 MiB".
std::string format_bytes(double bytes);

}  // namespace gclab

#endif  // GCLAB_HARNESS_SUMMARY_H_
