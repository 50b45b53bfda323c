// Names of database objects as written in the migration, and how to print them.
#pragma once

#include <string>
#include <string_view>

namespace lockward::analysis {

struct ObjectName {
  std::string schema;  // empty when unqualified
  std::string name;

  bool empty() const { return name.empty(); }
  // The name as SQL: each part quoted only when it needs to be ("Users", public.orders).
  std::string sql() const;
  // The key used to match objects across statements: schema.name, or name when unqualified.
  std::string key() const { return schema.empty() ? name : schema + "." + name; }
  friend bool operator==(const ObjectName&, const ObjectName&) = default;
  friend auto operator<=>(const ObjectName&, const ObjectName&) = default;
};

// Quotes an identifier when PostgreSQL would not read it back unchanged.
std::string quote_identifier(std::string_view ident);

}  // namespace lockward::analysis
