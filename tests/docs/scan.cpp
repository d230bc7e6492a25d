// See scan.hpp. Hand-written scanners rather than std::regex, which is slow under the sanitizers.
#include "docs/scan.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace tg::docs {

namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && space(s[a])) ++a;
  while (b > a && space(s[b - 1])) --b;
  return s.substr(a, b - a);
}

// The position of the bracket that closes the one at `open` ('(' ')' or '{' '}' or '<' '>'), in masked code;
// npos if it is not closed.
std::size_t matching(const std::string& code, std::size_t open) {
  const char o = code[open], c = o == '(' ? ')' : o == '{' ? '}' : o == '[' ? ']' : '>';
  int depth = 0;
  for (std::size_t i = open; i < code.size(); ++i) {
    if (code[i] == o) ++depth;
    if (code[i] == c && --depth == 0) return i;
  }
  return std::string::npos;
}

std::size_t skip_space(const std::string& s, std::size_t i) {
  while (i < s.size() && space(s[i])) ++i;
  return i;
}

// The identifiers of s in order.
std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    if (ident_char(s[i])) {
      std::size_t j = i;
      while (j < s.size() && ident_char(s[j])) ++j;
      out.push_back(s.substr(i, j - i));
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

bool has_word(const std::string& s, const std::string& w) {
  const std::vector<std::string> ws = words(s);
  return std::find(ws.begin(), ws.end(), w) != ws.end();
}

// The first '(' of s outside template angle brackets, or npos.
std::size_t first_paren(const std::string& s) {
  int angle = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] != '<' && (i == 0 || s[i - 1] != '<')) ++angle;
    if (s[i] == '>' && angle > 0 && (i == 0 || s[i - 1] != '-')) --angle;
    if (s[i] == '(' && angle == 0) return i;
  }
  return std::string::npos;
}

// The (possibly qualified) name that ends just before position `end` of s: "LinearGaussian::log_px", "~Tape",
// "operator+=". Empty if there is none.
std::string name_before(const std::string& s, std::size_t end) {
  std::size_t i = end;
  while (i > 0 && space(s[i - 1])) --i;
  const std::size_t stop = i;
  // operator symbols: scan back over punctuation to the word "operator"
  std::size_t j = i;
  while (j > 0 && std::string_view("+-*/%^&|~!=<>[]()").find(s[j - 1]) != std::string_view::npos) --j;
  if (j >= 8 && s.compare(j - 8, 8, "operator") == 0) i = j - 8;
  for (;;) {
    while (i > 0 && (ident_char(s[i - 1]) || s[i - 1] == '~')) --i;
    if (i >= 2 && s[i - 1] == ':' && s[i - 2] == ':') {
      i -= 2;
      continue;
    }
    break;
  }
  std::string name = s.substr(i, stop - i);
  name.erase(std::remove_if(name.begin(), name.end(), space), name.end());
  return name;
}

std::string join_scope(const std::vector<std::string>& scope, const std::string& name) {
  std::string q;
  for (const std::string& s : scope)
    if (!s.empty()) q += s + "::";
  return q + name;
}

// The start of the run of '//' comment lines directly above the line holding `pos` (pos itself if none).
std::size_t comment_above(const std::string& text, std::size_t pos) {
  std::size_t line_start = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  std::size_t begin = pos;
  while (line_start > 0) {
    const std::size_t prev_end = line_start - 1;  // the '\n' ending the previous line
    std::size_t prev_start = prev_end == 0 ? 0 : text.rfind('\n', prev_end - 1);
    prev_start = prev_start == std::string::npos ? 0 : prev_start + 1;
    const std::string line = trim(text.substr(prev_start, prev_end - prev_start));
    if (line.rfind("//", 0) != 0) break;
    begin = prev_start;
    line_start = prev_start;
  }
  return begin;
}

struct Scope {
  std::string name;  // "" for an anonymous namespace or a transparent block
  std::size_t end;   // position of the closing '}'
};

// Walks the blocks of masked code at namespace and class scope. For each declaration that opens a block, on_block
// is told its head (from the end of the previous declaration), the '{' and the scope; it returns how to treat it.
enum class Block { scope, skip };

}  // namespace

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
  std::sort(files.begin(), files.end());
  return files;
}

std::size_t line_of(const std::string& text, std::size_t pos) {
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

std::string collapse_spaces(const std::string& s) {
  std::string out;
  bool gap = false;
  for (char c : s) {
    if (space(c)) {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += ' ';
    gap = false;
    out += c;
  }
  return out;
}

// ---- tags -------------------------------------------------------------------------------------------------------

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
    tags.push_back({s.substr(open, i + 1 - open), s.substr(open + 1, dot - open - 1),
                    std::stoi(s.substr(dot + 1, i - dot - 1)), open});
  }
  return tags;
}

bool is_reference(const std::string& s, std::size_t tag_pos) {
  return tag_pos >= 4 && s.compare(tag_pos - 4, 4, "see ") == 0;
}

// ---- C++ --------------------------------------------------------------------------------------------------------

std::string mask_cpp(const std::string& text) {
  std::string m = text;
  auto blank = [&m](std::size_t a, std::size_t b) {
    for (std::size_t k = a; k < b && k < m.size(); ++k)
      if (m[k] != '\n') m[k] = ' ';
  };
  bool line_start = true;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (line_start && c == '#') {  // a preprocessor line, with its continuations
      std::size_t e = i;
      while (e < text.size() && !(text[e] == '\n' && text[e - 1] != '\\')) ++e;
      blank(i, e);
      i = e;
      continue;
    }
    if (!space(c)) line_start = false;
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      const std::size_t e = std::min(text.find('\n', i), text.size());
      blank(i, e);
      i = e;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const std::size_t e = std::min(text.find("*/", i + 2), text.size() - 2) + 2;
      blank(i, e);
      i = e;
    } else if (c == '"' && i > 0 && text[i - 1] == 'R') {  // raw string R"delim( ... )delim"
      const std::size_t open = text.find('(', i);
      const std::string close = ")" + text.substr(i + 1, open - i - 1) + "\"";
      const std::size_t e = std::min(text.find(close, open), text.size() - close.size()) + close.size();
      blank(i, e);
      i = e;
    } else if (c == '"' || (c == '\'' && !(i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))))) {
      std::size_t e = i + 1;
      while (e < text.size() && text[e] != c && text[e] != '\n') e += text[e] == '\\' ? 2 : 1;
      blank(i, e + 1);
      i = e + 1;
    } else {
      ++i;
    }
  }
  return m;
}

std::string normalise_params(const std::string& list) {
  std::vector<std::string> params;
  int depth = 0;
  std::string cur;
  for (char c : list) {
    if (c == '(' || c == '<' || c == '{' || c == '[') ++depth;
    if (c == ')' || c == '>' || c == '}' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      params.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!trim(cur).empty()) params.push_back(cur);
  std::string out;
  for (std::string p : params) {
    // drop a default value, then the parameter's name (a last identifier after a type)
    int d = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i] == '(' || p[i] == '<' || p[i] == '{') ++d;
      if (p[i] == ')' || p[i] == '>' || p[i] == '}') --d;
      if (p[i] == '=' && d == 0) {
        p = p.substr(0, i);
        break;
      }
    }
    p = trim(p);
    std::size_t e = p.size();
    while (e > 0 && ident_char(p[e - 1])) --e;
    const std::string prefix = trim(p.substr(0, e));
    if (e < p.size() && !prefix.empty() && prefix.back() != ':' && prefix != "const" && prefix != "unsigned" &&
        prefix != "long" && prefix != "signed")
      p = prefix;
    // normalise spacing: none around & * < > , ::
    std::string q;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (space(p[i])) {
        const std::size_t j = skip_space(p, i);
        const char before = q.empty() ? ' ' : q.back(), after = j < p.size() ? p[j] : ' ';
        if (ident_char(before) && ident_char(after)) q += ' ';
        i = j - 1;
        continue;
      }
      q += p[i];
    }
    out += (out.empty() ? "" : ",") + q;
  }
  return out;
}

namespace {

// The walk shared by function_definitions and declared_names. on_def(qualified, params, head_begin, '{', '}') is
// called for each function definition; on_decl(qualified) for each declared name.
template <class OnDef, class OnDecl>
void walk(const std::string& text, const std::string& code, OnDef on_def, OnDecl on_decl) {
  std::vector<Scope> scopes;
  std::vector<std::string> names;  // the names of the open scopes
  std::size_t head = 0;
  auto declare_from_statement = [&](const std::string& stmt) {
    const std::string s = trim(stmt);
    if (s.empty()) return;
    const std::vector<std::string> ws = words(s);
    if (ws.empty()) return;
    if (ws[0] == "using" && ws.size() >= 2 && ws[1] != "namespace") {  // using X = ...; using a::b;
      const std::size_t eq = s.find('=');
      on_decl(join_scope(names, eq != std::string::npos ? trim(name_before(s, eq)) : ws.back()));
      return;
    }
    if (ws[0] == "friend" || ws[0] == "return" || (ws[0] == "template" && ws.size() == 1)) return;
    const std::size_t paren = first_paren(s);
    const std::size_t eq = s.find('=');
    if (paren != std::string::npos && (eq == std::string::npos || paren < eq)) {
      const std::string n = name_before(s, paren);
      if (!n.empty()) on_decl(join_scope(names, n));
      return;
    }
    // a variable or a forward declaration: the last name before '=', '{' or the end
    std::size_t end = eq != std::string::npos ? eq : s.size();
    std::string n = name_before(s, end);
    if (n.empty()) return;
    on_decl(join_scope(names, n));
  };
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == ';') {
      declare_from_statement(code.substr(head, i - head));
      head = i + 1;
    } else if (c == '}') {
      if (!scopes.empty() && scopes.back().end == i) {
        scopes.pop_back();
        names.pop_back();
      }
      head = i + 1;
    } else if (c == '{') {
      const std::size_t close = matching(code, i);
      if (close == std::string::npos) return;
      const std::string h = code.substr(head, i - head);
      if (std::count(h.begin(), h.end(), '(') > std::count(h.begin(), h.end(), ')')) {
        i = close;  // a brace initialiser inside parentheses (a default argument `= {}`): the statement goes on
        continue;
      }
      const std::vector<std::string> ws = words(h);
      const std::size_t paren = first_paren(h);
      const std::size_t eq = h.find('=');
      if (!ws.empty() && ws[0] == "namespace") {
        std::string n = trim(h.substr(h.find("namespace") + 9));
        n.erase(std::remove_if(n.begin(), n.end(), space), n.end());
        if (n.rfind("inline", 0) == 0) n = n.substr(6);
        scopes.push_back({n, close});
        names.push_back(n);
        if (!n.empty()) on_decl(join_scope(std::vector<std::string>(names.begin(), names.end() - 1), n));
        head = i + 1;
        continue;
      }
      if (!ws.empty() && ws[0] == "extern" && paren == std::string::npos) {  // extern "C" { ... }
        scopes.push_back({"", close});
        names.push_back("");
        head = i + 1;
        continue;
      }
      if (has_word(h, "enum") && paren == std::string::npos) {
        std::size_t colon = h.find(':');
        std::string n = name_before(h, colon == std::string::npos ? h.size() : colon);
        const std::string full = join_scope(names, n);
        on_decl(full);
        const bool scoped = has_word(h, "class") || has_word(h, "struct");
        for (std::string e : words(code.substr(i + 1, close - i - 1))) {
          if (!e.empty() && !std::isdigit(static_cast<unsigned char>(e[0])))
            on_decl(scoped ? full + "::" + e : join_scope(names, e));
        }
        i = close;
        head = close + 1;
        continue;
      }
      const bool is_class = (has_word(h, "class") || has_word(h, "struct") || has_word(h, "union")) &&
                            (paren == std::string::npos) && (eq == std::string::npos);
      if (is_class) {
        // the name after the last class/struct/union keyword outside template brackets
        std::string n;
        const std::vector<std::string> hw = words(h);
        for (std::size_t k = 0; k + 1 < hw.size(); ++k)
          if (hw[k] == "class" || hw[k] == "struct" || hw[k] == "union") n = hw[k + 1];
        if (n == "alignas" || n == "final") n.clear();
        on_decl(join_scope(names, n));
        scopes.push_back({n, close});
        names.push_back(n);
        head = i + 1;
        continue;
      }
      if (paren != std::string::npos && (eq == std::string::npos || paren < eq)) {
        const std::size_t pclose = matching(h, paren);
        // a member's brace initialiser inside a constructor's initialiser list: `: x_{...}, y(...) {`
        if (pclose != std::string::npos) {
          const std::string after = h.substr(pclose + 1);
          const std::size_t colon = after.find(':');
          const bool init_list = colon != std::string::npos && (colon + 1 >= after.size() || after[colon + 1] != ':');
          std::size_t b = i;
          while (b > 0 && space(code[b - 1])) --b;
          const std::size_t next = skip_space(code, close + 1);
          if (init_list && b > 0 && ident_char(code[b - 1]) && next < code.size() &&
              (code[next] == ',' || code[next] == '{')) {
            i = close;  // not the body: keep looking for it
            continue;
          }
        }
        const std::string n = name_before(h, paren);
        std::size_t head_begin = head;
        while (head_begin < i && space(code[head_begin])) ++head_begin;
        if (!n.empty() && pclose != std::string::npos) {
          on_def(join_scope(names, n), normalise_params(h.substr(paren + 1, pclose - paren - 1)), head_begin, i,
                 close + 1);
          on_decl(join_scope(names, n));
        }
        i = close;
        head = close + 1;
        continue;
      }
      // anything else (an initialiser list, an array): not a scope
      declare_from_statement(h);
      i = close;
      // the statement goes on to its ';'
    }
  }
  (void)text;
}

}  // namespace

std::vector<FunctionDef> function_definitions(const std::string& text) {
  const std::string code = mask_cpp(text);
  std::vector<FunctionDef> defs;
  walk(
      text, code,
      [&](const std::string& q, const std::string& params, std::size_t head_begin, std::size_t open, std::size_t end) {
        defs.push_back({q, params, comment_above(text, head_begin), head_begin, open, end});
      },
      [](const std::string&) {});
  return defs;
}

std::set<std::string> declared_names(const std::string& text) {
  const std::string code = mask_cpp(text);
  std::set<std::string> names;
  walk(
      text, code, [](const std::string&, const std::string&, std::size_t, std::size_t, std::size_t) {},
      [&](const std::string& q) { names.insert(q); });
  return names;
}

bool calls(const std::string& code, const std::string& name) {
  for (std::size_t at = code.find(name); at != std::string::npos; at = code.find(name, at + 1)) {
    if (at > 0 && ident_char(code[at - 1])) continue;
    const std::size_t next = skip_space(code, at + name.size());
    // a call f(...), f<T>(...), or f passed on as a callable: g(f), g(f, ...)
    if (next < code.size() && std::string_view("(<),").find(code[next]) != std::string_view::npos) return true;
  }
  return false;
}

std::vector<TestCase> test_cases(const fs::path& file) {
  const std::string text = read_text(file), code = mask_cpp(text);
  std::vector<TestCase> out;
  const std::string macro = "TEST_CASE";
  for (std::size_t at = code.find(macro); at != std::string::npos; at = code.find(macro, at + 1)) {
    if ((at > 0 && ident_char(code[at - 1])) ||
        (at + macro.size() < code.size() && ident_char(code[at + macro.size()])))
      continue;
    const std::size_t open = skip_space(code, at + macro.size());
    if (open >= code.size() || code[open] != '(') continue;
    const std::size_t close = matching(code, open);
    if (close == std::string::npos) continue;
    // the arguments: string literals of the raw text, the first run of them is the name, the next the tags
    std::vector<std::string> args(1);
    for (std::size_t i = open + 1; i < close; ++i) {
      if (text[i] == ',' && code[i] == ',') {
        args.emplace_back();
      } else if (text[i] == '"') {
        for (++i; i < close && text[i] != '"'; ++i) {
          if (text[i] == '\\' && i + 1 < close) ++i;
          args.back() += text[i];
        }
      }
    }
    const std::size_t body = skip_space(code, close + 1);
    if (body >= code.size() || code[body] != '{') continue;
    const std::size_t end = matching(code, body);
    if (end == std::string::npos) continue;
    out.push_back({args[0], args.size() > 1 ? args[1] : "", file, line_of(text, at), code.substr(body, end - body)});
  }
  return out;
}

// ---- comments ---------------------------------------------------------------------------------------------------

std::vector<std::string> tracked_files(const fs::path& root) {
  std::vector<std::string> files;
  std::string quoted = "'";
  for (char c : root.string()) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  if (FILE* pipe = popen(("git -C " + quoted + " ls-files -z 2>/dev/null").c_str(), "r")) {
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    const int status = pclose(pipe);
    for (std::size_t a = 0; status == 0 && a < out.size();) {
      const std::size_t e = std::min(out.find('\0', a), out.size());
      if (fs::is_regular_file(root / out.substr(a, e - a))) files.push_back(out.substr(a, e - a));
      a = e + 1;
    }
  }
  if (files.empty()) {  // not a git checkout
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
      const std::string rel = fs::relative(it->path(), root).generic_string();
      if (it->is_directory() && (rel.rfind("build", 0) == 0 || rel == "out" || rel == ".git")) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file()) files.push_back(rel);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

// Appends the comment text[a, b), which starts on line `line`, one CommentLine per line. In a block comment the
// '*' that opens a continuation line is dropped.
void emit(std::vector<CommentLine>& out, const std::string& text, std::size_t a, std::size_t b, std::size_t line,
          bool block) {
  b = std::min(b, text.size());
  for (bool first = true; a <= b; first = false, ++line) {
    const std::size_t e = std::min(text.find('\n', a), b);
    std::string s = text.substr(a, e - a);
    if (block && !first) {
      const std::size_t k = s.find_first_not_of(" \t");
      if (k != std::string::npos && s[k] == '*') s = s.substr(k + 1);
    }
    if (!trim(s).empty()) out.push_back({line, s});
    if (e >= b) break;
    a = e + 1;
  }
}

// Moves i to `to` (at most the end of t), counting the newlines passed in line.
void advance(const std::string& t, std::size_t& i, std::size_t to, std::size_t& line) {
  to = std::min(to, t.size());
  line +=
      static_cast<std::size_t>(std::count(t.begin() + static_cast<long>(i), t.begin() + static_cast<long>(to), '\n'));
  i = to;
}

std::vector<CommentLine> cpp_comments(const std::string& t) {
  std::vector<CommentLine> out;
  std::size_t line = 1;
  for (std::size_t i = 0; i < t.size();) {
    const char c = t[i];
    if (c == '/' && i + 1 < t.size() && t[i + 1] == '/') {
      const std::size_t e = std::min(t.find('\n', i), t.size());
      emit(out, t, i + 2, e, line, false);
      advance(t, i, e, line);
    } else if (c == '/' && i + 1 < t.size() && t[i + 1] == '*') {
      const std::size_t e = std::min(t.find("*/", i + 2), t.size());
      emit(out, t, i + 2, e, line, true);
      advance(t, i, e + 2, line);
    } else if (c == '"' && i > 0 && t[i - 1] == 'R') {  // raw string R"delim( ... )delim"
      const std::size_t open = std::min(t.find('(', i), t.size());
      const std::string close = ")" + t.substr(i + 1, open - i - 1) + "\"";
      const std::size_t e = t.find(close, open);
      advance(t, i, e == std::string::npos ? t.size() : e + close.size(), line);
    } else if (c == '"' || (c == '\'' && !(i > 0 && std::isalnum(static_cast<unsigned char>(t[i - 1]))))) {
      std::size_t e = i + 1;
      while (e < t.size() && t[e] != c && t[e] != '\n') e += t[e] == '\\' ? 2 : 1;
      advance(t, i, e + 1, line);
    } else {
      advance(t, i, i + 1, line);
    }
  }
  return out;
}

// Python, shell and CMake: '#' to the end of the line, outside quotes.
enum class Lang { python, shell, cmake };

std::vector<CommentLine> hash_comments(const std::string& t, Lang lang) {
  std::vector<CommentLine> out;
  std::size_t line = 1;
  auto at_line_start = [&t](std::size_t i) {  // only spaces before i on its line
    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t')) --i;
    return i == 0 || t[i - 1] == '\n';
  };
  for (std::size_t i = 0; i < t.size();) {
    const char c = t[i];
    const bool triple = lang == Lang::python && (t.compare(i, 3, R"(""")") == 0 || t.compare(i, 3, "'''") == 0);
    if (c == '#' && lang == Lang::cmake && t.compare(i, 3, "#[[") == 0) {  // a bracket comment #[[ ... ]]
      const std::size_t e = std::min(t.find("]]", i), t.size());
      emit(out, t, i + 3, e, line, false);
      advance(t, i, e + 2, line);
    } else if (c == '#') {
      const std::size_t e = std::min(t.find('\n', i), t.size());
      const bool shebang = i == 0 && t.compare(0, 2, "#!") == 0;
      const bool starts = lang != Lang::shell || i == 0 || space(t[i - 1]) || t[i - 1] == ';';
      if (!shebang && starts) emit(out, t, i + 1, e, line, false);
      advance(t, i, starts ? e : i + 1, line);
    } else if (triple) {
      const std::string q = t.substr(i, 3);
      std::size_t e = i + 3;
      while (e < t.size() && t.compare(e, 3, q) != 0) e += t[e] == '\\' ? 2 : 1;
      if (at_line_start(i)) emit(out, t, i + 3, e, line, false);  // a docstring
      advance(t, i, e + 3, line);
    } else if (c == '"' || (c == '\'' && lang != Lang::cmake)) {
      // Python strings end with their line; shell and CMake strings may span lines; '...' in shell has no escapes
      std::size_t e = i + 1;
      while (e < t.size() && t[e] != c && !(lang == Lang::python && t[e] == '\n'))
        e += t[e] == '\\' && !(lang == Lang::shell && c == '\'') ? 2 : 1;
      advance(t, i, e + 1, line);
    } else if (c == '\\') {
      advance(t, i, i + 2, line);
    } else {
      advance(t, i, i + 1, line);
    }
  }
  return out;
}

}  // namespace

std::vector<CommentLine> comments_of(const std::string& filename, const std::string& text) {
  const fs::path p(filename);
  const std::string name = p.filename().string(), ext = p.extension().string();
  if (ext == ".cpp" || ext == ".hpp") return cpp_comments(text);
  if (ext == ".py") return hash_comments(text, Lang::python);
  if (ext == ".sh") return hash_comments(text, Lang::shell);
  if (ext == ".cmake" || name == "CMakeLists.txt") return hash_comments(text, Lang::cmake);
  return {};
}

// ---- Markdown ---------------------------------------------------------------------------------------------------

std::vector<MdBlock> markdown_blocks(const std::string& text) {
  std::vector<MdBlock> blocks;
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  std::string fence;  // the open fence ("```" or "~~~", possibly longer), empty outside a fenced block
  while (std::getline(in, line)) {
    ++n;
    const std::string t = trim(line);
    if (fence.empty()) {
      if (t.rfind("```", 0) == 0 || t.rfind("~~~", 0) == 0) {
        std::size_t k = 0;
        while (k < t.size() && t[k] == t[0]) ++k;
        fence = t.substr(0, k);
        const std::string lang = trim(t.substr(k));
        blocks.push_back({lang == "math" ? MdBlock::math : MdBlock::code, n, {}});
        continue;
      }
      if (blocks.empty() || blocks.back().kind != MdBlock::text) blocks.push_back({MdBlock::text, n, {}});
      blocks.back().lines.push_back(line);
    } else {
      if (t.rfind(fence, 0) == 0 && trim(t.substr(fence.size())).empty()) {
        fence.clear();
        continue;
      }
      blocks.back().lines.push_back(line);
    }
  }
  return blocks;
}

std::vector<Span> inline_spans(const std::string& line) {
  std::vector<Span> spans;
  for (std::size_t i = 0; i < line.size();) {
    if (line[i] == '\\') {
      i += 2;
      continue;
    }
    if (line[i] == '`') {
      std::size_t k = i;
      while (k < line.size() && line[k] == '`') ++k;
      const std::string ticks = line.substr(i, k - i);
      const std::size_t close = line.find(ticks, k);
      if (close == std::string::npos) {
        i = k;
        continue;
      }
      spans.push_back({Span::code, k, close});
      i = close + ticks.size();
      continue;
    }
    if (line[i] == '$') {
      std::size_t close = i + 1;
      while (close < line.size() && line[close] != '$') close += line[close] == '\\' ? 2 : 1;
      if (close >= line.size()) break;
      spans.push_back({Span::math, i + 1, close});
      i = close + 1;
      continue;
    }
    ++i;
  }
  return spans;
}

}  // namespace tg::docs
