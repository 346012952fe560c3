// Runs the built `dialtone` binary as a child process for black-box tests: stdout is a
// pipe read line by line with deadlines, stderr goes to a file. Every wait is bounded;
// a child still running when its ChildProcess is destroyed is killed (SIGKILL).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dialtone::testing {

inline constexpr std::chrono::seconds kProcessTimeout{30};

class ChildProcess {
 public:
  // Starts `binary args…`. The child's environment is ours without any DIALTONE_*
  // variable, plus `env`. Its stderr is written to `stderr_path`.
  ChildProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env, const std::string& stderr_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // The next line of stdout (without '\n'); nullopt at EOF or when the deadline passes.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout = kProcessTimeout);
  // Reads lines until one contains `needle` (returned); the lines before it are appended
  // to `skipped` when given. nullopt at EOF or timeout.
  std::optional<std::string> ReadLineContaining(const std::string& needle,
                                                std::vector<std::string>* skipped = nullptr,
                                                std::chrono::milliseconds timeout = kProcessTimeout);
  // Everything left on stdout until EOF (bounded by `timeout`).
  std::string ReadAllStdout(std::chrono::milliseconds timeout = kProcessTimeout);

  void Signal(int signal_number);
  // The exit code once the child exits within `timeout`; -1000 - signal when it was
  // killed by a signal; nullopt when it is still running.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout = kProcessTimeout);
  bool running();
  // The child's stderr so far.
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int stdout_fd_ = -1;
  std::string stdout_buffer_;
  bool stdout_eof_ = false;
  std::optional<int> exit_code_;
  std::string stderr_path_;
};

// Runs `binary args…` to completion (bounded) and returns exit code, stdout, stderr.
struct RunResult {
  std::optional<int> exit_code;  // nullopt: it did not exit in time (it was killed)
  std::string out;
  std::string err;
};
RunResult RunToCompletion(const std::string& binary, const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env, const std::string& stderr_path);

// Lines of `text` without trailing newline, empty last line dropped.
std::vector<std::string> SplitLines(const std::string& text);

}  // namespace dialtone::testing
