#include "harness/gclab_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

namespace gclab::testing {
namespace {

std::string& binary_path() {
  static std::string path;
  return path;
}

std::vector<std::string>& extra_paths() {
  static std::vector<std::string> paths;
  return paths;
}

}  // namespace

ChildOutcome run_gclab(const std::vector<std::string>& args) {
  return run_child(binary_path(), args);
}

const std::vector<std::string>& data_paths() { return extra_paths(); }

std::filesystem::path fresh_directory(std::string_view name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::filesystem::path directory =
      std::filesystem::path(base != nullptr ? base : "/tmp") / name;
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

std::vector<std::string> tiny_gcbench_params() {
  return {"--param=stretch-depth=10", "--param=long-lived-depth=8",
          "--param=array-size=1000", "--param=min-depth=4",
          "--param=max-depth=8"};
}

}  // namespace gclab::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::cerr << "usage: " << argv[0]
              << " PATH_TO_GCLAB [DATA_PATH...] [gtest flags]\n";
    return 2;
  }
  gclab::testing::binary_path() = argv[1];
  for (int i = 2; i < argc; ++i)
    gclab::testing::extra_paths().push_back(argv[i]);
  // The runs under test must not see a baseline from the caller's shell.
  unsetenv("GCLAB_BOEHM_GCBENCH");
  unsetenv("GCLAB_GO_GCBENCH");
  return RUN_ALL_TESTS();
}
