#include "harness/json_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "heap/errors.h"

namespace gclab {
namespace {

[[noreturn]] void throw_write_error(const std::string& path,
                                    const std::string& why) {
  throw ConfigError("cannot write " + path + ": " + why);
}

}  // namespace

void check_output_path(const std::string& path) {
  std::filesystem::path directory = std::filesystem::path(path).parent_path();
  if (directory.empty()) directory = ".";
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    throw_write_error(path, "no directory " + directory.string());
  }
  if (access(directory.c_str(), W_OK) != 0) {
    throw_write_error(path, std::strerror(errno));
  }
  if (std::filesystem::is_directory(path, error)) {
    throw_write_error(path, "it is a directory");
  }
}

void write_json_file(const std::string& path,
                     const nlohmann::ordered_json& document) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) throw_write_error(path, std::strerror(errno));
    out << document.dump(2) << '\n';
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw_write_error(path, "write failed");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    throw_write_error(path, why);
  }
}

nlohmann::ordered_json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in.is_open()) throw ConfigError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::ordered_json::parse(text.str());
  } catch (const nlohmann::ordered_json::parse_error& error) {
    throw ConfigError("bad JSON in " + path + ": " + error.what());
  }
}

}  // namespace gclab
