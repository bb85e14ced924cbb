#include "harness/environment.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <thread>

#include "harness/report_fields.h"

namespace gclab {
namespace {

bool is_commit_hash(const std::string& text) {
  if (text.size() != 40 && text.size() != 64) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Single quotes make any directory name one shell word.
std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}

std::string ask_git() {
  std::string command = "git";
  if (const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY")) {
    command += " -C " + shell_quote(workspace);
  }
  command += " rev-parse HEAD 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"),
                                             pclose);
  if (!pipe) return "";
  std::array<char, 128> buffer{};
  std::string output;
  while (std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) {
    output += buffer.data();
  }
  while (!output.empty() &&
         std::isspace(static_cast<unsigned char>(output.back()))) {
    output.pop_back();
  }
  return output;
}

std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

std::string build_mode() {
#if defined(GCLAB_BUILD_MODE_OPT)
  std::string mode = "opt";
#elif defined(GCLAB_BUILD_MODE_DBG)
  std::string mode = "dbg";
#else
  std::string mode = "fastbuild";
#endif
#if defined(__SANITIZE_ADDRESS__)
  mode += "+asan";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  mode += "+asan";
#endif
#endif
#if defined(__SANITIZE_THREAD__)
  mode += "+tsan";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  mode += "+tsan";
#endif
#endif
  return mode;
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (!line.starts_with("model name")) continue;
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    std::size_t start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "unknown" : line.substr(start);
  }
  return "unknown";
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

std::string git_commit() {
  if (const char* given = std::getenv("GCLAB_GIT_COMMIT")) {
    if (*given != '\0') return given;
  }
  std::string asked = ask_git();
  return is_commit_hash(asked) ? asked : "unknown";
}

nlohmann::ordered_json describe_environment() {
  return {
      {fields::environment::kGitCommit, git_commit()},
      {fields::environment::kCompiler, compiler()},
      {fields::environment::kBuildMode, build_mode()},
      {fields::environment::kCpuModel, cpu_model()},
      {fields::environment::kCores, std::thread::hardware_concurrency()},
      {fields::environment::kDate, utc_now()},
  };
}

}  // namespace gclab
