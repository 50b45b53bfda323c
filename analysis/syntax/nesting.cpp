#include "analysis/syntax/nesting.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace lockward::analysis {
namespace {

enum class Kind { Open, Close, CaseOpen, CaseClose, Separator, CaseSeparator, Operator, Chain, Other };

bool iequals(std::string_view word, std::string_view lower) {
  return word.size() == lower.size() && std::equal(word.begin(), word.end(), lower.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

bool any_of(std::string_view word, std::initializer_list<std::string_view> lower) {
  return std::any_of(lower.begin(), lower.end(), [&](std::string_view w) { return iequals(word, w); });
}

Kind classify(std::string_view t) {
  if (t.empty()) return Kind::Other;
  if (t.starts_with("--") || t.starts_with("/*")) return Kind::Other;  // comments
  char c = t[0];
  if (c == '(' || c == '[') return Kind::Open;
  if (c == ')' || c == ']') return Kind::Close;
  if (c == ',' || c == ';') return Kind::Separator;
  if (t == "::") return Kind::Operator;
  if (std::string_view("+-*/<>=~!@#%^&|`?").find(c) != std::string_view::npos) return Kind::Operator;
  if (!std::isalpha(static_cast<unsigned char>(c)) && c != '_') return Kind::Other;  // literals, quoted names
  if (iequals(t, "case")) return Kind::CaseOpen;
  if (iequals(t, "end")) return Kind::CaseClose;
  if (any_of(t, {"and", "or"})) return Kind::Separator;
  if (any_of(t, {"when", "then", "else"})) return Kind::CaseSeparator;
  if (any_of(t, {"union", "intersect", "except", "join"})) return Kind::Chain;
  // Keywords that are binary or postfix operators over an expression (left-associative).
  if (any_of(t, {"is", "isnull", "notnull", "like", "ilike", "similar", "between", "in", "overlaps", "at",
                 "collate", "operator", "not"}))
    return Kind::Operator;
  return Kind::Other;
}

// One bracket (or CASE) level. Its depth: itself, its chain (UNION, JOIN), and its deepest
// list item (the operators in the item plus the deepest bracket inside it).
struct Level {
  bool is_case = false;
  std::size_t chain = 0;
  std::size_t item_operators = 0;
  std::size_t item_child = 0;
  std::size_t best_item = 0;
  std::size_t depth() const { return 1 + chain + std::max(best_item, item_operators + item_child); }
};

}  // namespace

NestingEstimate estimate_nesting(std::string_view text, const std::vector<TextRange>& tokens, std::size_t limit) {
  NestingEstimate out;
  std::vector<Level> levels(1);
  std::size_t path = 1;  // the levels on the way to the current token, a lower bound of the result
  auto end_item = [&](Level& l) {
    l.best_item = std::max(l.best_item, l.item_operators + l.item_child);
    path -= l.item_operators;
    l.item_operators = l.item_child = 0;
  };
  auto pop = [&] {
    Level done = levels.back();
    levels.pop_back();
    path -= 1 + done.chain + done.item_operators;
    levels.back().item_child = std::max(levels.back().item_child, done.depth());
  };
  for (const TextRange& token : tokens) {
    switch (classify(token.slice(text))) {
      case Kind::Open: levels.push_back(Level{}); ++path; break;
      case Kind::CaseOpen: levels.push_back(Level{.is_case = true}); ++path; break;
      case Kind::Close:
        // Closes the innermost bracket, and any CASE left open inside it.
        if (std::any_of(levels.begin() + 1, levels.end(), [](const Level& l) { return !l.is_case; })) {
          while (levels.back().is_case) pop();
          pop();
        }
        break;
      case Kind::CaseClose:  // END also ends a transaction or BEGIN ATOMIC: only a CASE is closed
        if (levels.size() > 1 && levels.back().is_case) pop();
        break;
      case Kind::Separator: end_item(levels.back()); break;
      case Kind::CaseSeparator:
        if (levels.back().is_case) end_item(levels.back());
        break;
      case Kind::Operator: ++levels.back().item_operators; ++path; break;
      case Kind::Chain: ++levels.back().chain; ++path; break;
      case Kind::Other: break;
    }
    if (path > limit && !out.passed_limit) out.passed_limit = token.begin;
  }
  while (levels.size() > 1) pop();
  out.depth = levels.back().depth();
  return out;
}

}  // namespace lockward::analysis
