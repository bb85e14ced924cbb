// For tests that run the real gclab binary, as a user would. The binary is
// a data dependency whose path each test receives as its first argument
// (`args = ["$(rootpath :gclab)"]`); this library's main() takes it from
// there and then runs the tests.
#ifndef GCLAB_HARNESS_GCLAB_TEST_UTIL_H_
#define GCLAB_HARNESS_GCLAB_TEST_UTIL_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/subprocess.h"

namespace gclab::testing {

ChildOutcome run_gclab(const std::vector<std::string>& args);

// An empty directory under $TEST_TMPDIR, made anew on each call.
// Further paths the test target passes after the gclab binary (other
// binaries it needs, say).
const std::vector<std::string>& data_paths();

std::filesystem::path fresh_directory(std::string_view name);

// Parameters that make GCBench finish in milliseconds.
std::vector<std::string> tiny_gcbench_params();

}  // namespace gclab::testing

#endif  // GCLAB_HARNESS_GCLAB_TEST_UTIL_H_
