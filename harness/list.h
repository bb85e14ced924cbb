// `gclab list`: every collector, allocator and workload with its one-line
// description and its parameters (straight from each component's ParamSpec
// table, so the listing cannot disagree with the parser), then which
// collector x allocator pairs fit and, for those that do not, why.
// `gclab list --json` prints the same as one JSON document, for scripts
// (scripts/sweep checks names and skips misfits with it).
#ifndef GCLAB_HARNESS_LIST_H_
#define GCLAB_HARNESS_LIST_H_

#include <nlohmann/json.hpp>
#include <ostream>

namespace gclab {

void print_list(std::ostream& out);

// {schema_version, kind: "list", collectors, allocators, workloads: [{name,
// description, params: [{name, kind, default, help}]}], pairs: [{collector,
// allocator, fits, reason (when it does not fit)}]}.
nlohmann::ordered_json list_json();

}  // namespace gclab

#endif  // GCLAB_HARNESS_LIST_H_
