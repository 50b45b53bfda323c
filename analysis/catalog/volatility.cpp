#include "analysis/catalog/volatility.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "analysis/syntax/ast.h"

namespace lockward::analysis {
namespace {

// Every built-in function whose overloads are all stable or immutable (PostgreSQL 15).
constexpr std::string_view kNonVolatile[] = {
#include "analysis/catalog/non_volatile_builtins.inc"
};
static_assert(std::is_sorted(std::begin(kNonVolatile), std::end(kNonVolatile)), "binary search needs sorted names");

Volatility worse(Volatility a, Volatility b) { return a > b ? a : b; }

// Expression nodes that compute nothing volatile themselves; their children decide.
bool is_transparent(std::string_view type) {
  static constexpr std::string_view kTransparent[] = {
      "A_ArrayExpr", "A_Expr", "BoolExpr", "BooleanTest", "CaseExpr", "CaseWhen", "CoalesceExpr",
      "CollateClause", "MinMaxExpr", "NullTest", "RowExpr", "TypeCast", "List"};
  return std::find(std::begin(kTransparent), std::end(kTransparent), type) != std::end(kTransparent);
}

// A node's own volatility, and the children that decide the rest (pushed onto `todo`).
Volatility own_volatility(const nlohmann::json& node, std::vector<const nlohmann::json*>& todo) {
  auto push_fields = [&](const nlohmann::json& body) {
    if (!body.is_object()) return;
    for (auto it = body.begin(); it != body.end(); ++it) {
      if (it->is_object() || it->is_array()) todo.push_back(&*it);
    }
  };
  if (node.is_array()) {
    for (const auto& item : node) todo.push_back(&item);
    return Volatility::Immutable;
  }
  std::string type = ast::node_type(node);
  if (type.empty()) return Volatility::Immutable;
  // A plain field object (a TypeCast's typeName, …) rather than a wrapped node: look inside.
  if (std::islower(static_cast<unsigned char>(type[0]))) {
    push_fields(node);
    return Volatility::Immutable;
  }
  const auto& body = node.begin().value();
  if (type == "A_Const" || type == "TypeName" || type == "String" || type == "Integer" || type == "Float" ||
      type == "Boolean")
    return Volatility::Immutable;
  if (type == "SQLValueFunction") return Volatility::Stable;  // CURRENT_TIMESTAMP, CURRENT_USER, …
  if (type == "FuncCall") {
    auto parts = ast::string_list(ast::field(body, "funcname"));
    bool builtin = parts.size() == 1 || (parts.size() == 2 && parts[0] == "pg_catalog");
    if (parts.empty() || !builtin || !is_non_volatile_builtin(parts.back())) return Volatility::Volatile;
    todo.push_back(&ast::field(body, "args"));
    return Volatility::Stable;
  }
  if (is_transparent(type)) {
    push_fields(body);
    return Volatility::Immutable;
  }
  return Volatility::Volatile;  // sub-selects, column references, anything unknown
}

}  // namespace

bool is_non_volatile_builtin(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::binary_search(std::begin(kNonVolatile), std::end(kNonVolatile), std::string_view(lower));
}

// The worst over the expression's nodes, on a heap stack: an expression may be thousands of
// levels deep.
Volatility expression_volatility(const nlohmann::json& expr) {
  Volatility worst = Volatility::Immutable;
  std::vector<const nlohmann::json*> todo{&expr};
  while (!todo.empty() && worst != Volatility::Volatile) {
    const nlohmann::json* node = todo.back();
    todo.pop_back();
    worst = worse(worst, own_volatility(*node, todo));
  }
  return worst;
}

}  // namespace lockward::analysis
