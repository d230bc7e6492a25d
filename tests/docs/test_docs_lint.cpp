// The docs lint: every page under docs/ and every README renders on GitHub and names only what exists.
//   - display math is a ```math block (GitHub's Markdown pass leaves it alone), never $$ ... $$ or \[ ... \];
//   - inline $...$ holds no backslash before punctuation (\{ \} \, \| \\ ...: Markdown eats the backslash; write
//     \lbrace \rbrace \parallel \Vert) and no '*' or '<tag' that Markdown would read as emphasis or HTML;
//   - an equation tag is never inside math as (page.n), where `_` and `.` would be typeset: it is \tag{page.n};
//   - every table row has as many cells as its header (a bare '|' inside a cell, even in code or math, splits it);
//   - every relative link and image resolves to a file of the repository (and to a heading, with #anchor);
//   - every backticked path of the repository (`vae/iwae.cpp`, `build/test/...`) exists, a path with a line number
//     (file:N) has that line, and build paths name a preset's build directory (test_comments.cpp checks that a
//     file:N also names what is on the line);
//   - every backticked `tg::...` name is declared in a header of the library (or is a library's CMake target).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "docs/scan.hpp"

using namespace tg::docs;

namespace {

const fs::path root = TG_SOURCE_DIR;
const std::vector<std::string> library_dirs = {"autodiff", "nn", "prob", "vae"};
const std::vector<std::string> presets = {"test", "debug", "release", "asan", "demo"};  // CMakePresets.json

bool ascii_punct(char c) { return c > 32 && c < 127 && !std::isalnum(static_cast<unsigned char>(c)); }

// The Markdown files to lint: everything under docs/, and every README.md outside build trees.
std::vector<fs::path> pages() {
  std::vector<fs::path> out = files_under(root / "docs", {".md"});
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(entry.path(), root).generic_string();
    if (rel.rfind("build", 0) == 0 || rel.rfind(".git", 0) == 0) continue;
    if (entry.is_regular_file() && entry.path().filename() == "README.md" && rel.rfind("docs/", 0) != 0)
      out.push_back(entry.path());
  }
  return out;
}

struct Page {
  std::string rel;  // docs/tape.md
  fs::path dir;     // its folder
  std::vector<MdBlock> blocks;
};

// The paragraphs of the text blocks of a page, with the line each starts on.
std::vector<std::pair<std::size_t, std::string>> paragraphs(const Page& p) {
  std::vector<std::pair<std::size_t, std::string>> out;
  for (const MdBlock& b : p.blocks) {
    if (b.kind != MdBlock::text) continue;
    std::string para;
    std::size_t start = 0;
    for (std::size_t k = 0; k <= b.lines.size(); ++k) {
      const bool blank = k == b.lines.size() || collapse_spaces(b.lines[k]).empty();
      if (blank) {
        if (!para.empty()) out.emplace_back(start, para);
        para.clear();
        continue;
      }
      if (para.empty()) start = b.first_line + k;
      para += b.lines[k] + "\n";
    }
  }
  return out;
}

Page read_page(const fs::path& path) {
  return {fs::relative(path, root).generic_string(), path.parent_path(), markdown_blocks(read_text(path))};
}

// para with the content of its code spans blanked: what Markdown reads as prose and math.
std::string prose(const std::string& para) {
  std::string out = para;
  for (const Span& s : inline_spans(para))
    if (s.kind == Span::code)
      for (std::size_t i = s.begin; i < s.end; ++i) out[i] = ' ';
  return out;
}

std::string at(const Page& p, std::size_t line) { return p.rel + ":" + std::to_string(line); }

// GitHub's anchor of a heading: lower case, punctuation other than '-' and '_' dropped, spaces to '-'.
std::set<std::string> anchors(const fs::path& md) {
  std::set<std::string> out;
  std::map<std::string, int> seen;
  for (const MdBlock& b : markdown_blocks(read_text(md))) {
    if (b.kind != MdBlock::text) continue;
    for (const std::string& line : b.lines) {
      if (line.empty() || line[0] != '#') continue;
      std::size_t i = line.find_first_not_of('#');
      std::string slug;
      for (char c : line.substr(i == std::string::npos ? line.size() : i)) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || u >= 128) slug += static_cast<char>(std::tolower(u));
        if (c == ' ') slug += '-';
      }
      while (!slug.empty() && slug[0] == '-') slug.erase(0, 1);
      const int n = seen[slug]++;
      out.insert(n == 0 ? slug : slug + "-" + std::to_string(n));
    }
  }
  return out;
}

// Whether p (lexically normal, relative to the root) stays inside the repository.
bool inside(const fs::path& p) {
  const std::string s = p.lexically_normal().generic_string();
  return !s.empty() && s.rfind("..", 0) != 0 && s[0] != '/';
}

std::size_t count_lines(const fs::path& file) {
  const std::string t = read_text(file);
  return static_cast<std::size_t>(std::count(t.begin(), t.end(), '\n')) + (t.empty() || t.back() == '\n' ? 0 : 1);
}

std::string list(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += "\n  " + x;
  return s.empty() ? " (none)" : s;
}

}  // namespace

TEST_CASE("docs lint: math renders on GitHub (```math blocks, inline $...$ without markdown escapes, \\tag)",
          "[docs][lint]") {
  std::vector<std::string> errors;
  std::size_t n_pages = 0, n_math = 0;
  for (const fs::path& path : pages()) {
    const Page p = read_page(path);
    ++n_pages;
    for (const MdBlock& b : p.blocks) {
      if (b.kind != MdBlock::math) continue;
      ++n_math;
      std::string math;
      for (const std::string& l : b.lines) math += l + "\n";
      for (const Tag& t : tags_at(math))
        errors.push_back(at(p, b.first_line) + ": " + t.text + " inside math: write \\tag{" +
                         t.text.substr(1, t.text.size() - 2) + "}");
      for (std::size_t t = math.find("\\tag{"); t != std::string::npos; t = math.find("\\tag{", t + 1)) {
        const std::string arg = math.substr(t + 5, math.find('}', t + 5) - t - 5);
        if (arg.find('_') != std::string::npos && arg.rfind("$\\mathrm{", 0) != 0)
          errors.push_back(at(p, b.first_line) + ": \\tag{" + arg + "}: with '_' write \\tag{$\\mathrm{" +
                           arg.substr(0, arg.find('_')) + "\\_" + arg.substr(arg.find('_') + 1) +
                           "}$}, which MathJax typesets the same with or without its textmacros");
      }
      for (std::size_t d = math.find('$'); d != std::string::npos; d = math.find('$', d + 1)) {
        if (math.compare(d, 9, "$\\mathrm{") == 0 && d >= 5 && math.compare(d - 5, 5, "\\tag{") == 0) {
          d = math.find("}$}", d);  // \tag{$\mathrm{page\_name.n}$}: the one place for '$'
          if (d == std::string::npos) break;
          d += 2;
          continue;
        }
        errors.push_back(at(p, b.first_line) + ": '$' inside a ```math block");
        break;
      }
    }
    for (const auto& [line, para] : paragraphs(p)) {
      const std::string text = prose(para);
      if (text.find("$$") != std::string::npos)
        errors.push_back(at(p, line) + ": $$ display math: use a ```math block (GitHub's Markdown pass breaks $$)");
      for (const char* d : {"\\[", "\\]", "\\(", "\\)"})
        if (text.find(d) != std::string::npos)
          errors.push_back(at(p, line) + ": " + d + " is not a math delimiter GitHub knows: use $...$ or ```math");
      for (const Span& s : inline_spans(para)) {
        if (s.kind != Span::math) continue;
        const std::string m = para.substr(s.begin, s.end - s.begin);
        const std::size_t l = line + line_of(para, s.begin) - 1;
        for (std::size_t i = 0; i + 1 < m.size(); ++i)
          if (m[i] == '\\' && ascii_punct(m[i + 1]))
            errors.push_back(at(p, l) + ": \\" + m[i + 1] + " in $" + m +
                             "$: Markdown drops the backslash (\\{ -> \\lbrace, \\| -> \\Vert or \\parallel, "
                             "\\, -> a space)");
        if (m.find('*') != std::string::npos)
          errors.push_back(at(p, l) + ": '*' in $" + m + "$ can start emphasis: write \\ast");
        for (std::size_t i = 0; i + 1 < m.size(); ++i)
          if (m[i] == '<' && (std::isalpha(static_cast<unsigned char>(m[i + 1])) || m[i + 1] == '/'))
            errors.push_back(at(p, l) + ": '<" + m[i + 1] + "' in $" + m + "$ reads as HTML: write '< " + m[i + 1] +
                             "'");
        for (const Tag& t : tags_at(m)) errors.push_back(at(p, l) + ": " + t.text + " inside $...$");
      }
    }
  }
  INFO("pages: " << n_pages << ", math blocks: " << n_math);
  CHECK(n_pages >= 12);
  CHECK(n_math >= 42);
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

TEST_CASE("docs lint: every table row has as many cells as its header (no bare | in a cell)", "[docs][lint]") {
  std::vector<std::string> errors;
  for (const fs::path& path : pages()) {
    const Page p = read_page(path);
    for (const MdBlock& b : p.blocks) {
      if (b.kind != MdBlock::text) continue;
      std::size_t header = 0;  // cells of the current table's header, 0 outside a table
      for (std::size_t k = 0; k < b.lines.size(); ++k) {
        const std::string row = collapse_spaces(b.lines[k]);
        if (row.empty() || row[0] != '|') {
          header = 0;
          continue;
        }
        std::size_t pipes = 0;
        for (std::size_t i = 0; i < row.size(); ++i)
          if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++pipes;
        const std::size_t cells = pipes - (row.back() == '|' ? 1 : 0);
        if (header == 0) {
          header = cells;
        } else if (cells != header) {
          errors.push_back(at(p, b.first_line + k) + ": " + std::to_string(cells) + " cells, the header has " +
                           std::to_string(header) + ": escape a '|' inside a cell as \\| (or write \\mid in math)");
        }
      }
    }
  }
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

TEST_CASE("docs lint: every relative link and image points at a file of the repository (and at a heading)",
          "[docs][lint]") {
  std::vector<std::string> errors;
  std::size_t n_links = 0;
  for (const fs::path& path : pages()) {
    const Page p = read_page(path);
    for (const auto& [line, para] : paragraphs(p)) {
      std::vector<Span> spans = inline_spans(para);
      auto in_span = [&spans](std::size_t pos) {
        for (const Span& s : spans)
          if (s.begin <= pos && pos < s.end) return true;
        return false;
      };
      for (std::size_t i = para.find("]("); i != std::string::npos; i = para.find("](", i + 1)) {
        if (in_span(i)) continue;
        const std::size_t close = para.find(')', i);
        if (close == std::string::npos) continue;
        const std::string target = para.substr(i + 2, close - i - 2);
        const std::size_t l = line + line_of(para, i) - 1;
        if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0 || target.rfind("mailto:", 0) == 0)
          continue;
        ++n_links;
        const std::size_t hash = target.find('#');
        const std::string file = target.substr(0, hash),
                          anchor = hash == std::string::npos ? "" : target.substr(hash + 1);
        const fs::path resolved = file.empty() ? path : (p.dir / file);
        if (!inside(fs::relative(resolved.lexically_normal(), root))) {
          errors.push_back(at(p, l) + ": (" + target + ") leads outside the repository");
          continue;
        }
        if (!fs::exists(resolved)) {
          errors.push_back(at(p, l) + ": (" + target + ") does not exist");
          continue;
        }
        if (!anchor.empty() && resolved.extension() == ".md" && !anchors(resolved).count(anchor))
          errors.push_back(at(p, l) + ": (" + target + "): no heading with anchor #" + anchor);
      }
    }
  }
  CHECK(n_links > 20);
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

namespace {

// The backticked spans of every paragraph and table of a page, with their lines.
std::vector<std::pair<std::size_t, std::string>> code_spans(const Page& p) {
  std::vector<std::pair<std::size_t, std::string>> out;
  for (const auto& [line, para] : paragraphs(p))
    for (const Span& s : inline_spans(para))
      if (s.kind == Span::code)
        out.emplace_back(line + line_of(para, s.begin) - 1, para.substr(s.begin, s.end - s.begin));
  return out;
}

// A placeholder in a path: a name in capitals (`solutions/NAME.cpp`, `EXERCISE.hpp`) stands for any name. Markdown
// files are never placeholders: `DESIGN.md` must exist.
bool has_placeholder(const std::string& path) {
  if (path.ends_with(".md")) return false;
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

bool path_like(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_./-:").find(c) != std::string_view::npos))
      return false;
  return true;
}

std::set<std::string> all_file_names() {
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(entry.path(), root).generic_string();
    if (rel.rfind("build", 0) == 0 || rel.rfind(".git", 0) == 0) continue;
    if (entry.is_regular_file()) names.insert(entry.path().filename().string());
  }
  return names;
}

}  // namespace

TEST_CASE("docs lint: every backticked path of the repository exists, with its line; build paths name a preset",
          "[docs][lint]") {
  std::vector<std::string> errors;
  std::set<std::string> top;  // the entries of the repository's top level
  for (const auto& entry : fs::directory_iterator(root)) top.insert(entry.path().filename().string());
  const std::set<std::string> names = all_file_names();
  const std::set<std::string> source_ext = {".md", ".cpp", ".hpp", ".cmake", ".sh", ".py", ".json", ".txt"};
  std::size_t n_paths = 0;
  for (const fs::path& path : pages()) {
    const Page p = read_page(path);
    for (const auto& [line, span] : code_spans(p)) {
      if (!path_like(span) || has_placeholder(span)) continue;
      std::string s = span;
      if (s.rfind("./", 0) == 0) s = s.substr(2);
      std::string file = s;
      std::size_t want_line = 0;
      if (const std::size_t colon = s.find(':'); colon != std::string::npos) {
        file = s.substr(0, colon);
        const std::string num = s.substr(colon + 1, s.find('-', colon) - colon - 1);
        if (num.empty() || num.find_first_not_of("0123456789") != std::string::npos) continue;  // not file:line
        want_line = std::stoul(num);
      }
      const std::string first = file.substr(0, file.find('/'));
      const std::string where = at(p, line) + ": `" + span + "`";
      if (first == "build") {
        const std::string second = file.substr(6, file.find('/', 6) - 6);
        const bool in_preset = std::find(presets.begin(), presets.end(), second) != presets.end();
        if (!in_preset && (file.find("/tests/") != std::string::npos || file.find("/examples/") != std::string::npos))
          errors.push_back(where + ": a build path names a preset's folder: build/test/..., build/debug/...");
        continue;
      }
      if (first == "..") {
        if (!inside(fs::relative((p.dir / file).lexically_normal(), root)))
          errors.push_back(where + ": outside the repository");
        else if (!fs::exists(p.dir / file))
          errors.push_back(where + ": does not exist");
        continue;
      }
      fs::path resolved;
      if (file.find('/') != std::string::npos && top.count(first)) {
        resolved = root / file;
      } else if (file.find('/') == std::string::npos && source_ext.count(fs::path(file).extension().string())) {
        if (!names.count(file)) errors.push_back(where + ": no file of that name in the repository");
        continue;
      } else {
        continue;  // not a path of the repository (a program's output, a system path, a formula)
      }
      ++n_paths;
      if (!fs::exists(resolved)) {
        errors.push_back(where + ": does not exist");
        continue;
      }
      if (want_line > 0 && (!fs::is_regular_file(resolved) || want_line > count_lines(resolved)))
        errors.push_back(where + ": the file has " + std::to_string(count_lines(resolved)) + " lines");
    }
  }
  CHECK(n_paths > 30);
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

TEST_CASE("docs lint: every backticked tg:: name is declared in a header of the library", "[docs][lint]") {
  std::set<std::string> declared;
  for (const std::string& d : library_dirs) {
    declared.insert("tg::" + d);  // the CMake target of the library in d/
    for (const fs::path& h : files_under(root / d, {".hpp"}))
      for (const std::string& n : declared_names(read_text(h))) declared.insert(n);
  }
  std::vector<std::string> errors;
  std::size_t n_names = 0;
  for (const fs::path& path : pages()) {
    const Page p = read_page(path);
    for (const auto& [line, span] : code_spans(p)) {
      for (std::size_t i = span.find("tg::"); i != std::string::npos; i = span.find("tg::", i + 1)) {
        if (i > 0 &&
            (std::isalnum(static_cast<unsigned char>(span[i - 1])) || span[i - 1] == '_' || span[i - 1] == ':'))
          continue;
        std::size_t e = i;
        while (e < span.size() && (std::isalnum(static_cast<unsigned char>(span[e])) || span[e] == '_' ||
                                   (span[e] == ':' && e + 1 < span.size() && span[e + 1] == ':') ||
                                   (span[e] == ':' && e > 0 && span[e - 1] == ':')))
          ++e;
        const std::string name = span.substr(i, e - i);
        ++n_names;
        if (!declared.count(name))
          errors.push_back(at(p, line) + ": `" + name + "` is declared in no header under autodiff/ nn/ prob/ vae/");
      }
    }
  }
  CHECK(n_names > 50);
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}
