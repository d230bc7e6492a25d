// Equation -> code -> test, checked. Every equation of docs/derivations/<page>.md carries a tag \tag{page.n}, and
// right under it one line in the format of docs/derivations/README.md ("Writing a derivation page"):
//
//   (page.n) Computed by: `tg::qualified::name` in `FOLDER/FILE.cpp`; checked by: test `exact test case name`.
//
// These tests hold every such line to its word: the function is defined in that file and the tag is inside its
// body; the tag appears in no other function of the library; the test case exists exactly once in the suite,
// carries the tag in its name, is not a [math] re-derivation, and calls the function. They also generate the
// table of all tags in docs/derivations/README.md and fail when it is out of date (TG_WRITE_TAG_TABLE=1 rewrites
// it).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "docs/scan.hpp"

using namespace tg::docs;

namespace {

const fs::path root = TG_SOURCE_DIR;
const std::vector<std::string> library_dirs = {"autodiff", "nn", "prob", "vae"};  // where code is looked for

struct DocLine {
  Tag tag;
  std::string page_file;  // docs/derivations/iwae.md
  std::size_t line = 0;
  std::string function;  // as written: tg::prob::kl_divergence(const Normal&, const StandardNormal&)
  std::string qualified, params;
  bool has_params = false;
  std::string file, test;
};

std::string where(const std::string& file, std::size_t line) { return file + ":" + std::to_string(line); }

std::string last_component(const std::string& q) {
  const std::size_t at = q.rfind("::");
  return at == std::string::npos ? q : q.substr(at + 2);
}

// The tag of a \tag{...} at `at`: \tag{iwae.2} -> "iwae.2", and for a page name with '_',
// \tag{$\mathrm{linear\_gaussian.2}$} -> "linear_gaussian.2" (see docs/derivations/README.md, rule 1).
std::string tag_text(const std::string& math, std::size_t at) {
  std::string t = math.substr(at + 5, math.find('}', at + 5) - at - 5);
  const std::string open = "$\\mathrm{";
  if (t.rfind(open, 0) == 0) {
    t = math.substr(at + 5 + open.size(), math.find("}$}", at) - at - 5 - open.size());
    for (std::size_t u = t.find("\\_"); u != std::string::npos; u = t.find("\\_", u)) t.erase(u, 1);
  }
  return t;
}

// "(T) Computed by: `F` in `P`; checked by: test `N`." and nothing else; empty error when it matches.
std::string parse_doc_line(const std::string& paragraph, DocLine& d) {
  const std::string p = collapse_spaces(paragraph);
  std::size_t i = 0;
  auto expect = [&](const std::string& lit) {
    if (p.compare(i, lit.size(), lit) != 0) return false;
    i += lit.size();
    return true;
  };
  auto until_tick = [&](std::string& out) {
    const std::size_t e = p.find('`', i);
    if (e == std::string::npos || e == i) return false;
    out = p.substr(i, e - i);
    i = e;
    return true;
  };
  const std::string format =
      "expected \"" + d.tag.text +
      " Computed by: `tg::...` in `file`; checked by: test `name`.\" and nothing more, found \"" + p + "\"";
  if (!expect(d.tag.text + " Computed by: `") || !until_tick(d.function) || !expect("` in `") || !until_tick(d.file) ||
      !expect("`; checked by: test `") || !until_tick(d.test) || !expect("`.") || i != p.size())
    return format;
  if (d.function.rfind("tg::", 0) != 0) return "the function `" + d.function + "` is not a qualified tg:: name";
  const std::size_t paren = d.function.find('(');
  d.qualified = d.function.substr(0, paren);
  if (paren != std::string::npos) {
    if (d.function.back() != ')') return "the function `" + d.function + "` has text after its parameter list";
    d.has_params = true;
    d.params = normalise_params(d.function.substr(paren + 1, d.function.size() - paren - 2));
  }
  return "";
}

struct Index {
  std::set<std::string> pages;                         // elbo, gap, ...
  std::map<std::string, DocLine> lines;                // by tag text
  std::vector<std::string> doc_errors;                 // format, numbering, placement
  std::map<std::string, std::vector<TestCase>> tests;  // by lower-case name: more than one is a duplicate
  std::size_t n_tests = 0;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void read_page(const fs::path& path, Index& ix) {
  const std::string page = path.stem().string(), rel = "docs/derivations/" + path.filename().string();
  const std::vector<MdBlock> blocks = markdown_blocks(read_text(path));
  std::set<int> numbers;
  std::string pending;  // the tag of the last math block, waiting for its line
  std::size_t pending_line = 0;
  for (const MdBlock& b : blocks) {
    if (b.kind == MdBlock::code) continue;
    if (b.kind == MdBlock::math) {
      if (!pending.empty())
        ix.doc_errors.push_back(where(rel, pending_line) + ": " + pending + " has no line under it");
      pending.clear();
      std::string math;
      for (const std::string& l : b.lines) math += l + "\n";
      for (std::size_t at = math.find("\\tag{"); at != std::string::npos; at = math.find("\\tag{", at + 1)) {
        const std::string t = "(" + tag_text(math, at) + ")";
        const std::vector<Tag> parsed = tags_at(t);
        if (parsed.size() != 1 || parsed[0].text != t || parsed[0].page != page) {
          ix.doc_errors.push_back(where(rel, b.first_line) + ": \\tag" + t + " is not a tag of this page (" + page +
                                  ".n)");
          continue;
        }
        if (!pending.empty()) ix.doc_errors.push_back(where(rel, b.first_line) + ": two \\tag in one math block");
        if (!numbers.insert(parsed[0].number).second)
          ix.doc_errors.push_back(where(rel, b.first_line) + ": " + t + " twice");
        pending = t;
        pending_line = b.first_line;
      }
      continue;
    }
    // text: paragraphs; the first one after a tagged math block must be its line
    std::string para;
    std::size_t para_line = 0;
    auto flush = [&]() {
      if (para.empty()) return;
      const std::vector<Tag> tags = tags_at(para);
      const bool is_line = para.find("Computed by:") != std::string::npos;
      if (is_line) {
        DocLine d;
        d.tag = tags.empty() ? Tag{} : tags[0];
        d.page_file = rel;
        d.line = para_line;
        if (tags.empty() || tags[0].pos != 0) {
          ix.doc_errors.push_back(where(rel, para_line) + ": a \"Computed by:\" line must begin with its tag");
        } else if (d.tag.text != pending) {
          ix.doc_errors.push_back(where(rel, para_line) + ": the line of " + d.tag.text +
                                  " must come right after the math block with \\tag{" +
                                  d.tag.text.substr(1, d.tag.text.size() - 2) + "}");
        } else if (std::string e = parse_doc_line(para, d); !e.empty()) {
          ix.doc_errors.push_back(where(rel, para_line) + ": " + e);
        } else {
          ix.lines[d.tag.text] = d;
        }
      } else if (!pending.empty()) {
        ix.doc_errors.push_back(where(rel, pending_line) + ": " + pending +
                                " must be followed by its \"Computed by:\" line, not by \"" + para.substr(0, 60) +
                                "...\"");
      }
      pending.clear();
      para.clear();
    };
    for (std::size_t k = 0; k < b.lines.size(); ++k) {
      if (collapse_spaces(b.lines[k]).empty()) {
        flush();
        continue;
      }
      if (para.empty()) para_line = b.first_line + k;
      para += b.lines[k] + "\n";
    }
    flush();
  }
  if (!pending.empty()) ix.doc_errors.push_back(where(rel, pending_line) + ": " + pending + " has no line under it");
  for (int n = 1; n <= static_cast<int>(numbers.size()); ++n)
    if (!numbers.count(n))
      ix.doc_errors.push_back(rel + ": the tags are not numbered 1.." + std::to_string(numbers.size()) + " (no " +
                              page + "." + std::to_string(n) + ")");
}

const Index& index() {
  static const Index ix = [] {
    Index ix;
    for (const fs::path& p : files_under(root / "docs" / "derivations", {".md"})) {
      if (p.filename() == "README.md") continue;
      ix.pages.insert(p.stem().string());
      read_page(p, ix);
    }
    for (const fs::path& f : files_under(root / "tests", {".cpp", ".hpp"}))
      for (TestCase& t : test_cases(f)) {
        ++ix.n_tests;
        ix.tests[lower(t.name)].push_back(std::move(t));
      }
    return ix;
  }();
  return ix;
}

bool in_library(const std::string& file) {
  for (const std::string& d : library_dirs)
    if (file.rfind(d + "/", 0) == 0) return true;
  return false;
}

std::string list(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += "\n  " + x;
  return s.empty() ? " (none)" : s;
}

// The definitions of every library source file, by path relative to the root.
const std::map<std::string, std::pair<std::string, std::vector<FunctionDef>>>& library() {
  static const auto lib = [] {
    std::map<std::string, std::pair<std::string, std::vector<FunctionDef>>> lib;
    for (const std::string& d : library_dirs)
      for (const fs::path& f : files_under(root / d, {".cpp", ".hpp"})) {
        std::string text = read_text(f);
        std::vector<FunctionDef> defs = function_definitions(text);
        lib[fs::relative(f, root).generic_string()] = {std::move(text), std::move(defs)};
      }
    return lib;
  }();
  return lib;
}

bool matches(const FunctionDef& def, const DocLine& d) {
  return def.qualified == d.qualified && (!d.has_params || def.params == d.params);
}

// Whether text[a, b) holds the tag other than as "see (tag)".
bool claims(const std::string& text, std::size_t a, std::size_t b, const std::string& tag) {
  for (std::size_t at = text.find(tag, a); at != std::string::npos && at < b; at = text.find(tag, at + 1))
    if (!is_reference(text, at)) return true;
  return false;
}

}  // namespace

TEST_CASE("docs: every equation of docs/derivations has \\tag{page.n} and one well-formed Computed by line",
          "[docs][tags]") {
  const Index& ix = index();
  INFO("pages: " << ix.pages.size() << ", tags: " << ix.lines.size());
  CHECK(ix.pages.size() >= 8);
  CHECK(ix.lines.size() >= 42);
  INFO("errors:" << list(ix.doc_errors));
  CHECK(ix.doc_errors.empty());
}

TEST_CASE("docs: each tag's function is defined in its file, under autodiff/ nn/ prob/ vae/, with the tag in its body",
          "[docs][tags]") {
  std::vector<std::string> errors;
  for (const auto& [tag, d] : index().lines) {
    const std::string at = where(d.page_file, d.line) + ": " + tag + " `" + d.function + "` in `" + d.file + "`: ";
    if (!in_library(d.file)) {
      errors.push_back(at + "the file is not under autodiff/ nn/ prob/ vae/ (examples/ and tests/ do not count)");
      continue;
    }
    const auto it = library().find(d.file);
    if (it == library().end()) {
      errors.push_back(at + "no such source file");
      continue;
    }
    const auto& [text, defs] = it->second;
    std::vector<const FunctionDef*> found;
    for (const FunctionDef& def : defs)
      if (matches(def, d)) found.push_back(&def);
    if (found.empty()) errors.push_back(at + "no definition of it in that file");
    if (found.size() > 1) errors.push_back(at + "overloaded there: name the parameter types, `name(const A&, B)`");
    if (found.size() == 1 && !claims(text, found[0]->body_begin, found[0]->body_end, tag))
      errors.push_back(at + "the tag is not inside its body (" + where(d.file, line_of(text, found[0]->body_begin)) +
                       ")");
  }
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

TEST_CASE("docs: a tag in the library is only in or directly above its own function, or written \"see (tag)\"",
          "[docs][tags]") {
  const Index& ix = index();
  std::vector<std::string> errors;
  for (const auto& [file, entry] : library()) {
    const auto& [text, defs] = entry;
    const bool header = file.ends_with(".hpp");
    for (const Tag& t : tags_at(text)) {
      if (!ix.pages.count(t.page) || is_reference(text, t.pos)) continue;
      const std::string at = where(file, line_of(text, t.pos)) + ": " + t.text + " ";
      const auto line = ix.lines.find(t.text);
      if (line == ix.lines.end()) {
        errors.push_back(at + "is not a tag of docs/derivations/" + t.page + ".md");
        continue;
      }
      const FunctionDef* in = nullptr;
      for (const FunctionDef& def : defs)
        if (def.comment_begin <= t.pos && t.pos < def.body_end) in = &def;
      if (in == nullptr && header) continue;  // a declaration's comment
      if (in == nullptr)
        errors.push_back(at + "is outside every function: write \"see " + t.text + "\" or move it into `" +
                         line->second.qualified + "`");
      else if (!(matches(*in, line->second) && file == line->second.file))
        errors.push_back(at + "is in `" + in->qualified + "`, but the docs say `" + line->second.function +
                         "` computes it: move it, or write \"see " + t.text + "\"");
    }
  }
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

TEST_CASE("docs: test case names are unique across the whole suite (CTest names them so)", "[docs][tags]") {
  std::vector<std::string> dups;
  for (const auto& [name, cases] : index().tests)
    if (cases.size() > 1) {
      std::string s = "\"" + cases[0].name + "\" at";
      for (const TestCase& t : cases) s += " " + where(fs::relative(t.file, root).generic_string(), t.line);
      dups.push_back(s);
    }
  CHECK(index().n_tests > 100);
  INFO("duplicates:" << list(dups));
  CHECK(dups.empty());
}

TEST_CASE("docs: each tag's test exists once, carries the tag, is no [math] re-derivation, and calls the function",
          "[docs][tags]") {
  std::vector<std::string> errors;
  for (const auto& [tag, d] : index().lines) {
    const std::string at = where(d.page_file, d.line) + ": " + tag + " test `" + d.test + "`: ";
    const auto it = index().tests.find(lower(d.test));
    if (it == index().tests.end() || it->second[0].name != d.test) {
      errors.push_back(at + "no test case has exactly this name");
      continue;
    }
    const TestCase& t = it->second[0];
    if (t.name.find(tag) == std::string::npos) errors.push_back(at + "its name does not carry " + tag);
    if (t.tags.find("[math]") != std::string::npos) errors.push_back(at + "it is a [math] re-derivation");
    if (!calls(t.body, last_component(d.qualified)))
      errors.push_back(at + "it never calls " + last_component(d.qualified) + "(...) (" +
                       where(fs::relative(t.file, root).generic_string(), t.line) + ")");
  }
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

TEST_CASE("docs: a test whose name carries a tag calls the tag's function or is labelled [math]", "[docs][tags]") {
  const Index& ix = index();
  std::vector<std::string> errors;
  for (const auto& [key, cases] : ix.tests)
    for (const TestCase& t : cases)
      for (const Tag& tag : tags_at(t.name)) {
        if (!ix.pages.count(tag.page) || is_reference(t.name, tag.pos)) continue;
        const std::string at = where(fs::relative(t.file, root).generic_string(), t.line) + ": \"" + t.name + "\": ";
        const auto line = ix.lines.find(tag.text);
        if (line == ix.lines.end())
          errors.push_back(at + tag.text + " is not a tag of docs/derivations/" + tag.page + ".md");
        else if (t.tags.find("[math]") == std::string::npos && !calls(t.body, last_component(line->second.qualified)))
          errors.push_back(at + "carries " + tag.text + " but never calls " + line->second.function +
                           "; label it [math] if it checks the math by other means, or drop the tag");
      }
  INFO("errors:" << list(errors));
  CHECK(errors.empty());
}

namespace {

std::string cell(const std::string& s) {  // a table cell: '|' escaped, so that it does not split the row
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

const std::string table_begin = "<!-- tag table: generated by tests/docs/test_doc_tags.cpp; do not edit by hand -->";
const std::string table_end = "<!-- end of tag table -->";

std::string tag_table() {
  std::vector<const DocLine*> rows;
  for (const auto& [tag, d] : index().lines) rows.push_back(&d);
  std::sort(rows.begin(), rows.end(), [](const DocLine* a, const DocLine* b) {
    return a->tag.page != b->tag.page ? a->tag.page < b->tag.page : a->tag.number < b->tag.number;
  });
  std::ostringstream t;
  t << table_begin << "\n\n| Tag | Computed by | In | Checked by test | In |\n|---|---|---|---|---|\n";
  for (const DocLine* d : rows) {
    const auto it = index().tests.find(lower(d->test));
    const std::string test_file =
        it == index().tests.end() ? "?" : fs::relative(it->second[0].file, root).generic_string();
    t << "| [" << d->tag.text << "](" << d->tag.page << ".md) | `" << cell(d->function) << "` | [" << d->file
      << "](../../" << d->file << ") | `" << cell(d->test) << "` | [" << test_file << "](../../" << test_file
      << ") |\n";
  }
  t << "\n" << rows.size() << " tags.\n\n" << table_end;
  return t.str();
}

}  // namespace

TEST_CASE("docs: the tag table in docs/derivations/README.md is the one the docs generate", "[docs][tags]") {
  const fs::path readme = root / "docs" / "derivations" / "README.md";
  const std::string text = read_text(readme), table = tag_table();
  const std::size_t a = text.find(table_begin), b = text.find(table_end);
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  const std::string current = text.substr(a, b + table_end.size() - a);
  if (current != table && std::getenv("TG_WRITE_TAG_TABLE") != nullptr) {
    std::ofstream(readme.string() + ".tmp", std::ios::binary)
        << text.substr(0, a) << table << text.substr(b + table_end.size());
    fs::rename(readme.string() + ".tmp", readme);
    SUCCEED("rewrote the table in " << readme);
    return;
  }
  INFO("the table should read (TG_WRITE_TAG_TABLE=1 rewrites it):\n" << table);
  CHECK(current == table);
}
