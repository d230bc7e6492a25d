// The grader's run and its reports: the text a student reads, Gradescope's results.json (score, tests[] with name,
// score, max_score, output, visibility) and a JUnit XML report for CI. Included by grading.hpp. docs/teaching.md.
#pragma once
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include "grading.hpp"

namespace grading {

// A JSON string literal: quotes, backslashes and control characters escaped; UTF-8 passes through.
inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

inline std::string xml_text(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t')
      out += c;
  }
  return out;
}

// Written to a temporary file and renamed, so a crash mid-write leaves no half report.
inline void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("grading: cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("grading: cannot rename " + tmp);
}

inline std::string results_json(const std::string& exercise, const std::vector<CheckResult>& results) {
  double score = 0;
  std::string tests;
  for (const CheckResult& r : results) {
    score += r.points;
    tests += std::string(tests.empty() ? "" : ",\n") + "    {\"name\": " + json_string(exercise + ": " + r.name) +
             ", \"score\": " + num(r.points) + ", \"max_score\": " + num(r.max_points) +
             ", \"status\": " + json_string(r.passed ? "passed" : "failed") +
             ", \"output\": " + json_string(r.passed ? "PASS" : r.output) +
             ", \"visibility\": " + json_string(r.visibility) + "}";
  }
  return "{\n  \"score\": " + num(score) +
         ",\n  \"visibility\": \"visible\",\n  \"stdout_visibility\": \"visible\",\n" + "  \"tests\": [\n" + tests +
         "\n  ]\n}\n";
}

inline std::string junit_xml(const std::string& exercise, const std::vector<CheckResult>& results) {
  int failures = 0;
  std::string cases;
  for (const CheckResult& r : results) {
    cases += "    <testcase classname=\"" + xml_text(exercise) + "\" name=\"" + xml_text(r.name) + "\" time=\"0\"";
    if (r.passed) {
      cases += "/>\n";
      continue;
    }
    ++failures;
    cases += ">\n      <failure message=\"" + xml_text(r.name) + "\">" + xml_text(r.output) + "</failure>\n" +
             "    </testcase>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"" + xml_text(exercise) +
         "\" tests=\"" + std::to_string(results.size()) + "\" failures=\"" + std::to_string(failures) + "\">\n" +
         cases + "  </testsuite>\n</testsuites>\n";
}

inline Grader::Grader(std::string title, int argc, char** argv)
    : title_(std::move(title)), exercise_(title_.substr(0, title_.find(':'))) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--json")
      json_path_ = argv[i + 1];
    else if (flag == "--junit")
      junit_path_ = argv[i + 1];
    else
      throw std::invalid_argument("grader: unknown option " + flag + " (the options are --json FILE, --junit FILE)");
  }
  if (argc % 2 == 0) throw std::invalid_argument("grader: an option without its FILE (--json FILE, --junit FILE)");
  std::printf("grading %s\n", title_.c_str());
}

inline void Grader::check(const std::string& identity, double points, const std::function<std::string()>& body,
                          const std::string& needs) {
  std::string why;
  try {
    why = body();
  } catch (const std::exception& e) {
    why = std::string("your code threw: ") + e.what();
    if (why.find("was not computed by a recorded op") != std::string::npos)
      why +=
          "\nhint: your result does not depend on the inputs through tg ops, so no gradient can reach them: "
          "compute it from the inputs with tg ops (not from their values, not from new tensors)";
  }
  for (std::size_t at = why.find('\n'); at != std::string::npos; at = why.find('\n', at + 7))
    why.replace(at, 1, "\n      ");  // every line of the message under the check it belongs to
  while (!why.empty() && (why.back() == ' ' || why.back() == '\n')) why.pop_back();
  for (const CheckResult& r : results_)
    if (why.empty() && r.name == needs && !r.passed)
      why = "this holds for yours, but it counts only once \"" + needs + "\" passes";
  const bool passed = why.empty();
  results_.push_back({identity, passed ? points : 0.0, points, passed, why, visibility_});
  if (passed)
    std::printf("  PASS  %s\n", identity.c_str());
  else
    std::printf("  FAIL  %s\n      %s\n", identity.c_str(), why.c_str());
  std::fflush(stdout);
}

inline int Grader::finish() {
  for (const Hidden::Entry& h : Hidden::all()) {
    if (h.exercise != exercise_) continue;
    visibility_ = h.visibility;
    h.checks(*this);
    visibility_ = "visible";
  }
  int failed = 0;
  double score = 0, max_score = 0;
  for (const CheckResult& r : results_) failed += r.passed ? 0 : 1, score += r.points, max_score += r.max_points;
  std::printf("%s: %d of %d checks passed, %s of %s points%s\n", exercise_.c_str(),
              static_cast<int>(results_.size()) - failed, static_cast<int>(results_.size()), num(score).c_str(),
              num(max_score).c_str(), failed ? "" : " -- full marks");
  if (!json_path_.empty()) write_file(json_path_, results_json(exercise_, results_));
  if (!junit_path_.empty()) write_file(junit_path_, junit_xml(exercise_, results_));
  if (perturbation() != 0.0 && loose_comparisons() > 0)
    std::fprintf(stderr, "tolerance: %d comparisons too loose\n", loose_comparisons());
  return failed;
}

}  // namespace grading
