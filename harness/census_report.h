// The report's census and leaks blocks (gclab run --census, --leak-report):
// the heap census's records and the leak tracker's findings, with site ids
// turned into the names the workload registered. Every field is documented
// in docs/metrics.md#the-heap-census and named in harness/report_fields.h.
#ifndef GCLAB_HARNESS_CENSUS_REPORT_H_
#define GCLAB_HARNESS_CENSUS_REPORT_H_

#include <nlohmann/json.hpp>

#include "harness/run_record.h"

namespace gclab {

// The longest list of garbage cycles a report holds: the largest ones, the
// others counted.
inline constexpr std::size_t kReportedGarbageCycles = 20;

// record.census must be set.
nlohmann::ordered_json census_json(const RunRecord& record);
// record.leaks must be set.
nlohmann::ordered_json leaks_json(const RunRecord& record);

}  // namespace gclab

#endif  // GCLAB_HARNESS_CENSUS_REPORT_H_
