// Volatility of default expressions: PostgreSQL stores a non-volatile ADD COLUMN default in
// the catalog (PG11+) but must rewrite the table for a volatile one. Built-in functions come
// from a list generated from pg_proc (provolatile <> 'v'). Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace lockward::analysis {

enum class Volatility { Immutable, Stable, Volatile };

// Volatility of a libpg_query expression node; unknown functions count as volatile.
Volatility expression_volatility(const nlohmann::json& expr);
// True when the built-in function (unqualified or pg_catalog) is stable or immutable.
bool is_non_volatile_builtin(std::string_view function_name);

}  // namespace lockward::analysis
