// Where a run came from: the report's `environment` block.
//
//   git_commit  $GCLAB_GIT_COMMIT if set, else `git rev-parse HEAD` in the
//               workspace (Bazel's $BUILD_WORKSPACE_DIRECTORY under `bazel
//               run`, else the working directory), else "unknown"
//   compiler    "gcc 12.2.0" or "clang 14.0.6"
//   build_mode  Bazel's compilation mode (opt, fastbuild, dbg), with
//               "+asan" / "+tsan" appended when built with a sanitizer
//   cpu_model   the first "model name" of /proc/cpuinfo, or "unknown"
//   cores       std::thread::hardware_concurrency()
//   date        now, UTC, ISO 8601 ("2024-05-01T12:00:00Z")
#ifndef GCLAB_HARNESS_ENVIRONMENT_H_
#define GCLAB_HARNESS_ENVIRONMENT_H_

#include <nlohmann/json.hpp>
#include <string>

namespace gclab {

nlohmann::ordered_json describe_environment();

// The commit as described above; `compare` computes it once and hands it to
// every run it starts through $GCLAB_GIT_COMMIT.
std::string git_commit();

}  // namespace gclab

#endif  // GCLAB_HARNESS_ENVIRONMENT_H_
