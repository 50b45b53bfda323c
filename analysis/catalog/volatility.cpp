#include "analysis/catalog/volatility.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "analysis/syntax/ast.h"

namespace lockward::analysis {
namespace {

// Common non-volatile built-ins seen in defaults; the complete list is generated from pg_proc.
constexpr std::array<std::string_view, 12> kNonVolatile = {
    "now", "current_timestamp", "transaction_timestamp", "statement_timestamp_never", "lower", "upper",
    "coalesce", "to_timestamp", "make_date", "date_trunc", "length", "abs"};

}  // namespace

bool is_non_volatile_builtin(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kNonVolatile.begin(), kNonVolatile.end(), lower) != kNonVolatile.end();
}

Volatility expression_volatility(const nlohmann::json& expr) {
  std::string type = ast::node_type(expr);
  const auto& body = expr.is_object() && !expr.empty() ? expr.begin().value() : expr;
  if (type == "A_Const") return Volatility::Immutable;
  if (type == "SQLValueFunction") return Volatility::Stable;
  if (type == "TypeCast") return expression_volatility(ast::field(body, "arg"));
  if (type == "FuncCall") {
    auto parts = ast::string_list(ast::field(body, "funcname"));
    if (parts.empty() || !is_non_volatile_builtin(parts.back())) return Volatility::Volatile;
    Volatility worst = Volatility::Stable;
    for (const auto& arg : ast::list(body, "args")) {
      if (expression_volatility(arg) == Volatility::Volatile) return Volatility::Volatile;
    }
    return worst;
  }
  return Volatility::Volatile;
}

}  // namespace lockward::analysis
