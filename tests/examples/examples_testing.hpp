// Helpers of the tests that run the example programs: find a binary next to the test's build folder
// (<build>/tests/test_examples -> <build>/examples/<name>), run it, and read what it printed.
#pragma once
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
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

// Runs examples/<name> with `args`; FAILs with what to do when the binary is not built.
inline Run run_example(const std::string& name, const std::string& args = "") {
  const fs::path exe = example_path(name);
  if (!fs::exists(exe))
    FAIL("example '" << name << "' not found at " << exe.string() << "; build it first: cmake --build <build dir> "
                     << "--target " << name << " (the tests look for <build>/examples/<name> next to <build>/tests/)");
  Run run;
  FILE* pipe = popen(("'" + exe.string() + "' " + args + " 2>&1").c_str(), "r");
  if (pipe == nullptr) FAIL("could not start " << exe.string());
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;) run.out.append(buf.data(), n);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
