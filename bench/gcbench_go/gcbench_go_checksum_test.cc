// The Go GCBench checks what gclab's GCBench checks: the checksum it reports
// for its long-lived tree is the one workloads/gcbench.cc computes for an
// intact tree of the same depth (the same SplitMix64 chain in pre-order).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "workloads/gcbench.h"

namespace gclab {
namespace {

std::string go_binary;

// What the program prints on stdout for `arguments`.
std::string run_go_gcbench(const std::string& arguments) {
  std::string command = go_binary + " " + arguments;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"),
                                             pclose);
  if (pipe == nullptr) return "";
  std::string output;
  char buffer[4096];
  while (std::size_t got = std::fread(buffer, 1, sizeof buffer, pipe.get())) {
    output.append(buffer, got);
  }
  return output;
}

TEST(GcbenchGoTest, LongLivedTreeChecksumIsGclabs) {
  for (int depth : {0, 5, 8}) {
    std::string output = run_go_gcbench(
        "--stretch-depth=4 --min-depth=2 --max-depth=4 --array-size=10 "
        "--long-lived-depth=" +
        std::to_string(depth));
    auto report = nlohmann::json::parse(output, nullptr, false);
    ASSERT_TRUE(report.is_object()) << "no JSON report: " << output;
    const auto& tree = report["workload"]["long_lived_tree"];
    GcbenchTreeTally expected = gcbench_intact_tree_tally(depth);
    EXPECT_EQ(tree["nodes"], expected.nodes) << "depth " << depth;
    EXPECT_EQ(tree["checksum"], expected.checksum)
        << "depth " << depth << ": Go's checksum differs from gclab's";
  }
}

}  // namespace
}  // namespace gclab

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PATH_TO_GCBENCH_GO\n", argv[0]);
    return 2;
  }
  gclab::go_binary = argv[1];
  return RUN_ALL_TESTS();
}
