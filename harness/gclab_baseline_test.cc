// `compare --baseline boehm` with the real Boehm GCBench: the baseline is
// run the same interleaved way and becomes one more configuration.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/gclab_test_util.h"
#include "harness/json_file.h"

namespace gclab {
namespace {

using Json = nlohmann::ordered_json;

TEST(GclabBaselineTest, BoehmBaselineIsRunInterleavedAndTabulated) {
  ASSERT_EQ(testing::data_paths().size(), 1u)
      << "expected the Boehm GCBench path as the second argument";
  std::filesystem::path directory = testing::fresh_directory("baseline");
  std::string json = (directory / "compare.json").string();
  std::vector<std::string> args = {"compare",
                                   "--collectors=mark-sweep",
                                   "--allocators=free-list",
                                   "--workload=gcbench",
                                   "--heap=1M",
                                   "--repeat=2",
                                   "--baseline=boehm",
                                   "--json=" + json};
  for (std::string& param : testing::tiny_gcbench_params()) {
    args.push_back(param);
  }
  setenv("GCLAB_BOEHM_GCBENCH", testing::data_paths()[0].c_str(), 1);
  ChildOutcome outcome = testing::run_gclab(args);
  unsetenv("GCLAB_BOEHM_GCBENCH");
  ASSERT_TRUE(outcome.succeeded()) << outcome.stderr_text;

  const std::string& text = outcome.stdout_text;
  std::size_t second_gclab = text.find("[3/4] mark-sweep/free-list (repeat 2)");
  std::size_t first_boehm = text.find("[2/4] boehm (libgc) (repeat 1)");
  EXPECT_NE(first_boehm, std::string::npos) << text;
  EXPECT_LT(first_boehm, second_gclab) << "repeats must interleave:\n" << text;
  EXPECT_NE(text.find("\nboehm (libgc)"), std::string::npos)
      << "the baseline must be a row of the table:\n"
      << text;

  Json document = read_json_file(json);
  ASSERT_EQ(document["configs"].size(), 2u);
  const Json& baseline = document["configs"][1];
  EXPECT_EQ(baseline["baseline"], true);
  ASSERT_EQ(baseline["runs"].size(), 2u);
  EXPECT_EQ(
      baseline["runs"][0]["config"]["params"]["workload"]["stretch-depth"],
      "10")
      << "the baseline runs on the same workload parameters";
  EXPECT_TRUE(baseline["median"]["wall_ns"].is_number());
  EXPECT_TRUE(baseline["median"]["collections"].is_number());
}

}  // namespace
}  // namespace gclab
