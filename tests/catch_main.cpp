// The one translation unit that compiles Catch2's runner; every tests/<folder>/*.cpp links against it.
// Besides Catch2's own options, `--tg-ctest-script EXE OUT LABEL WORKDIR` writes the CTest script that makes every
// test case its own CTest test (cmake/tg_discover_tests.cmake calls it after each build). It is written here, in
// C++, because a test name may hold any character: CMake lists would split names at ';' and group them at '['.
#define CATCH_CONFIG_RUNNER
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <string_view>

namespace {

// A bracket argument [==[s]==] with enough '=' that s cannot close it early.
std::string bracket(const std::string& s) {
  std::string eq = "=";
  while (s.find("]" + eq + "]") != std::string::npos || s.ends_with("]" + eq)) eq += "=";
  return "[" + eq + "[" + s + "]" + eq + "]";
}

// A Catch2 test spec that matches exactly the test case called `name`: the characters Catch2 (and CMake's list
// splitting) would read as syntax are escaped with '\\', which Catch2 drops before matching.
std::string exact_filter(const std::string& name) {
  std::string f;
  for (char c : name) {
    if (std::string_view("\\,[]\"~;*").find(c) != std::string_view::npos) f += '\\';
    f += c;
  }
  return f;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

int write_ctest_script(const std::string& exe, const std::string& out, const std::string& label,
                       const std::string& workdir) {
  std::string script;
  std::set<std::string> seen;
  for (const Catch::TestCase& t : Catch::getRegistryHub().getTestCaseRegistry().getAllTests()) {
    if (t.isHidden()) continue;
    const std::string& name = t.name;
    // Catch2 matches names case-insensitively and treats a leading or trailing '*' as a wildcard, escaped or not:
    // such a name would select more than its own test case.
    if (!seen.insert(lower(name)).second || name.starts_with('*') || name.ends_with('*') ||
        name.starts_with("exclude:") || name.find('\n') != std::string::npos) {
      std::cerr << "tg-ctest-script: test case \"" << name << "\" (" << t.lineInfo.file << ":" << t.lineInfo.line
                << ") cannot be selected on its own: names must differ in more than letter case, and must not "
                   "begin or end with '*', begin with 'exclude:' or hold a newline\n";
      return 1;
    }
    std::set<std::string> tags{label};
    for (const std::string& tag : t.tags)
      if (!tag.empty() && tag[0] != '.' && tag[0] != '!') tags.insert(tag);
    std::string labels;
    for (const std::string& tag : tags) labels += (labels.empty() ? "" : ";") + tag;
    script += "add_test(" + bracket(name) + " " + bracket(exe) + " " + bracket(exact_filter(name)) +
              " -w NoTests)\nset_tests_properties(" + bracket(name) + " PROPERTIES LABELS " + bracket(labels) +
              " WORKING_DIRECTORY " + bracket(workdir) + ")\n";
  }
  std::ofstream f(out, std::ios::binary);
  f << script;
  if (!f.flush()) {
    std::cerr << "tg-ctest-script: cannot write " << out << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 6 && std::string(argv[1]) == "--tg-ctest-script")
    return write_ctest_script(argv[2], argv[3], argv[4], argv[5]);
  return Catch::Session().run(argc, argv);
}
