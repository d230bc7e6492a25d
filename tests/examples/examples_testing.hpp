// Helpers of the tests that run the example programs: find a binary next to the test's build folder
// (<build>/tests/test_examples -> <build>/examples/<name>), run it within a time limit, and read what it printed.
#pragma once
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace tgtest {

struct Run {
  std::string out;  // stdout and stderr together
  int status = -1;  // exit code
};

inline fs::path example_path(const std::string& name) {
  const fs::path self = fs::read_symlink("/proc/self/exe");  // <build>/tests/test_examples
  return (self.parent_path() / ".." / "examples" / name).lexically_normal();
}

// Runs `command` (a shell command line) with its stdout and stderr in `log`, for at most `limit_s` seconds: past
// that it is killed, and the run's status is -2. A run that hangs (a deadlock in the thread pool, a slow-down of
// a hundred times in a kernel) then fails its test in seconds instead of at CTest's timeout.
inline int run_bounded(const std::string& command, const fs::path& log, double limit_s) {
  const std::string line = "exec " + command + " > '" + log.string() + "' 2>&1";
  const char* argv[] = {"sh", "-c", line.c_str(), nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(limit_s);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -2;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Every example run of the tests has this limit: the programs the tests run take a few seconds at most.
inline constexpr double run_limit_s = 120;

// Runs examples/<name> with `args`; FAILs with what to do when the binary is not built, and FAILs naming the limit
// when the run takes longer than `limit_s` seconds.
inline Run run_example(const std::string& name, const std::string& args = "", double limit_s = run_limit_s) {
  const fs::path exe = example_path(name);
  if (!fs::exists(exe))
    FAIL("example '" << name << "' not found at " << exe.string() << "; build it first: cmake --build <build dir> "
                     << "--target " << name << " (the tests look for <build>/examples/<name> next to <build>/tests/)");
  static int runs = 0;
  const fs::path log =
      fs::temp_directory_path() / ("tg_example_" + std::to_string(::getpid()) + "_" + std::to_string(runs++) + ".log");
  Run run;
  run.status = run_bounded("'" + exe.string() + "' " + args, log, limit_s);
  std::ifstream in(log, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  run.out = text.str();
  fs::remove(log);
  if (run.status == -2)
    FAIL(name << " " << args << " ran past its limit of " << limit_s << " s and was killed (a hang, or training "
              << "far slower than it should be); its output:\n"
              << run.out);
  return run;
}

inline bool has(const Run& r, const std::string& line) { return r.out.find(line) != std::string::npos; }

// The rows of a printed table whose first column is one of `keys`: key -> the number in column `col` (0 = key).
inline std::map<long, double> table(const Run& r, const std::vector<long>& keys, int col) {
  std::map<long, double> rows;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    long key = 0;
    if (!(words >> key) || std::find(keys.begin(), keys.end(), key) == keys.end() || rows.count(key)) continue;
    double v = 0;
    bool ok = true;
    for (int c = 1; c <= col && ok; ++c) ok = static_cast<bool>(words >> v);
    if (ok) rows[key] = v;
  }
  return rows;
}

// The number right after `prefix` on the first line that contains it.
inline double number_after(const Run& r, const std::string& prefix) {
  const auto at = r.out.find(prefix);
  if (at == std::string::npos) FAIL("no '" << prefix << "' in the output");
  return std::stod(r.out.substr(at + prefix.size()));
}

}  // namespace tgtest
