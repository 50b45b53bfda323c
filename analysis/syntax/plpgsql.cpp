#include "analysis/syntax/plpgsql.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "analysis/syntax/parser.h"

namespace lockward::analysis {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 1000;  // levels of the JSON tree followed (some 200 nested blocks, branches, loops)

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The content of `expr` when it is one string literal ('…' or $tag$…$tag$), with the offset of
// the content inside `expr` and whether it is the text as written (no doubled quotes).
struct Literal {
  std::string content;
  std::size_t offset = 0;
  bool verbatim = true;
};
std::optional<Literal> string_literal(std::string_view expr) {
  std::string_view t = trim(expr);
  const std::size_t lead = static_cast<std::size_t>(t.data() - expr.data());
  if (t.size() >= 2 && t.front() == '\'' && t.back() == '\'') {
    Literal lit;
    lit.offset = lead + 1;
    std::string_view inner = t.substr(1, t.size() - 2);
    for (std::size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] == '\'') {
        if (i + 1 >= inner.size() || inner[i + 1] != '\'') return std::nullopt;  // 'a' || 'b'
        lit.verbatim = false;
        ++i;
      }
      lit.content += inner[i];
    }
    return lit;
  }
  if (t.size() >= 2 && t.front() == '$') {
    std::size_t close = t.find('$', 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view tag = t.substr(0, close + 1);
    for (char c : tag.substr(1, tag.size() - 2))
      if (!word_char(c)) return std::nullopt;
    if (t.size() < 2 * tag.size() || t.substr(t.size() - tag.size()) != tag) return std::nullopt;
    std::string_view inner = t.substr(tag.size(), t.size() - 2 * tag.size());
    if (inner.find(tag) != std::string_view::npos) return std::nullopt;
    return Literal{std::string(inner), lead + tag.size(), true};
  }
  return std::nullopt;
}

std::string why_conditional(std::string_view type, std::string_view field, int line) {
  std::string at = " at line " + std::to_string(line);
  if (field == "exceptions") return "an exception handler" + at;
  if (type == "PLpgSQL_stmt_if") return "an IF branch" + at;
  if (type == "PLpgSQL_stmt_case") return "a CASE branch" + at;
  if (type.find("loop") != std::string_view::npos || type.find("_for") != std::string_view::npos ||
      type == "PLpgSQL_stmt_while")
    return "a loop" + at;
  return "a nested statement" + at;
}

struct Walker {
  std::string_view body;
  PlpgsqlBody& out;

  // Finds `needle` from the start of `line`; on success the statement's range is there.
  std::optional<std::size_t> find(int line, std::string_view needle) const {
    if (needle.empty()) return std::nullopt;
    std::size_t at = body.find(needle, line_start(body, line));
    if (at == std::string_view::npos) at = body.find(needle);
    if (at == std::string_view::npos) return std::nullopt;
    return at;
  }
  TextRange line_range(int line) const {
    std::size_t b = std::min(line_start(body, line), body.size());
    std::size_t e = b;
    while (e < body.size() && body[e] != '\n' && body[e] != '\r') ++e;
    return {b, e};
  }

  void add(PlpgsqlStatement st) { out.statements.push_back(std::move(st)); }

  // A statement whose text is `query`, as written in the body.
  void sql(std::string_view query, int line, const std::string& condition) {
    PlpgsqlStatement st;
    st.sql = std::string(query);
    st.line = line;
    st.condition = condition;
    if (auto at = find(line, query)) {
      st.range = {*at, *at + query.size()};
      st.exact = true;
      st.base = static_cast<std::ptrdiff_t>(*at);
    } else {
      st.range = line_range(line);
    }
    add(std::move(st));
  }

  // `expr` read as "SELECT expr": PERFORM, or an expression holding a subquery.
  void select_of(std::string_view expr, int line, const std::string& condition, std::string_view keyword) {
    PlpgsqlStatement st;
    st.kind = PlpgsqlStatement::Kind::Perform;
    st.sql = "SELECT " + std::string(expr);
    st.line = line;
    st.condition = condition;
    if (auto at = find(line, expr)) {
      st.range = {*at, *at + expr.size()};
      st.exact = true;
      st.base = static_cast<std::ptrdiff_t>(*at) - 7;
      // Include the keyword before it (PERFORM) when it is there.
      std::size_t k = *at;
      while (k > 0 && std::isspace(static_cast<unsigned char>(body[k - 1]))) --k;
      if (!keyword.empty() && k >= keyword.size() && iequals(body.substr(k - keyword.size(), keyword.size()), keyword))
        st.range.begin = k - keyword.size();
    } else {
      st.range = line_range(line);
    }
    add(std::move(st));
  }

  // EXECUTE (or FOR … EXECUTE, OPEN … FOR EXECUTE, RETURN QUERY EXECUTE) of `query`.
  void execute(std::string_view query, int line, const std::string& condition) {
    PlpgsqlStatement st;
    st.line = line;
    st.condition = condition;
    std::optional<std::size_t> at = find(line, query);
    st.range = at ? TextRange{*at, *at + query.size()} : line_range(line);
    std::optional<Literal> lit = string_literal(query);
    if (!lit) {
      st.kind = PlpgsqlStatement::Kind::DynamicExecute;
      st.sql = std::string(query);
    } else {
      st.kind = PlpgsqlStatement::Kind::ConstantExecute;
      st.sql = std::move(lit->content);
      if (at && lit->verbatim) {
        st.exact = true;
        st.base = static_cast<std::ptrdiff_t>(*at + lit->offset);
        st.range = {*at + lit->offset, *at + lit->offset + st.sql.size()};
      }
    }
    add(std::move(st));
  }

  static const Json* expr_of(const Json& v) {
    if (!v.is_object()) return nullptr;
    auto it = v.find("PLpgSQL_expr");
    if (it == v.end() || !it->is_object()) return nullptr;
    auto q = it->find("query");
    if (q == it->end() || !q->is_string()) return nullptr;
    return &*it;
  }

  // Statements anywhere inside `v` (arrays of statements, elsif/when/exception items).
  void nested(const Json& v, const std::string& condition, int depth) {
    if (depth > kMaxDepth) {
      out.too_complex = true;
      return;
    }
    if (v.is_array()) {
      for (const Json& item : v) nested(item, condition, depth + 1);
      return;
    }
    if (!v.is_object()) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& key = it.key();
      if (key.starts_with("PLpgSQL_stmt_")) statement(key, it.value(), condition, depth + 1);
      else if (key != "PLpgSQL_expr" && key != "PLpgSQL_var" && key != "PLpgSQL_rec" && key != "PLpgSQL_row")
        nested(it.value(), condition, depth + 1);
    }
  }

  void statement(const std::string& type, const Json& s, const std::string& condition, int depth) {
    if (!s.is_object()) return;
    const int line = s.contains("lineno") && s["lineno"].is_number_integer() ? s["lineno"].get<int>() : 1;
    for (auto it = s.begin(); it != s.end(); ++it) {
      const std::string& field = it.key();
      if (const Json* e = expr_of(it.value())) {
        std::string_view query = (*e)["query"].get_ref<const std::string&>();
        const int mode = e->contains("parseMode") && (*e)["parseMode"].is_number_integer() ? (*e)["parseMode"].get<int>() : 0;
        if (type == "PLpgSQL_stmt_perform") {
          select_of(query.starts_with("SELECT ") ? query.substr(7) : query, line, condition, "PERFORM");
        } else if ((type == "PLpgSQL_stmt_dynexecute" && field == "query") || field == "dynquery" ||
                   (type == "PLpgSQL_stmt_dynfors" && field == "query")) {
          execute(query, line, condition);
        } else if (mode == 0) {
          sql(query, line, condition);
        } else {
          // An expression is a SELECT too: it may read tables (IF EXISTS (SELECT …), x :=
          // (SELECT …)) or call a function lockward does not know (x := my_fn()), which must be
          // UNKNOWN, never SAFE.
          std::string_view expr = query;
          if (mode != 2) {  // an assignment: `target := expr`
            std::size_t assign = expr.find(":=");
            if (assign == std::string_view::npos) assign = expr.find('=');
            expr = assign == std::string_view::npos ? expr : trim(expr.substr(assign + (expr[assign] == ':' ? 2 : 1)));
          }
          select_of(expr, line, condition, "");
        }
        continue;
      }
      const Json& v = it.value();
      if (!v.is_array() && !v.is_object()) continue;
      std::string inner = condition;
      if (inner.empty() && !(type == "PLpgSQL_stmt_block" && field == "body"))
        inner = why_conditional(type, field, line);
      nested(v, inner, depth + 1);
    }
  }
};

}  // namespace

std::size_t line_start(std::string_view text, int line) {
  std::size_t at = 0;
  for (int l = 1; l < line; ++l) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) return text.size();
    at = nl + 1;
  }
  return at;
}

PlpgsqlBody read_plpgsql_body(std::string_view body) {
  PlpgsqlBody out;
  // pg_query_parse_plpgsql reads a CREATE FUNCTION: the body goes inside one, under a dollar tag
  // it does not contain, on the first line so that PL/pgSQL's line numbers are the body's.
  std::string tag = "$lw$";
  for (int n = 0; body.find(tag) != std::string_view::npos; ++n) tag = "$lw" + std::to_string(n) + "$";
  std::string function = "CREATE FUNCTION lockward_do() RETURNS void LANGUAGE plpgsql AS " + tag;
  function += body;
  function += tag;
  PlpgsqlOutcome parsed = parse_plpgsql_function(function);
  if (parsed.error) {
    out.error = std::move(parsed.error);
    out.error_line = parsed.error_line;
    out.too_complex = parsed.too_complex;
    return out;
  }
  Walker walker{body, out};
  if (parsed.tree.is_array()) {
    for (const Json& f : parsed.tree) {
      if (!f.is_object() || !f.contains("PLpgSQL_function")) continue;
      const Json& fn = f["PLpgSQL_function"];
      if (fn.is_object() && fn.contains("action")) walker.nested(fn["action"], "", 0);
    }
  }
  return out;
}

}  // namespace lockward::analysis
