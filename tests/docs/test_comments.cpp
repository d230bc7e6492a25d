// The comment lint: what a comment says about the repository is true. It reads the comments (scan.hpp's
// comments_of) of every tracked .cpp, .hpp, .py, .sh, .cmake and CMakeLists.txt file, and for rule 2 the prose of
// the doc pages too. Each rule is a test case tagged [docs][comments]; each error names file:line and what is wrong.
//
//   1. A file a comment names exists. A word ending in an extension of the project's own files (.cpp .hpp .py .sh
//      .cmake .md, or the name CMakeLists.txt) names a file. With a '/' it is a path: a tracked file (or
//      folder) from the repository's root or from the comment's folder, or the end of a tracked path
//      ("io/gzip.cpp" for nn/io/gzip.cpp); bare, it is the name of some tracked file. A path that starts with a
//      top-level folder and has no extension ("bench/ulp_error", "examples/pictures/png", "tests/autodiff/") is a
//      tracked folder or a tracked file less its extension; a glob ("tests/vae/test_vae_*.cpp") matches a tracked file.
//      A path cut at a '/' by the end of a comment line goes on at the start of the next. Not checked: URLs, build
//      trees ("build/..."), absolute and home paths, a "../" path that leaves the repository (relative to a build
//      folder), names with a placeholder in capitals ("YOUR_FILE.cpp") or built from variables, and .h, .c, .txt or
//      .json names (system headers, other projects' files, data and output files).
//   2. A file:line reference names what is on that line, in one of two forms: "FILE.cpp:123 (name)", or "name at
//      FILE.cpp:123" (a range FILE.cpp:120-130 too; the name may be `backticked`, qualified, or end in "()"). The
//      name's last identifier must stand on the line or within 2 lines of it. A file:line with nothing named is
//      refused: better still, name the function and leave the line number out, which goes stale with the next
//      edit above it. Inside "double quotes" in a comment a file:line is a program's output (a format), not a
//      reference, and so is one in a fenced block of a doc page. Doc pages (every .md under docs/ and every
//      README.md) are held to the same rule in their text, with the name in backticks: `name` at `FILE.cpp:123`.
//   3. The ulp bounds of exp, log, log1p, expm1, tanh, sigmoid and softplus agree between the header
//      (autodiff/runtime/simd_math.hpp, and autodiff/runtime/kernels.hpp's summary), the docs (docs/kernels.md) and the
//      test (tests/autodiff/test_simd_kernels.cpp). Two bounds, per function and dtype:
//        - to the plain twin: the test's twin_ulp equals the bound that docs/kernels.md states in words ("within N
//          ulp of its twin except **f, M ulp**") and the one in kernels.hpp ("within N ulp of the twin's ...,
//          M for f"); the largest of them over the functions equals simd_math.hpp's summary ("float32 <= N ulp,
//          float64 <= N ulp"); the measured fast-twin column of the docs' table is within the bound;
//        - to the correctly rounded value: the test's exact_ulp (with FMA) equals the docs table's fast-exact
//          column, and its no_fma_ulp equals that column with the docs' exceptions without FMA ("except that f is
//          within N ulp of the correctly rounded value"); each function's "Bound: N ulp" in simd_math.hpp is the
//          larger of the two (the bound on any build).
//   4. A comment explains the code as it is, never its history: a short list of phrases that narrate a change
//      (see history_phrases below) is refused in code comments. Quoted ("...") and `backticked` text is a mention,
//      not narration. An explanation that needs such a phrase goes in the allow-list with its file and words; an
//      entry that matches no comment fails, so that the list stays short.
// Two more test cases hold the scanner and the rules' matchers to planted comments, good and bad.
//
// Run: build/test/tests/test_docs "[comments]". TG_LINT_ROOT=DIR runs the rules on another checkout (a branch's
// worktree, or a copy with a planted error) instead of this source tree.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "docs/scan.hpp"

using namespace tg::docs;

namespace {

fs::path lint_root() {
  const char* env = std::getenv("TG_LINT_ROOT");
  return env != nullptr && *env != '\0' ? fs::path(env) : fs::path(TG_SOURCE_DIR);
}

constexpr std::size_t npos = std::string::npos;

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool path_char(char c) { return ident_char(c) || c == '.' || c == '/' || c == '-' || c == '*'; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string list(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += "\n  " + x;
  return s.empty() ? " (none)" : s;
}

std::string at(const std::string& file, std::size_t line) { return file + ":" + std::to_string(line); }

// The repository as the rules see it: its tracked files, their folders and their names, read once.
struct Repo {
  fs::path root;
  std::vector<std::string> files;  // relative paths
  std::set<std::string> file_set, dirs, basenames, stems, top_dirs;
};

const Repo& repo() {
  static const Repo r = [] {
    Repo r;
    r.root = lint_root();
    r.files = tracked_files(r.root);
    for (const std::string& f : r.files) {
      r.file_set.insert(f);
      r.basenames.insert(fs::path(f).filename().string());
      r.stems.insert(f.substr(0, f.size() - fs::path(f).extension().string().size()));
      for (std::size_t s = f.find('/'); s != std::string::npos; s = f.find('/', s + 1)) r.dirs.insert(f.substr(0, s));
      if (f.find('/') != std::string::npos) r.top_dirs.insert(f.substr(0, f.find('/')));
    }
    return r;
  }();
  return r;
}

bool is_source(const std::string& f) {
  const std::string ext = fs::path(f).extension().string();
  return ext == ".cpp" || ext == ".hpp" || ext == ".py" || ext == ".sh" || ext == ".cmake" ||
         fs::path(f).filename() == "CMakeLists.txt";
}

// The doc pages: every tracked .md under docs/, and every README.md.
bool is_page(const std::string& f) {
  return (f.rfind("docs/", 0) == 0 && f.ends_with(".md")) || fs::path(f).filename() == "README.md";
}

// A run of comment lines on consecutive lines, joined with '\n', with the line each character is on.
struct Comment {
  std::string file;
  std::size_t first_line = 0;
  std::string text;
  std::size_t line_at(std::size_t pos) const { return first_line + line_of(text, pos) - 1; }
};

std::vector<Comment> comments_of_file(const std::string& rel) {
  std::vector<Comment> out;
  for (const CommentLine& c : comments_of(rel, read_text(repo().root / rel))) {
    const bool goes_on =
        !out.empty() && out.back().first_line + line_of(out.back().text, out.back().text.size()) == c.line;
    if (goes_on) {
      out.back().text += "\n" + c.text;
    } else {
      out.push_back({rel, c.line, c.text});
    }
  }
  return out;
}

// s with the text between double quotes (on one line) blanked, and with `backticks` between backticks too: a
// quotation, a mention. Positions are kept.
std::string without_quotes(const std::string& s, bool backticks) {
  std::string out = s;
  bool in = false, tick = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n') in = tick = false;
    const bool quote = s[i] == '"', bt = backticks && s[i] == '`';
    if (quote && !tick) in = !in;
    if (bt && !in) tick = !tick;
    if ((in || tick) && !quote && !bt && s[i] != '\n') out[i] = ' ';
  }
  return out;
}

// ---- rule 1: the files a comment names ----------------------------------------------------------------------

const std::set<std::string> file_extensions = {".cpp", ".hpp", ".py", ".sh", ".cmake", ".md"};

struct Word {
  std::string text;
  std::size_t pos;  // in the comment
};

// The path-like words of a comment: runs of [A-Za-z0-9_./*-], without a trailing '.' or '-'. A word that ends in
// '/' at the end of a line goes on with the first word of the next line.
std::vector<Word> path_words(const std::string& s) {
  std::vector<Word> out;
  for (std::size_t i = 0; i < s.size();) {
    if (!path_char(s[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && path_char(s[j])) ++j;
    std::string w = s.substr(i, j - i);
    if (w.back() == '/' && j < s.size() && s[j] == '\n') {
      std::size_t k = j + 1;
      while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) ++k;
      std::size_t e = k;
      while (e < s.size() && path_char(s[e])) ++e;
      w += s.substr(k, e - k);
      j = e;
    }
    while (!w.empty() && (w.back() == '.' || w.back() == '-')) w.pop_back();
    if (!w.empty()) out.push_back({w, i});
    i = j;
  }
  return out;
}

// A placeholder: a segment (up to its first '.') of two or more capitals or '_' ("NAME.cpp", "YOUR_FILE.cpp").
bool has_placeholder(const std::string& path) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = path.find('/', start);
    std::string seg = path.substr(start, end - start);
    seg = seg.substr(0, seg.find('.'));
    if (seg.size() >= 2 && std::all_of(seg.begin(), seg.end(), [](char c) { return std::isupper(c) || c == '_'; }))
      return true;
    if (end == std::string::npos) return false;
    start = end + 1;
  }
}

bool glob_match(const char* pat, const char* s) {
  if (*pat == '\0') return *s == '\0';
  if (*pat == '*') return glob_match(pat + 1, s) || (*s != '\0' && *s != '/' && glob_match(pat, s + 1));
  return *s == *pat && glob_match(pat + 1, s + 1);
}

bool names_file(const std::string& w) {
  const fs::path p(w);
  return (file_extensions.count(p.extension().string()) && !p.stem().string().empty()) ||
         p.filename() == "CMakeLists.txt";
}

// The tracked files that the path w, written in a comment of the file `from`, can mean: from the root, from the
// comment's folder, or the end of a tracked path. Globs match with '*'.
std::vector<std::string> resolve(const std::string& w, const std::string& from) {
  const Repo& r = repo();
  std::string p = w.rfind("./", 0) == 0 ? w.substr(2) : w;
  const std::string local = (fs::path(from).parent_path() / p).lexically_normal().generic_string();
  std::vector<std::string> out;
  for (const std::string& f : r.files) {
    const bool bare = p.find('/') == std::string::npos;
    const std::string tail = bare ? fs::path(f).filename().string() : f;
    if (glob_match(p.c_str(), tail.c_str()) || f == local ||
        (!bare && f.size() > p.size() && f[f.size() - p.size() - 1] == '/' &&
         glob_match(p.c_str(), f.c_str() + f.size() - p.size())))
      out.push_back(f);
  }
  return out;
}

// The reason the word w of a comment in `from` names no file of the repository; empty if it is fine or not a path.
std::string missing_file(const std::string& w, const std::string& from) {
  const Repo& r = repo();
  if (w.empty() || w[0] == '/' || (w[0] == '.' && w.rfind("./", 0) != 0 && w.rfind("../", 0) != 0)) return "";
  if (has_placeholder(w) || w.rfind("build", 0) == 0) return "";
  if (w.rfind("../", 0) == 0) {  // relative to the comment's folder, or to something outside the repository
    const std::string p = (fs::path(from).parent_path() / w).lexically_normal().generic_string();
    if (p.rfind("..", 0) == 0) return "";
  }
  const std::string first = w.substr(0, w.find('/'));
  if (names_file(w)) {
    if (!resolve(w, from).empty()) return "";
    if (w.find('/') == std::string::npos) return "no tracked file is named " + w;
    return "no tracked file has the path " + w +
           (r.basenames.count(fs::path(w).filename().string()) ? " (a file of that name is elsewhere)" : "");
  }
  if (w.find('/') == std::string::npos || !r.top_dirs.count(first) || w.find('*') != std::string::npos) return "";
  std::string d = w;
  while (!d.empty() && d.back() == '/') d.pop_back();
  const std::string last = d.substr(d.rfind('/') + 1);
  if (last.size() < 3 || fs::path(d).has_extension()) return "";  // "examples/s", a data file
  if (r.dirs.count(d) || r.stems.count(d) || r.file_set.count(d)) return "";
  return "no tracked folder or file is " + w;
}

}  // namespace

TEST_CASE("comment lint: every file a comment names exists (rule 1)", "[docs][comments]") {
  std::vector<std::string> errors;
  std::size_t n_files = 0, n_names = 0;
  for (const std::string& rel : repo().files) {
    if (!is_source(rel)) continue;
    ++n_files;
    for (const Comment& c : comments_of_file(rel)) {
      for (const Word& w : path_words(c.text)) {
        const char before = w.pos > 0 ? c.text[w.pos - 1] : ' ';
        if (std::string_view("{}<>$@%:~").find(before) != std::string_view::npos) continue;  // built or a URL
        if (names_file(w.text)) ++n_names;
        const std::string why = missing_file(w.text, rel);
        if (!why.empty()) errors.push_back(at(rel, c.line_at(w.pos)) + ": " + why);
      }
    }
  }
  INFO("source files: " << n_files << ", file names in comments: " << n_names);
  CHECK(n_files >= 200);
  CHECK(n_names >= 100);
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

namespace {

// ---- rule 2: file:line names what is there ---------------------------------------------------------------------

struct LineRef {
  std::string file;         // as written
  std::size_t first, last;  // the line or range
  std::size_t begin, end;   // of "file:N" in the text
};

// The file:N and file:N-M references of a text, the file being a word that names_file accepts.
std::vector<LineRef> line_refs(const std::string& s) {
  std::vector<LineRef> out;
  for (const Word& w : path_words(s)) {
    const std::size_t colon = w.pos + w.text.size();
    if (!names_file(w.text) || colon + 1 >= s.size() || s[colon] != ':' ||
        !std::isdigit(static_cast<unsigned char>(s[colon + 1])))
      continue;
    if (w.text.find('\n') != std::string::npos || s.compare(w.pos, w.text.size(), w.text) != 0) continue;
    std::size_t e = colon + 1;
    while (e < s.size() && std::isdigit(static_cast<unsigned char>(s[e]))) ++e;
    LineRef r{w.text, std::stoul(s.substr(colon + 1, e - colon - 1)), 0, w.pos, e};
    r.last = r.first;
    if (e + 1 < s.size() && s[e] == '-' && std::isdigit(static_cast<unsigned char>(s[e + 1]))) {
      std::size_t f = e + 1;
      while (f < s.size() && std::isdigit(static_cast<unsigned char>(s[f]))) ++f;
      r.last = std::stoul(s.substr(e + 1, f - e - 1));
      r.end = f;
    }
    out.push_back(r);
  }
  return out;
}

// A name as a reference writes it: `tg::vae::elbo`, elbo(), ~Tape. Returns its last identifier, or "".
std::string name_of(std::string n) {
  n.erase(std::remove(n.begin(), n.end(), '`'), n.end());
  while (!n.empty() && (n.back() == ' ' || n.back() == ')' || n.back() == '(')) n.pop_back();
  while (!n.empty() && n.front() == ' ') n.erase(0, 1);
  if (n.empty()) return "";
  for (char c : n)
    if (!ident_char(c) && c != ':' && c != '~') return "";
  const std::size_t colons = n.rfind("::");
  std::string last = colons == std::string::npos ? n : n.substr(colons + 2);
  if (!last.empty() && last[0] == '~') last.erase(0, 1);
  return !last.empty() && !std::isdigit(static_cast<unsigned char>(last[0])) ? last : "";
}

// The name a reference gives: "file:N (name)" after it, or "name at file:N" before it, backticks around either part
// allowed (and, with `ticks`, around the name required: a doc page's prose). "" when there is none.
std::string named_by(const std::string& s, const LineRef& r, bool ticks) {
  std::size_t i = r.end;
  if (i < s.size() && s[i] == '`') ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i < s.size() && s[i] == '(') {
    const std::size_t close = s.find(')', i + 1);
    const std::size_t nested = s.find('(', i + 1);
    const std::size_t end = nested != npos && nested < close ? s.find(')', close + 1) : close;
    if (end != npos && (!ticks || s[i + 1] == '`')) {
      const std::string n = name_of(s.substr(i + 1, end - i - 1));
      if (!n.empty()) return n;
    }
  }
  std::size_t b = r.begin;
  if (b > 0 && s[b - 1] == '`') --b;
  if (b >= 4 && s.compare(b - 4, 4, " at ") == 0 && (!ticks || (b >= 5 && s[b - 5] == '`'))) {
    std::size_t e = b - 4, a = e;
    while (a > 0 && (ident_char(s[a - 1]) || std::string_view(":~`()").find(s[a - 1]) != std::string_view::npos)) --a;
    return name_of(s.substr(a, e - a));
  }
  return "";
}

bool has_word(const std::string& s, const std::string& w) {
  for (std::size_t at = s.find(w); at != std::string::npos; at = s.find(w, at + 1)) {
    const bool left = at == 0 || !ident_char(s[at - 1]);
    const bool right = at + w.size() >= s.size() || !ident_char(s[at + w.size()]);
    if (left && right) return true;
  }
  return false;
}

// What is wrong with the reference r in text s of the file `from`, or "".
std::string check_ref(const std::string& s, const LineRef& r, const std::string& from, bool ticks) {
  const std::string ref = s.substr(r.begin, r.end - r.begin);
  const std::vector<std::string> files = resolve(r.file, from);
  if (files.size() != 1)
    return ref + ": " + (files.empty() ? "no tracked file is " + r.file : r.file + " is ambiguous: write its path");
  const std::string name = named_by(s, r, ticks);
  const std::string how = ticks ? "`" + ref + "` (`function`) or `function` at `" + ref + "`"
                                : "\"" + ref + " (function)\" or \"function at " + ref + "\"";
  if (name.empty()) return ref + " names nothing: write " + how + ", or better the function without the line";
  const std::string text = read_text(repo().root / files[0]);
  std::istringstream in(text);
  std::string line, around;
  for (std::size_t n = 1; std::getline(in, line); ++n)
    if (n + 2 >= r.first && n <= r.last + 2) around += line + "\n";
  if (!has_word(around, name))
    return ref + " (" + name + "): " + name + " is not on " + files[0] + " lines " +
           std::to_string(r.first > 2 ? r.first - 2 : 1) + "-" + std::to_string(r.last + 2) + ": write " + how;
  return "";
}

// The text blocks of a doc page (fenced blocks are program output), as paragraphs with their first line.
std::vector<Comment> page_paragraphs(const std::string& rel) {
  std::vector<Comment> out;
  for (const MdBlock& b : markdown_blocks(read_text(repo().root / rel))) {
    if (b.kind != MdBlock::text) continue;
    for (std::size_t k = 0; k < b.lines.size(); ++k) {
      if (collapse_spaces(b.lines[k]).empty()) continue;
      if (k == 0 || collapse_spaces(b.lines[k - 1]).empty()) {
        out.push_back({rel, b.first_line + k, b.lines[k]});
      } else {
        out.back().text += "\n" + b.lines[k];
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("comment lint: every file:line in a comment or a doc page names what is on that line (rule 2)",
          "[docs][comments]") {
  std::vector<std::string> errors;
  std::size_t n_texts = 0, n_refs = 0;
  for (const std::string& rel : repo().files) {
    std::vector<Comment> texts;
    if (is_source(rel)) {
      texts = comments_of_file(rel);
      for (Comment& c : texts) c.text = without_quotes(c.text, false);  // "vae/elbo.cpp:42": a format
    } else if (is_page(rel)) {
      texts = page_paragraphs(rel);
    }
    for (const Comment& c : texts) {
      ++n_texts;
      for (const LineRef& r : line_refs(c.text)) {
        if (has_placeholder(r.file) || r.file.rfind("build", 0) == 0) continue;
        ++n_refs;
        const std::string why = check_ref(c.text, r, rel, is_page(rel));
        if (!why.empty()) errors.push_back(at(rel, c.line_at(r.begin)) + ": " + why);
      }
    }
  }
  INFO("comments and paragraphs: " << n_texts << ", file:line references: " << n_refs);
  CHECK(n_texts >= 2000);
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

namespace {

// ---- rule 3: the ulp bounds of the vector math -----------------------------------------------------------------

const std::vector<std::string> math_functions = {"exp", "log", "log1p", "expm1", "tanh", "sigmoid", "softplus"};
const std::vector<std::string> dtypes = {"float32", "float64"};
const std::string math_header = "autodiff/runtime/simd_math.hpp", kernels_header = "autodiff/runtime/kernels.hpp",
                  kernels_page = "docs/kernels.md", kernels_test = "tests/autodiff/test_simd_kernels.cpp";

// A bound as one place states it.
struct Stated {
  double ulp = -1;  // -1: not stated
  std::string where;
};
using Bounds = std::map<std::string, Stated>;  // by function, or by dtype

std::string show(const Stated& s) {
  std::ostringstream o;
  o << s.ulp << " ulp (" << s.where << ")";
  return o.str();
}

// The number that starts at s[i] (digits, at most one '.'), or -1.
double number_at(const std::string& s, std::size_t i) {
  std::size_t e = i;
  while (e < s.size() && (std::isdigit(static_cast<unsigned char>(s[e])) || (s[e] == '.' && e > i))) ++e;
  while (e > i && s[e - 1] == '.') --e;
  return e > i ? std::stod(s.substr(i, e - i)) : -1;
}

bool is_math(const std::string& f) {
  return std::find(math_functions.begin(), math_functions.end(), f) != math_functions.end();
}

std::string word_at(const std::string& s, std::size_t i) {
  std::size_t e = i;
  while (e < s.size() && ident_char(s[e])) ++e;
  return s.substr(i, e - i);
}

// simd_math.hpp: the summary of its opening comment ("float32 <= 2 ulp, float64 <= 2 ulp": the largest distance
// to the twin of any function) and each function's "Bound: N ulp" in the comment above its definition.
void read_header(Bounds& summary, Bounds& bound) {
  const std::string text = read_text(repo().root / math_header);
  const std::vector<Comment> cs = comments_of_file(math_header);
  if (!cs.empty()) {
    const Comment& top = cs.front();
    for (const std::string& d : dtypes)
      for (const std::string op : {" <= ", " ≤ "})
        if (const std::size_t k = top.text.find(d + op); k != std::string::npos)
          summary[d] = {number_at(top.text, k + d.size() + op.size()), at(math_header, top.line_at(k))};
  }
  for (const FunctionDef& f : function_definitions(text)) {
    const std::string name = f.qualified.substr(f.qualified.rfind(':') + 1);
    if (!is_math(name)) continue;
    const std::size_t k = text.find("Bound: ", f.comment_begin);
    if (k < f.head_begin) bound[name] = {number_at(text, k + 7), at(math_header, line_of(text, k))};
  }
}

// kernels.hpp: "within N ulp of the twin's std:: functions, M for f" in a comment: N for each function but f.
void read_kernels_header(Bounds& twin) {
  for (const Comment& c : comments_of_file(kernels_header)) {
    const std::string key = " ulp of the twin";
    const std::size_t k = c.text.find(key);
    const std::size_t w = k == std::string::npos ? k : c.text.rfind("within ", k);
    if (w == std::string::npos) continue;
    const std::string where = at(kernels_header, c.line_at(k));
    for (const std::string& f : math_functions) twin[f] = {number_at(c.text, w + 7), where};
    const std::string rest = c.text.substr(k, c.text.find_first_of(");", k) - k);
    for (std::size_t f = rest.find(" for "); f != std::string::npos; f = rest.find(" for ", f + 1)) {
      std::size_t n = f;
      while (n > 0 && std::isdigit(static_cast<unsigned char>(rest[n - 1]))) --n;
      if (n < f && twin.count(word_at(rest, f + 5))) twin[word_at(rest, f + 5)] = {number_at(rest, n), where};
    }
  }
}

// docs/kernels.md: the table of measured distances (a fenced block: "f  [a, b]  |  twin exact  |  twin exact"), the
// twin bound in words ("within N ulp of its twin except **f, M ulp**") and the exceptions without FMA ("except that
// f is within N ulp of the correctly rounded value").
void read_page(std::map<std::string, Bounds>& table_twin, std::map<std::string, Bounds>& table_exact, Bounds& twin,
               Bounds& no_fma) {
  for (const MdBlock& b : markdown_blocks(read_text(repo().root / kernels_page))) {
    if (b.kind == MdBlock::code) {
      for (std::size_t k = 0; k < b.lines.size(); ++k) {
        const std::string row = collapse_spaces(b.lines[k]);
        const std::string f = word_at(row, 0);
        if (!is_math(f)) continue;
        std::vector<double> v;
        std::istringstream cells(row.substr(row.find('|') == std::string::npos ? row.size() : row.find('|')));
        for (std::string cell; cells >> cell;)
          if (cell != "|") v.push_back(number_at(cell, 0));
        if (v.size() != 4) continue;
        const std::string where = at(kernels_page, b.first_line + 1 + k);
        for (std::size_t d = 0; d < 2; ++d) {
          table_twin[f][dtypes[d]] = {v[2 * d], where};
          table_exact[f][dtypes[d]] = {v[2 * d + 1], where};
        }
      }
    }
  }
  for (const Comment& p : page_paragraphs(kernels_page)) {
    std::string s = p.text;  // one line, so that a phrase may wrap; positions as in p.text
    std::replace(s.begin(), s.end(), '\n', ' ');
    if (const std::size_t k = s.find(" ulp of its twin"); k != std::string::npos && s.rfind("within ", k) != npos) {
      const std::string where = at(kernels_page, p.line_at(k));
      for (const std::string& f : math_functions) twin[f] = {number_at(s, s.rfind("within ", k) + 7), where};
      const std::string rest = s.substr(k, s.find(':', k) - k);  // "... except **tanh, 3 ulp**"
      for (std::size_t e = rest.find("**"); e != npos; e = rest.find("**", e + 2)) {
        const std::string f = word_at(rest, e + 2);
        const std::size_t comma = rest.find(", ", e);
        if (twin.count(f) && comma != npos) twin[f] = {number_at(rest, comma + 2), where};
        e = rest.find("**", e + 2);  // the closing **
        if (e == npos) break;
      }
    }
    const std::string key = " ulp of the correctly rounded value";
    for (std::size_t k = s.find("except that "); k != npos; k = s.find("except that ", k + 1)) {
      const std::string f = word_at(s, k + 12);
      const std::size_t w = s.find(" is within ", k), u = s.find(key, k);
      if (w == k + 12 + f.size() && u != npos && is_math(f))
        no_fma[f] = {number_at(s, w + 11), at(kernels_page, p.line_at(k))};
    }
  }
}

}  // namespace

namespace {

// The test's cases: {Unary::f, "f", twin_ulp} and {Unary::f, "f", lo, hi, dense_lo, dense_hi, exact_ulp,
// no_fma_ulp}.
void read_test(Bounds& twin, Bounds& exact, Bounds& no_fma) {
  const std::string text = read_text(repo().root / kernels_test), code = mask_cpp(text);
  for (std::size_t k = code.find("{Unary::"); k != npos; k = code.find("{Unary::", k + 1)) {
    const std::size_t close = code.find('}', k);
    if (close == npos) break;
    std::vector<std::string> fields(1);
    for (std::size_t i = k + 1; i < close; ++i) {
      if (code[i] == ',') {
        fields.emplace_back();
      } else if (code[i] != ' ' && code[i] != '\n') {
        fields.back() += code[i];
      }
    }
    const std::string f = fields[0].substr(7), where = at(kernels_test, line_of(text, k));
    if (!is_math(f)) continue;
    if (fields.size() == 3) twin[f] = {number_at(fields[2], 0), where};
    if (fields.size() == 8) {
      exact[f] = {number_at(fields[6], 0), where};
      no_fma[f] = {number_at(fields[7], 0), where};
    }
  }
}

// Every statement of the bounds, read from the four files.
struct UlpStatements {
  Bounds summary;                                         // simd_math.hpp's opening comment, by dtype
  Bounds bound;                                           // simd_math.hpp's "Bound: N ulp", by function
  Bounds hpp_twin, page_twin, page_no_fma;                // kernels.hpp, docs/kernels.md in words
  std::map<std::string, Bounds> table_twin, table_exact;  // docs/kernels.md's table, by function and dtype
  Bounds test_twin, test_exact, test_no_fma;              // test_simd_kernels.cpp
  std::vector<std::string> errors;

  UlpStatements() {
    read_header(summary, bound);
    read_kernels_header(hpp_twin);
    read_page(table_twin, table_exact, page_twin, page_no_fma);
    read_test(test_twin, test_exact, test_no_fma);
  }
  bool need(const Stated& s, const std::string& what) {
    if (s.ulp < 0) errors.push_back(what + ": not found");
    return s.ulp >= 0;
  }
  void differ(const std::string& what, const Stated& a, const Stated& b) {
    if (a.ulp >= 0 && b.ulp >= 0 && a.ulp != b.ulp)
      errors.push_back(a.where + ": " + what + ": " + show(a) + ", but " + show(b));
  }

  // To the plain twin: the docs' words, kernels.hpp and the test agree; the table's measurement is within them;
  // simd_math.hpp's summary is the largest.
  void check_twin(const std::string& f) {
    differ(f + " to the twin", page_twin[f], test_twin[f]);
    differ(f + " to the twin", hpp_twin[f], test_twin[f]);
    for (const std::string& d : dtypes) {
      if (!need(table_twin[f][d], kernels_page + ": the table's row of " + f)) continue;
      if (table_twin[f][d].ulp > test_twin[f].ulp)
        errors.push_back(table_twin[f][d].where + ": " + f + " " + d + " to the twin: measured " +
                         show(table_twin[f][d]) + ", above the bound " + show(test_twin[f]));
      if (summary[d].ulp >= 0 && test_twin[f].ulp > summary[d].ulp)
        errors.push_back(summary[d].where + ": " + d + " to the twin: every function within " + show(summary[d]) +
                         ", but " + f + "'s bound is " + show(test_twin[f]) +
                         (page_twin[f].ulp >= 0 ? " and " + show(page_twin[f]) : ""));
    }
  }

  // To the correctly rounded value: the table (with FMA) and its exceptions without FMA are the test's bounds;
  // simd_math.hpp's Bound is the larger of the two.
  void check_exact(const std::string& f) {
    for (const std::string& d : dtypes) {
      if (table_exact[f][d].ulp < 0) continue;  // check_twin reported the missing row
      differ(f + " " + d + " to the correctly rounded value, with FMA", table_exact[f][d], test_exact[f]);
      const Stated page_nf = page_no_fma.count(f) ? page_no_fma[f] : table_exact[f][d];
      differ(f + " " + d + " to the correctly rounded value, without FMA", page_nf, test_no_fma[f]);
    }
    const Stated any_build{std::max(test_exact[f].ulp, test_no_fma[f].ulp), test_exact[f].where};
    differ(f + "'s Bound (to the correctly rounded value, any build)", bound[f], any_build);
  }

  void check() {
    for (const std::string& d : dtypes) need(summary[d], math_header + ": the summary's " + d + " bound");
    double largest = 0;
    for (const std::string& f : math_functions) {
      need(bound[f], math_header + ": " + f + "'s \"Bound: N ulp\"");
      need(page_twin[f], kernels_page + ": the twin bound in words");
      if (!need(test_twin[f], kernels_test + ": " + f + "'s twin_ulp") ||
          !need(test_exact[f], kernels_test + ": " + f + "'s exact_ulp"))
        continue;
      largest = std::max(largest, test_twin[f].ulp);
      check_twin(f);
      check_exact(f);
    }
    for (const std::string& d : dtypes)
      if (summary[d].ulp > largest)
        errors.push_back(summary[d].where + ": " + d + " to the twin: " + show(summary[d]) +
                         ", but no function's bound is above " + std::to_string(static_cast<int>(largest)));
  }
};

}  // namespace

TEST_CASE("comment lint: the ulp bounds of simd_math.hpp, docs/kernels.md and test_simd_kernels.cpp agree (rule 3)",
          "[docs][comments]") {
  UlpStatements u;
  u.check();
  INFO("errors:" << list(u.errors));
  CHECK(u.errors.empty());
}

namespace {

// ---- rule 4: comments explain, they do not narrate ----------------------------------------------------------------

// Phrases that tell what the code was or how it changed, matched as whole words in lower case. "used to" after a
// form of "be" is a purpose ("is used to scale"), not history; "now ... instead of" is one line.
// clang-format off
const std::vector<std::string> history_phrases = {
    "used to", "no longer", "anymore", "previously", "formerly", "originally", "historically", "in the past",
    "until recently", "at the time of writing",
    "was changed", "were changed", "has been changed", "have been changed", "was replaced", "has been replaced",
    "was removed", "has been removed", "was renamed", "has been renamed", "was moved", "has been moved",
    "was rewritten", "was fixed", "has been fixed",
    "before this change", "after this change", "since this change", "with this change", "this commit", "this patch",
    "we removed", "we changed", "we replaced", "we moved", "we switched", "we now",
    "the old code", "the old version", "the old way", "the old implementation", "the old behaviour",
    "the previous version", "the previous code", "the new version", "the new code",
    "now ... instead of"};
// clang-format on

// Explanations that need one of the phrases: the file, and words of the comment line.
const std::vector<std::pair<std::string, std::string>> history_allowed = {
    {"autodiff/runtime/gemm.cpp", "asked for now, its lines arrive during the loop instead of"},  // prefetch now
    {"tests/nn/io/test_gzip.cpp", "NLEN no longer the complement of LEN"},                        // the corrupted input
    {"tests/nn/io/test_hostile_files.cpp", "LEN of the stored block no longer matches NLEN"},
    {"tests/mutation/run.py", "whose text no longer applies exactly"},  // a mutation the code has outgrown
};

// Where the whole words w stand in s (lower case), or npos.
std::size_t find_words(const std::string& s, const std::string& w, std::size_t from = 0) {
  for (std::size_t at = s.find(w, from); at != npos; at = s.find(w, at + 1))
    if ((at == 0 || !ident_char(s[at - 1])) && (at + w.size() >= s.size() || !ident_char(s[at + w.size()]))) return at;
  return npos;
}

// The phrases of history_phrases in the line s (lower case, quotations blanked), "" if none.
std::string history_in(const std::string& s) {
  const std::set<std::string> be = {"is", "are", "was", "were", "be", "been", "being", "get", "gets", "got"};
  std::string found;
  for (const std::string& p : history_phrases) {
    bool hit = false;
    if (p == "now ... instead of") {
      const std::size_t now = find_words(s, "now");
      hit = now != npos && find_words(s, "instead of", now) != npos;
    }
    for (std::size_t at = find_words(s, p); !hit && at != npos; at = find_words(s, p, at + 1)) {
      std::istringstream before(s.substr(0, at));
      std::vector<std::string> ws;
      for (std::string x; before >> x;) ws.push_back(x);
      const bool purpose =
          p == "used to" && ((!ws.empty() && be.count(ws.back())) || (ws.size() >= 2 && be.count(ws[ws.size() - 2])));
      hit = !purpose;
    }
    if (hit) found += (found.empty() ? "\"" : ", \"") + p + "\"";
  }
  return found;
}

}  // namespace

TEST_CASE("comment lint: no comment narrates history instead of explaining the code (rule 4)", "[docs][comments]") {
  std::vector<std::string> errors;
  std::set<std::size_t> allowed_used;
  std::size_t n_lines = 0;
  for (const std::string& rel : repo().files) {
    if (!is_source(rel)) continue;
    for (const CommentLine& c : comments_of(rel, read_text(repo().root / rel))) {
      ++n_lines;
      const std::string phrase = history_in(lower(without_quotes(c.text, true)));
      if (phrase.empty()) continue;
      bool allowed = false;
      for (std::size_t k = 0; k < history_allowed.size(); ++k)
        if (history_allowed[k].first == rel && c.text.find(history_allowed[k].second) != npos) {
          allowed = true;
          allowed_used.insert(k);
        }
      if (!allowed)
        errors.push_back(at(rel, c.line) + ": " + phrase + " narrates history: say what the code does and why (" +
                         collapse_spaces(c.text) + ")");
    }
  }
  for (std::size_t k = 0; k < history_allowed.size(); ++k)
    if (!allowed_used.count(k))
      errors.push_back("tests/docs/test_comments.cpp: history_allowed entry " + history_allowed[k].first + " \"" +
                       history_allowed[k].second + "\" matches no comment: remove it");
  INFO("comment lines: " << n_lines);
  CHECK(n_lines >= 3000);
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

TEST_CASE("comment lint: comments_of finds the comments of C++, Python, shell and CMake, not their strings",
          "[docs][comments]") {
  auto texts = [](const std::string& file, const std::string& text) {
    std::vector<std::string> out;
    for (const CommentLine& c : comments_of(file, text)) out.push_back(std::to_string(c.line) + ":" + c.text);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(texts("a.cpp", "s = \"// no\"; // yes\nr = R\"(// no)\"; c = '\"'; n = 1'000; /* a\n * b */\n") ==
        V{"1: yes", "2: a", "3: b "});
  CHECK(texts("a.py", "#!/usr/bin/env python3\nx = \"# no\"  # yes\n\"\"\"doc\nmore\"\"\"\nf(\"\"\"no\"\"\")\n") ==
        V{"2: yes", "3:doc", "4:more"});
  CHECK(texts("a.sh", "#!/bin/bash\necho $# ${#a} \"a # b\" 'c # d'  # yes\n# two\n") == V{"2: yes", "3: two"});
  CHECK(texts("CMakeLists.txt", "set(X \"a # b\")  # yes\n#[[ block\n]]\n") == V{"1: yes", "2: block"});
  CHECK(texts("a.md", "# a heading\n").empty());
}

TEST_CASE("comment lint: rules 1, 2 and 4 refuse planted bad comments and accept good ones", "[docs][comments]") {
  // rule 1
  CHECK(missing_file("tests/docs/scan.hpp", "x.cpp").empty());
  CHECK(missing_file("docs/scan.hpp", "x.cpp").empty());  // the end of a tracked path
  CHECK(missing_file("scan.cpp", "x.cpp").empty());
  CHECK(missing_file("tests/docs/test_*.cpp", "x.cpp").empty());
  CHECK(missing_file("tests/docs/", "x.cpp").empty());
  CHECK(missing_file("../../../vae/x.cpp", "gdb/a.py").empty());  // outside: relative to a build folder
  CHECK_FALSE(missing_file("tests/docs/scan_nope.cpp", "x.cpp").empty());
  CHECK_FALSE(missing_file("scan_nope.hpp", "x.cpp").empty());
  CHECK_FALSE(missing_file("tests/docs/nope_*.cpp", "x.cpp").empty());
  CHECK_FALSE(missing_file("tests/docs_nope/", "x.cpp").empty());
  CHECK(path_words("see tests/\n  docs/scan.hpp.")[1].text == "tests/docs/scan.hpp");
  // rule 2: a reference to the line of scan.hpp that declares read_text
  const std::string header = read_text(repo().root / "tests/docs/scan.hpp");
  const std::string n = std::to_string(line_of(header, header.find("std::string read_text(")));
  auto ref_error = [](const std::string& s, bool page) {
    const std::vector<LineRef> refs = line_refs(s);
    REQUIRE(refs.size() == 1);
    return check_ref(s, refs[0], "x.cpp", page);
  };
  CHECK(ref_error("see tests/docs/scan.hpp:" + n + " (read_text)", false).empty());
  CHECK(ref_error("`tg::docs::read_text()` at tests/docs/scan.hpp:" + n + ".", false).empty());
  CHECK(ref_error("`read_text` at `tests/docs/scan.hpp:" + n + "`", true).empty());
  CHECK_FALSE(ref_error("see tests/docs/scan.hpp:" + n + ".", false).empty());                  // names nothing
  CHECK_FALSE(ref_error("see tests/docs/scan.hpp:" + n + " (mask_cpp)", false).empty());        // not there
  CHECK_FALSE(ref_error("read_text at `tests/docs/scan.hpp:" + n + "`", true).empty());         // a page: `name`
  CHECK(line_refs(without_quotes("prints \"tests/docs/scan.hpp:" + n + "\"", false)).empty());  // a format
  // rule 4
  CHECK(history_in("this used to crash") == "\"used to\"");
  CHECK(history_in("the tape no longer copies; now a vector instead of a map") ==
        "\"no longer\", \"now ... instead of\"");
  CHECK(history_in("the seed is used to draw eps, and is only used to scale").empty());
  CHECK(history_in(lower(without_quotes("the message \"used to\" and `no longer`", true))).empty());
}
