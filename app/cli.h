// The `dialtone` command line: sub-command dispatch, flag parsing and usage texts.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dialtone::app {

// Exit codes of the binary.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command could not run (data folder, port, …)
inline constexpr int kExitUsage = 2;    // bad flag, bad value, unknown sub-command

struct FlagSpec {
  std::string name;       // without "--"
  bool takes_value = true;
};

struct ParsedFlags {
  std::map<std::string, std::string> values;  // boolean flags map to "true"
  bool help = false;                          // --help or -h was given
};

// Parses `--name value`, `--name=value` and boolean `--name`. Errors (kInvalidArgument):
// an unknown flag, a missing value, a flag given twice, a positional argument.
Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs);

// Runs the binary; returns the process exit code. Writes results to stdout and one-line
// errors to stderr.
int RunCli(int argc, char** argv);

std::string_view MainUsage();
std::string_view ServeUsage();
std::string_view EventsTailUsage();
std::string_view ProjectionsRebuildUsage();

}  // namespace dialtone::app
