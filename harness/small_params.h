// The small parameters every workload runs at in the test suites that run
// them all (the collector matrix, record and replay): small enough for the
// sanitizer builds, large enough for several collections of each kind.
#ifndef GCLAB_HARNESS_SMALL_PARAMS_H_
#define GCLAB_HARNESS_SMALL_PARAMS_H_

#include <string>
#include <string_view>
#include <vector>

#include "harness/run_config.h"

namespace gclab::testing {

// Fails the calling test (ADD_FAILURE) for a workload it does not know.
std::vector<ParamRequest> small_params(std::string_view workload);

// A trace of GCBench at its small parameters, recorded on first use.
const std::string& recorded_trace();

}  // namespace gclab::testing

#endif  // GCLAB_HARNESS_SMALL_PARAMS_H_
