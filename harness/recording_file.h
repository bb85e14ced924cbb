// The file gclab run --record-trace writes, whole or not at all as every
// result file (harness/json_file.h): the trace goes to FILE.tmp, renamed
// onto FILE only once the run succeeded and every byte was written; a run
// that fails removes it.
#ifndef GCLAB_HARNESS_RECORDING_FILE_H_
#define GCLAB_HARNESS_RECORDING_FILE_H_

#include <cstdio>
#include <string>

namespace gclab {

class RecordingFile {
 public:
  // Throws ConfigError when FILE.tmp cannot be created.
  explicit RecordingFile(std::string path);
  ~RecordingFile();
  RecordingFile(const RecordingFile&) = delete;
  RecordingFile& operator=(const RecordingFile&) = delete;

  std::FILE* stream() const { return stream_; }
  // Closes and renames; `written` says whether every write succeeded.
  // Throws ConfigError (and leaves no FILE.tmp) on failure.
  void commit(bool written);

 private:
  const std::string path_;
  const std::string temporary_;
  std::FILE* stream_;
};

}  // namespace gclab

#endif  // GCLAB_HARNESS_RECORDING_FILE_H_
