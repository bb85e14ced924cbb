#include "harness/subprocess.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

namespace gclab {
namespace {

std::string temporary_directory() {
  const char* directory = std::getenv("TMPDIR");
  return directory != nullptr && *directory != '\0' ? directory : "/tmp";
}

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// An unlinked temporary file: it vanishes when the descriptor is closed.
class AnonymousFile {
 public:
  AnonymousFile() {
    std::string pattern = temporary_directory() + "/gclab-output-XXXXXX";
    fd_ = mkstemp(pattern.data());
    if (fd_ < 0) throw_errno("cannot create a temporary file in " + pattern);
    unlink(pattern.c_str());
  }
  ~AnonymousFile() { close(fd_); }
  AnonymousFile(const AnonymousFile&) = delete;
  AnonymousFile& operator=(const AnonymousFile&) = delete;

  int fd() const { return fd_; }

  std::string contents() const {
    std::string text;
    char buffer[4096];
    for (off_t offset = 0;;) {
      ssize_t got = pread(fd_, buffer, sizeof buffer, offset);
      if (got <= 0) break;
      text.append(buffer, static_cast<std::size_t>(got));
      offset += got;
    }
    return text;
  }

 private:
  int fd_;
};

}  // namespace

std::string ChildOutcome::status() const {
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit status " + std::to_string(exit_code);
}

ChildOutcome run_child(const std::string& program,
                       std::span<const std::string> args) {
  AnonymousFile out;
  AnonymousFile err;
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> argv;
  std::string program_copy = program;
  std::vector<std::string> arg_copies(args.begin(), args.end());
  argv.push_back(program_copy.data());
  for (std::string& arg : arg_copies) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);

  pid_t pid = fork();
  if (pid < 0) throw_errno("cannot fork");
  if (pid == 0) {
    if (dup2(out.fd(), STDOUT_FILENO) < 0 ||
        dup2(err.fd(), STDERR_FILENO) < 0) {
      _exit(127);
    }
    execv(program_copy.c_str(), argv.data());
    static constexpr char kExecFailed[] = "cannot execute the program\n";
    ssize_t ignored = write(STDERR_FILENO, kExecFailed, sizeof kExecFailed - 1);
    (void)ignored;
    _exit(127);
  }
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0) {
    if (errno != EINTR) throw_errno("cannot wait for " + program);
  }
  ChildOutcome outcome;
  if (WIFSIGNALED(wait_status)) {
    outcome.signal = WTERMSIG(wait_status);
  } else {
    outcome.exit_code = WEXITSTATUS(wait_status);
  }
  outcome.stdout_text = out.contents();
  outcome.stderr_text = err.contents();
  return outcome;
}

TemporaryPath::TemporaryPath(std::string_view stem) {
  std::string pattern =
      temporary_directory() + "/" + std::string(stem) + "-XXXXXX";
  int fd = mkstemp(pattern.data());
  if (fd < 0) throw_errno("cannot create a temporary file in " + pattern);
  close(fd);
  path_ = pattern;
}

TemporaryPath::~TemporaryPath() {
  std::remove((path_ + ".tmp").c_str());
  std::remove(path_.c_str());
}

}  // namespace gclab
