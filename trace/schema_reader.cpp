#include "trace/schema_reader.h"

#include <cstdlib>
#include <map>

#include "trace/catalog_sql.h"

namespace lockward::trace {

namespace {
// Every name qualified: see catalog_sql.h.
const std::string kTables =
    std::string("FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
                "WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[]) AND ") +
    kUserSchemaFilter;
}

std::string read_schema_snapshot(PgConnection& conn, analysis::SchemaSnapshot& out) {
  QueryResult tables = conn.exec("SELECT c.oid, n.nspname, c.relname, c.reltuples::pg_catalog.int8, "
                                 "pg_catalog.pg_total_relation_size(c.oid) " + kTables + " ORDER BY 2, 3");
  if (!tables.ok()) return tables.error->message;
  std::map<std::string, std::size_t> by_oid;
  for (std::size_t i = 0; i < tables.rows.size(); ++i) {
    analysis::SnapshotTable t;
    t.name = analysis::ObjectName{tables.value(i, 1), tables.value(i, 2)};
    std::int64_t rows = std::atoll(tables.value(i, 3).c_str());
    t.size = analysis::TableSize{rows < 0 ? -1 : rows, std::atoll(tables.value(i, 4).c_str())};
    by_oid[tables.value(i, 0)] = out.tables.size();
    out.tables.push_back(std::move(t));
  }
  std::string in = " OPERATOR(pg_catalog.=) ANY (SELECT c.oid " + kTables + ")";
  QueryResult cols = conn.exec("SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull "
                               "FROM pg_catalog.pg_attribute a WHERE a.attnum OPERATOR(pg_catalog.>) 0 "
                               "AND NOT a.attisdropped AND a.attrelid" + in + " ORDER BY a.attrelid, a.attnum");
  if (!cols.ok()) return cols.error->message;
  for (std::size_t i = 0; i < cols.rows.size(); ++i) {
    auto it = by_oid.find(cols.value(i, 0));
    if (it == by_oid.end()) continue;
    out.tables[it->second].columns.push_back({cols.value(i, 1), cols.value(i, 2), cols.value(i, 3) == "t"});
  }
  QueryResult cons = conn.exec("SELECT conrelid, conname, contype, convalidated, pg_catalog.pg_get_constraintdef(oid) "
                               "FROM pg_catalog.pg_constraint WHERE conrelid" + in + " ORDER BY conrelid, conname");
  if (!cons.ok()) return cons.error->message;
  for (std::size_t i = 0; i < cons.rows.size(); ++i) {
    auto it = by_oid.find(cons.value(i, 0));
    if (it == by_oid.end()) continue;
    std::string type = cons.value(i, 2);
    out.tables[it->second].constraints.push_back(
        {cons.value(i, 1), type.empty() ? 'c' : type[0], cons.value(i, 3) == "t", cons.value(i, 4)});
  }
  QueryResult idx = conn.exec("SELECT i.indrelid, c.relname, i.indisunique, i.indisprimary, i.indisvalid, "
                              "pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i "
                              "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid "
                              "WHERE i.indrelid" + in + " ORDER BY i.indrelid, c.relname");
  if (!idx.ok()) return idx.error->message;
  for (std::size_t i = 0; i < idx.rows.size(); ++i) {
    auto it = by_oid.find(idx.value(i, 0));
    if (it == by_oid.end()) continue;
    out.tables[it->second].indexes.push_back({idx.value(i, 1), idx.value(i, 2) == "t", idx.value(i, 3) == "t",
                                              idx.value(i, 4) == "t", idx.value(i, 5)});
  }
  return {};
}

}  // namespace lockward::trace
