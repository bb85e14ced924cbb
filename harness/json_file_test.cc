#include "harness/json_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "heap/errors.h"

namespace gclab {
namespace {

std::filesystem::path test_directory(const char* name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::filesystem::path directory =
      std::filesystem::path(base != nullptr ? base : "/tmp") / name;
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

TEST(JsonFileTest, WritesTheWholeDocumentAndNoTemporary) {
  std::filesystem::path directory = test_directory("whole");
  std::string path = (directory / "out.json").string();
  nlohmann::ordered_json document = {{"b", 1}, {"a", {1, 2, 3}}};
  write_json_file(path, document);
  EXPECT_EQ(read_json_file(path), document);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(JsonFileTest, ReplacesAnOlderFile) {
  std::filesystem::path directory = test_directory("replace");
  std::string path = (directory / "out.json").string();
  std::ofstream(path) << "stale";
  write_json_file(path, {{"fresh", true}});
  EXPECT_EQ(read_json_file(path)["fresh"], true);
}

TEST(JsonFileTest, MissingDirectoryIsBadInput) {
  std::filesystem::path directory = test_directory("missing");
  std::string path = (directory / "no" / "out.json").string();
  EXPECT_THROW(check_output_path(path), ConfigError);
  EXPECT_THROW(write_json_file(path, {{"a", 1}}), ConfigError);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(JsonFileTest, DirectoryAsFileIsBadInput) {
  std::filesystem::path directory = test_directory("is_directory");
  EXPECT_THROW(check_output_path(directory.string()), ConfigError);
}

TEST(JsonFileTest, ReadingGarbageIsBadInput) {
  std::filesystem::path directory = test_directory("garbage");
  std::string path = (directory / "bad.json").string();
  std::ofstream(path) << "{not json";
  EXPECT_THROW(read_json_file(path), ConfigError);
  EXPECT_THROW(read_json_file((directory / "absent.json").string()),
               ConfigError);
}

}  // namespace
}  // namespace gclab
