// `gclab list`: every collector, allocator and workload with its one-line
// description and its parameters (straight from each component's ParamSpec
// table, so the listing cannot disagree with the parser), then which
// collector x allocator pairs fit and, for those that do not, why.
#ifndef GCLAB_HARNESS_LIST_H_
#define GCLAB_HARNESS_LIST_H_

#include <ostream>

namespace gclab {

void print_list(std::ostream& out);

}  // namespace gclab

#endif  // GCLAB_HARNESS_LIST_H_
