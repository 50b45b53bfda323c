// Pieces of lockward's own catalog queries. Every function, operator, type and relation in
// them names pg_catalog: they run on connections whose search_path a database's owner (ALTER
// DATABASE … SET search_path) or the traced migration (SET search_path) decides, and even
// with pg_catalog first an unqualified call resolves to a planted function whose arguments
// match better (public.pg_total_relation_size(oid) beats pg_catalog's (regclass)) and runs
// it with lockward's rights. `OPERATOR(pg_catalog.=)` is the qualified form of `=`.
#pragma once

namespace lockward::trace {

// Schemas users create objects in, for a pg_namespace aliased `n` (not the system schemas,
// TOAST or temporary schemas).
inline constexpr const char* kUserSchemaFilter =
    "n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::pg_catalog.name[]) "
    "AND n.nspname OPERATOR(pg_catalog.!~~) 'pg_toast%' AND n.nspname OPERATOR(pg_catalog.!~~) 'pg_temp%'";

// The search_path of sessions that only read the catalog (snapshot): pg_temp last, else it
// is searched first for relations and types. No space: it also goes in startup options.
inline constexpr const char* kCatalogSearchPath = "pg_catalog,pg_temp";

}  // namespace lockward::trace
