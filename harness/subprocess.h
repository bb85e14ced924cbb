// Runs a program in a fresh process and collects what it printed.
//
// `compare` runs every measurement in its own process (fork + exec), so that
// no run inherits another's heap, page faults, allocator state or JIT-like
// warm-up. The child's stdout and stderr go to anonymous temporary files
// (unlinked at once, so nothing is left behind) rather than pipes, so a
// chatty child can never block on a full pipe while the parent waits.
#ifndef GCLAB_HARNESS_SUBPROCESS_H_
#define GCLAB_HARNESS_SUBPROCESS_H_

#include <span>
#include <string>
#include <string_view>

namespace gclab {

struct ChildOutcome {
  int exit_code = 0;  // meaningful when signal == 0
  int signal = 0;     // the signal that ended the child, or 0
  std::string stdout_text;
  std::string stderr_text;

  bool succeeded() const { return signal == 0 && exit_code == 0; }
  // "exit status 2" or "killed by signal 6".
  std::string status() const;
};

// Throws std::system_error when the process cannot be started at all; a
// program that cannot be executed shows as exit status 127.
ChildOutcome run_child(const std::string& program,
                       std::span<const std::string> args);

// A file name in $TMPDIR (or /tmp) that exists (empty) for the object's
// lifetime and is removed, together with NAME.tmp, at its end.
class TemporaryPath {
 public:
  explicit TemporaryPath(std::string_view stem);
  ~TemporaryPath();
  TemporaryPath(const TemporaryPath&) = delete;
  TemporaryPath& operator=(const TemporaryPath&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace gclab

#endif  // GCLAB_HARNESS_SUBPROCESS_H_
