// Small helpers for reading libpg_query's JSON parse tree. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/object_name.h"

namespace lockward::analysis::ast {

using Json = nlohmann::json;

// The single field of a wrapped node ({"RangeVar": {...}} → {...}); null when absent.
const Json& unwrap(const Json& node, std::string_view type);
// The wrapped node's type name ({"RangeVar": {...}} → "RangeVar"), or "".
std::string node_type(const Json& node);
// A field as a string / int / bool, with a default when absent.
std::string str(const Json& node, std::string_view key);
long integer(const Json& node, std::string_view key, long fallback = 0);
bool flag(const Json& node, std::string_view key);
const Json& field(const Json& node, std::string_view key);  // null json when absent
// An array field; an empty array when absent.
const Json& list(const Json& node, std::string_view key);

// RangeVar → schema.name
ObjectName range_var(const Json& range_var_body);
// [{"String":{"sval":"a"}}, {"String":{"sval":"b"}}] → {"a","b"}
std::vector<std::string> string_list(const Json& list);
// A qualified name from a string list: {"s","t"} → s.t, {"t"} → t.
ObjectName qualified(const std::vector<std::string>& parts);
// TypeName → its last name part ("varchar", "int4"), lower case.
std::string type_name(const Json& type_name_body);
// TypeName's integer modifiers ((20) → {20}; (10,2) → {10,2}).
std::vector<long> type_mods(const Json& type_name_body);
// A TypeName spelled back as SQL: "varchar(20)", "numeric(10,2)", "text[]".
std::string type_sql(const Json& type_name_body);
// Location field, or -1.
long location(const Json& node_body);

}  // namespace lockward::analysis::ast
