// For tests: every field a document holds must be one its block declares in
// harness/report_fields.h. Walks a run report or a compare document (whose
// configs' runs are run reports: gclab's own and the baselines') and names
// each key its block does not declare, and each object where no block is
// declared at all, so that a field renamed in one writer but not in another,
// or written by a program that cannot include the header (the Go baseline),
// fails a test.
#ifndef GCLAB_HARNESS_REPORT_FIELDS_CHECK_H_
#define GCLAB_HARNESS_REPORT_FIELDS_CHECK_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gclab::testing {

enum class Document { kRun, kCompare };

// Paths like "cycles[].cpu.total_ns", one per undeclared key (each path
// once); empty when every field is declared.
std::vector<std::string> undeclared_fields(const nlohmann::ordered_json& json,
                                           Document document);

}  // namespace gclab::testing

#endif  // GCLAB_HARNESS_REPORT_FIELDS_CHECK_H_
