// crash_writer as a child process of a Boost.Test case: started with fork/exec, its
// stdout read line by line with a timeout, killed with SIGKILL or waited for.
#pragma once

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#ifndef DIALTONE_CRASH_WRITER
#error "DIALTONE_CRASH_WRITER must name the crash_writer executable"
#endif

namespace dialtone::crash {

// A generous bound on any wait for the writer; only a hang reaches it.
inline constexpr int kLineTimeoutMs = 30'000;

// crash_writer as a child process whose stdout is read line by line.
class WriterProcess {
 public:
  explicit WriterProcess(const std::vector<std::string>& args) {
    int fds[2];
    BOOST_REQUIRE_MESSAGE(::pipe2(fds, O_CLOEXEC) == 0, "pipe failed: " << std::strerror(errno));
    std::vector<std::string> argv_storage = {DIALTONE_CRASH_WRITER};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    BOOST_REQUIRE_MESSAGE(pid_ >= 0, "fork failed: " << std::strerror(errno));
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~WriterProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    if (out_ >= 0) ::close(out_);
  }

  // The next line without its newline; nullopt at end of output. Fails the test when no
  // line arrives within kLineTimeoutMs.
  std::optional<std::string> ReadLine() {
    for (;;) {
      const size_t newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      if (eof_) {
        BOOST_CHECK_MESSAGE(buffer_.empty(), "writer output ends in a torn line: " << buffer_);
        return std::nullopt;
      }
      pollfd p{out_, POLLIN, 0};
      const int ready = ::poll(&p, 1, kLineTimeoutMs);
      if (ready < 0 && errno == EINTR) continue;
      BOOST_REQUIRE_MESSAGE(ready > 0,
                            "crash_writer printed nothing for " << kLineTimeoutMs << " ms");
      char chunk[4096];
      const ssize_t n = ::read(out_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      BOOST_REQUIRE_MESSAGE(n >= 0,
                            "reading crash_writer's output failed: " << std::strerror(errno));
      if (n == 0) {
        eof_ = true;
      } else {
        buffer_.append(chunk, static_cast<size_t>(n));
      }
    }
  }

  // Sends SIGKILL, reaps the child, then collects the lines it printed before dying.
  std::vector<std::string> KillAndDrain() {
    BOOST_REQUIRE(::kill(pid_, SIGKILL) == 0);
    const int status = Wait();
    BOOST_REQUIRE_MESSAGE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                          "crash_writer ended before it was killed (status " << status << ")");
    std::vector<std::string> rest;
    while (auto line = ReadLine()) rest.push_back(*line);
    return rest;
  }

  // Reads to the end of output and returns the exit status.
  int Finish(std::vector<std::string>* lines) {
    while (auto line = ReadLine()) lines->push_back(*line);
    return Wait();
  }

 private:
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace dialtone::crash
