#include "harness/small_params.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

#include "harness/run_config.h"
#include "harness/runner.h"
#include "harness/selection.h"

namespace gclab::testing {

// GCBench at its small parameters, recorded once per test process under
// mark-sweep, for replay to run under every collector.
const std::string& recorded_trace() {
  static const std::string path = [] {
    const char* directory = std::getenv("TEST_TMPDIR");
    std::string trace =
        (std::filesystem::path(directory != nullptr ? directory : "/tmp") /
         "small-gcbench.trace")
            .string();
    RunConfig config{.collector = "mark-sweep",
                     .allocator = "size-class",
                     .workload = "gcbench",
                     .heap_bytes = 4 << 20,
                     .params = small_params("gcbench"),
                     .quiet = true};
    config.record_trace_path = trace;
    run_configuration(config, select_components(config));
    return trace;
  }();
  return path;
}

std::vector<ParamRequest> small_params(std::string_view workload) {
  auto param = [](std::string name, std::string value) {
    return ParamRequest{.name = std::move(name), .value = std::move(value)};
  };
  if (workload == "gcbench") {
    return {param("stretch-depth", "9"),   param("long-lived-depth", "7"),
            param("array-size", "3000"),   param("min-depth", "2"),
            param("max-depth", "8"),       param("holes", "256"),
            param("check-temp-trees", "1")};
  }
  if (workload == "binary-trees") return {param("max-depth", "8")};
  if (workload == "gcold") {
    return {param("live-size", "48K"),   param("tree-height", "6"),
            param("step-size", "32K"),   param("ratio", "4"),
            param("mutations", "40"),    param("steps", "10"),
            param("check-interval", "2")};
  }
  if (workload == "fragmentation") {
    return {param("objects", "5000"), param("large-count", "300")};
  }
  if (workload == "graph-churn") {
    return {param("nodes", "64"), param("operations", "3000"),
            param("garbage", "3"), param("hold", "16")};
  }
  if (workload == "leak") {
    return {param("requests", "2000"), param("working-set", "64")};
  }
  if (workload == "synthetic") {
    // Three in four objects outlive the run, so the table's 2100 slots
    // fill past its first chunk of 2048, and then die nearest first.
    return {param("objects", "3000"), param("live-limit", "2100"),
            param("lifetime", "generational"), param("long-fraction", "0.75"),
            param("lifetime-mean", "100")};
  }
  if (workload == "lru-cache") {
    return {param("requests", "3000"), param("capacity", "64"),
            param("value-size", "3")};
  }
  if (workload == "replay") return {param("trace", recorded_trace())};
  if (workload == "producer-consumer") {
    return {param("messages", "800"), param("message-size", "6"),
            param("payload", "24"), param("capacity", "8")};
  }
  ADD_FAILURE() << "no small parameters for workload " << workload
                << "; add them here so the matrix covers it";
  return {};
}

}  // namespace gclab::testing
