#include "analysis/object_name.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace lockward::analysis {
namespace {

// Reserved keywords (PostgreSQL's "reserved" and "reserved (can be function or type)"
// categories) that cannot be used as bare identifiers.
constexpr std::array<std::string_view, 100> kReserved = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable",
    "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze",
    "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
    "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
    "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order",
    "outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
    "session_user", "similar", "some", "symmetric", "table", "tablesample", "then", "to",
    "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when", "where",
    "window", "with"};

bool needs_quotes(std::string_view ident) {
  if (ident.empty()) return true;
  unsigned char first = static_cast<unsigned char>(ident[0]);
  if (!(std::islower(first) || first == '_' || first >= 0x80)) return true;
  for (unsigned char c : ident) {
    if (!(std::islower(c) || std::isdigit(c) || c == '_' || c == '$' || c >= 0x80)) return true;
  }
  return std::find(kReserved.begin(), kReserved.end(), ident) != kReserved.end();
}

}  // namespace

std::string quote_identifier(std::string_view ident) {
  if (!needs_quotes(ident)) return std::string(ident);
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string ObjectName::sql() const {
  return schema.empty() ? quote_identifier(name) : quote_identifier(schema) + "." + quote_identifier(name);
}

}  // namespace lockward::analysis
