// The tag rule of the house (DESIGN.md, "vae"): every equation tag (page.n) that docs/derivations/page.md
// defines appears in the code that computes it (autodiff/ nn/ prob/ vae/ examples/) and in the name of a test
// that checks it (a TEST_CASE under tests/), so that a reader can go equation -> code -> test and back with
// grep.
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// A tag (page.n) at `pos`: '(' then [a-z_]+ then '.' then [0-9]+ then ')'. (A hand-written scanner rather
// than std::regex, which is slow under the sanitizers and trips GCC 12's -Wmaybe-uninitialized there.)
struct Tag {
  std::string text, page;  // "(gap.2)", "gap"
  std::size_t pos;
};

std::vector<Tag> tags_at(const std::string& s) {
  std::vector<Tag> tags;
  for (std::size_t open = s.find('('); open != std::string::npos; open = s.find('(', open + 1)) {
    std::size_t i = open + 1;
    while (i < s.size() && (std::islower(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    const std::size_t dot = i;
    if (dot == open + 1 || dot >= s.size() || s[dot] != '.') continue;
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == dot + 1 || i >= s.size() || s[i] != ')') continue;
    tags.push_back({s.substr(open, i + 1 - open), s.substr(open + 1, dot - open - 1), open});
  }
  return tags;
}

std::set<std::string> tags_in(const std::string& text) {
  std::set<std::string> tags;
  for (const Tag& tag : tags_at(text)) tags.insert(tag.text);
  return tags;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> files_under(const fs::path& dir, const std::set<std::string>& extensions) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && extensions.count(entry.path().extension().string())) files.push_back(entry.path());
  return files;
}

struct DocTags {
  std::set<std::string> pages;      // the page names: elbo, gap, ...
  std::set<std::string> defined;    // (page.n) found on page.md
  std::set<std::string> test_only;  // defined tags whose "Computed by:" is "the test itself": no library code
  std::map<std::string, std::string> referenced_on;  // every tag mentioned on any page -> a page mentioning it
};

DocTags doc_tags(const fs::path& docs) {
  DocTags t;
  const std::string marker = "Computed by: the test itself";
  for (const fs::path& page : files_under(docs, {".md"})) {
    const std::string text = read_text(page), stem = page.stem().string();
    t.pages.insert(stem);
    for (const Tag& tag : tags_at(text)) {
      t.referenced_on.emplace(tag.text, page.filename().string());
      if (tag.page != stem || t.defined.count(tag.text)) continue;
      t.defined.insert(tag.text);  // the first mention on its own page is the equation; then its "Computed by:"
      const std::size_t computed = text.find("Computed by:", tag.pos);
      if (computed != std::string::npos && text.compare(computed, marker.size(), marker) == 0)
        t.test_only.insert(tag.text);
    }
  }
  return t;
}

std::set<std::string> code_tags(const fs::path& root) {
  std::set<std::string> tags;
  for (const char* dir : {"autodiff", "nn", "prob", "vae", "examples"})
    for (const fs::path& file : files_under(root / dir, {".hpp", ".cpp", ".h", ".cc"}))
      for (const std::string& tag : tags_in(read_text(file))) tags.insert(tag);
  return tags;
}

// The names of the TEST_CASEs in text: the first argument, one string literal or several adjacent ones.
std::vector<std::string> test_names(const std::string& text) {
  std::vector<std::string> names;
  const std::string macro = std::string("TEST_CASE") + "(";  // split, so that this line is not a match
  for (std::size_t at = text.find(macro); at != std::string::npos; at = text.find(macro, at + 1)) {
    std::size_t i = at + macro.size();
    std::string name;
    bool any = false;
    for (;;) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size() || text[i] != '"') break;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        name += text[i];
      }
      ++i;
      any = true;
    }
    if (any) names.push_back(name);
  }
  return names;
}

std::set<std::string> test_name_tags(const fs::path& root, std::size_t& n_tests) {
  std::set<std::string> tags;
  n_tests = 0;
  for (const fs::path& file : files_under(root / "tests", {".cpp", ".hpp"}))
    for (const std::string& name : test_names(read_text(file))) {
      ++n_tests;
      for (const std::string& tag : tags_in(name)) tags.insert(tag);
    }
  return tags;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : " ") + x;
  return s.empty() ? "(none)" : s;
}

}  // namespace

TEST_CASE("every equation tag of docs/derivations appears in the code that computes it and in a test name", "[docs]") {
  const fs::path root = TG_SOURCE_DIR;
  const DocTags docs = doc_tags(root / "docs" / "derivations");
  REQUIRE(docs.defined.size() >= 40);  // the pages were found and read (8 pages, 42 equations when this was written)
  const std::set<std::string> in_code = code_tags(root);
  std::size_t n_tests = 0;
  const std::set<std::string> in_tests = test_name_tags(root, n_tests);
  REQUIRE(n_tests > 50);

  std::vector<std::string> missing_code, missing_test, undefined;
  for (const std::string& tag : docs.defined) {
    if (!in_code.count(tag) && !docs.test_only.count(tag)) missing_code.push_back(tag);
    if (!in_tests.count(tag)) missing_test.push_back(tag);
  }
  for (const auto& [tag, page] : docs.referenced_on)
    if (!docs.defined.count(tag)) undefined.push_back(tag + " on " + page);
  for (const std::set<std::string>* used : {&in_code, &in_tests})
    for (const std::string& tag : *used)
      if (!docs.defined.count(tag) && docs.pages.count(tag.substr(1, tag.find('.') - 1)))  // a page's tag, not (x.0)
        undefined.push_back(tag + (used == &in_code ? " in code" : " in a test name"));

  INFO("tags computed only by a test (their page says so): " << join({docs.test_only.begin(), docs.test_only.end()}));
  INFO("defined but in no code file under autodiff/ nn/ prob/ vae/ examples/: " << join(missing_code));
  INFO("defined but in no TEST_CASE name under tests/: " << join(missing_test));
  INFO("used but defined on no page of docs/derivations/: " << join(undefined));
  CHECK(missing_code.empty());
  CHECK(missing_test.empty());
  CHECK(undefined.empty());
}
