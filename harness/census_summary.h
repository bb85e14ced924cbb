// The lines `gclab run` prints about a heap census and a leak report, read
// from the report's census and leaks blocks like the rest of the summary
// (harness/summary.h): how many censuses and what they cost, each growing
// site with its growth and its path from a root, the garbage cycles, and
// what was still allocated at the end.
#ifndef GCLAB_HARNESS_CENSUS_SUMMARY_H_
#define GCLAB_HARNESS_CENSUS_SUMMARY_H_

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace gclab {

// Nothing for a report without a census block.
void print_census_summary(std::ostream& out,
                          const nlohmann::ordered_json& report);

// "global root -> leak.service -[1]-> leak.retained": a report's path.
std::string format_path(const nlohmann::ordered_json& path);

}  // namespace gclab

#endif  // GCLAB_HARNESS_CENSUS_SUMMARY_H_
