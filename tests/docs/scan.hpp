// A small reader of the project's own C++ and Markdown, for the tests of docs/: it finds function definitions
// (qualified name, parameter types, body), the names a header declares, the TEST_CASEs of the suite, the equation
// tags (page.n), and the blocks, code spans and math of a Markdown page. It is not a C++ parser: it relies on
// the house style (one definition per block, no macros that open or close braces), which the tests that use it
// keep true.
#pragma once
#include <cstddef>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace tg::docs {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path);
// The regular files under dir (recursively) whose extension is one of extensions, sorted.
std::vector<fs::path> files_under(const fs::path& dir, const std::set<std::string>& extensions);
std::size_t line_of(const std::string& text, std::size_t pos);  // 1-based
std::string collapse_spaces(const std::string& s);              // runs of whitespace -> one space, trimmed

// ---- tags -----------------------------------------------------------------------------------------------------

// An equation tag (page.n) at `pos`: '(' then [a-z_]+ then '.' then [0-9]+ then ')'.
struct Tag {
  std::string text, page;  // "(gap.2)", "gap"
  int number = 0;          // 2
  std::size_t pos = 0;
};
std::vector<Tag> tags_at(const std::string& s);
// A tag in code or a test name is a reference, not a claim, when it follows "see ": "see (reparam.1)".
bool is_reference(const std::string& s, std::size_t tag_pos);

// ---- C++ ----------------------------------------------------------------------------------------------------------

// text with comments, string and character literals and preprocessor lines replaced by spaces (newlines kept), so
// that positions agree with text and braces or parentheses in comments do not count.
std::string mask_cpp(const std::string& text);

struct FunctionDef {
  std::string qualified;      // "tg::vae::exact::LinearGaussian::log_px"
  std::string params;         // the parameter types, normalised: "const Vector&"
  std::size_t comment_begin;  // the comment lines directly above the definition (== head_begin if none)
  std::size_t head_begin;     // the first character of the declaration
  std::size_t body_begin;     // the '{' of the body
  std::size_t body_end;       // one past its '}'
};
// The function definitions of a source file at namespace or class scope (not lambdas inside bodies).
std::vector<FunctionDef> function_definitions(const std::string& text);
// The parameter types of a parameter list (without the parentheses), normalised as in FunctionDef::params.
std::string normalise_params(const std::string& list);

// The qualified names a header declares or defines at namespace or class scope: functions, classes, structs, enums
// and their enumerators, type aliases and variables. Namespaces too ("tg::prob").
std::set<std::string> declared_names(const std::string& text);

// Whether `code` (masked) calls `name`: the identifier followed by '(' (or '<' for a template), or passed on as a
// callable (followed by ')' or ','), and not part of a longer identifier.
bool calls(const std::string& code, const std::string& name);

struct TestCase {
  std::string name, tags;  // "(iwae.6) iwae_bound matches ...", "[iwae]"
  fs::path file;
  std::size_t line = 0;
  std::string body;  // the masked body: code only
};
std::vector<TestCase> test_cases(const fs::path& file);

// ---- comments -------------------------------------------------------------------------------------------------

// The files of the repository at root that git tracks (relative, '/'-separated, sorted, only those present). Without
// git (a source archive), every regular file outside .git and the build trees (build*, out).
std::vector<std::string> tracked_files(const fs::path& root);

// One line of a comment: its 1-based line and the comment's text on it, without the marker ("//", "/*", "#", the
// '*' that opens a line inside a block comment, or the quotes of a docstring).
struct CommentLine {
  std::size_t line = 0;
  std::string text;
};
// The comments of a source file, in order. The kind of file is told by its name: C++ (.cpp, .hpp): // and /* */
// outside string and character literals; Python (.py): # outside strings, and the triple-quoted strings that open a
// line (docstrings); shell (.sh), CMake (.cmake, CMakeLists.txt): # at the start of a line or after a space, outside
// quotes, except a first #! line. Other files have none.
std::vector<CommentLine> comments_of(const std::string& filename, const std::string& text);

// ---- Markdown ---------------------------------------------------------------------------------------------------

struct MdBlock {
  enum Kind { text, code, math } kind;  // code: a fenced block of any other language; math: ```math
  std::size_t first_line;               // 1-based line of the opening fence or of the first text line
  std::vector<std::string> lines;       // without the fences
};
std::vector<MdBlock> markdown_blocks(const std::string& text);

// A span of a text line: `code` or $math$.
struct Span {
  enum Kind { code, math } kind;
  std::size_t begin, end;  // of the content, without the delimiters
};
std::vector<Span> inline_spans(const std::string& line);

}  // namespace tg::docs
