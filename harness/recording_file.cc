#include "harness/recording_file.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "heap/errors.h"

namespace gclab {
namespace {

[[noreturn]] void throw_write_error(const std::string& path,
                                    const std::string& why) {
  throw ConfigError("cannot write " + path + ": " + why);
}

}  // namespace

RecordingFile::RecordingFile(std::string path)
    : path_(std::move(path)),
      temporary_(path_ + ".tmp"),
      stream_(std::fopen(temporary_.c_str(), "wb")) {
  if (stream_ == nullptr) throw_write_error(path_, std::strerror(errno));
}

RecordingFile::~RecordingFile() {
  if (stream_ == nullptr) return;
  std::fclose(stream_);
  std::remove(temporary_.c_str());
}

void RecordingFile::commit(bool written) {
  bool closed = std::fclose(std::exchange(stream_, nullptr)) == 0;
  if (!written || !closed) {
    std::remove(temporary_.c_str());
    throw_write_error(path_, "write failed");
  }
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(temporary_.c_str());
    throw_write_error(path_, why);
  }
}

}  // namespace gclab
