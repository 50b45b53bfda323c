#include "trace/observation.h"

#include <cstdlib>

#include "trace/catalog_sql.h"

namespace lockward::trace {
namespace {

// Every query names pg_catalog for each function, operator, type and relation: they run on
// the traced session, whose search_path the migration sets, and on the observer, whose
// search_path is the database's (see catalog_sql.h).
constexpr const char* kUserSchemas = kUserSchemaFilter;

// The oid of the table that owns relation c: an index's table, or the table of a serial or
// identity column's sequence (pg_depend 'a' / 'i').
constexpr const char* kOwnerOid =
    "COALESCE((SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid OPERATOR(pg_catalog.=) c.oid), "
    "(SELECT d.refobjid FROM pg_catalog.pg_depend d WHERE c.relkind OPERATOR(pg_catalog.=) 'S' "
    "AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
    "AND d.objid OPERATOR(pg_catalog.=) c.oid "
    "AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
    "AND d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog.\"char\"[]) LIMIT 1))";

// Types a migration declares (enums, domains, composite and range types), not the row and
// array types PostgreSQL makes for every table: those come and go with their relation.
constexpr const char* kDeclaredTypes =
    " AND (t.typrelid OPERATOR(pg_catalog.=) 0 OR (SELECT r.relkind FROM pg_catalog.pg_class r "
    "WHERE r.oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c') "
    "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray OPERATOR(pg_catalog.=) t.oid)";

analysis::ObjectKind kind_of(char relkind) {
  switch (relkind) {
    case 'i':
    case 'I': return analysis::ObjectKind::Index;
    case 'S': return analysis::ObjectKind::Sequence;
    case 'v': return analysis::ObjectKind::View;
    case 'm': return analysis::ObjectKind::MaterializedView;
    default: return analysis::ObjectKind::Table;
  }
}

}  // namespace

std::vector<ObservedLock> read_locks(PgConnection& conn, int pid, std::string& error, const CatalogSnapshot* before) {
  // LEFT JOINs: a relation dropped by the statement has no pg_class row any more, but its
  // lock (by oid) is still held; `before` names it.
  std::string sql =
      std::string("SELECT l.mode, l.granted, l.relation, n.nspname, c.relname, c.relkind, 'relation', tn.nspname, t.relname "
      "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) l.relation "
      "LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
      "LEFT JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) ") + kOwnerOid + " "
      "LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) t.relnamespace "
      "WHERE l.locktype OPERATOR(pg_catalog.=) 'relation' AND l.database OPERATOR(pg_catalog.=) "
      "(SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()) "
      "AND l.pid OPERATOR(pg_catalog.=) " + std::to_string(pid) + " AND (c.oid IS NULL OR (" + kUserSchemas + "))" +
      " UNION ALL "
      "SELECT l.mode, l.granted, l.objid, n.nspname, t.typname, 't', 'type', NULL, NULL "
      "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) l.objid "
      "LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace "
      "WHERE l.locktype OPERATOR(pg_catalog.=) 'object' "
      "AND l.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass "
      "AND l.pid OPERATOR(pg_catalog.=) " + std::to_string(pid) + " AND (t.oid IS NULL OR (" + kUserSchemas + "))";
  QueryResult r = conn.exec(sql);
  std::vector<ObservedLock> out;
  if (!r.ok()) {
    error = r.error->message;
    return out;
  }
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    auto mode = analysis::lock_mode_from_pg_name(r.value(i, 0));
    if (!mode) continue;
    ObservedLock l;
    l.mode = *mode;
    l.granted = r.value(i, 1) == "t";
    l.oid = static_cast<std::uint32_t>(std::strtoul(r.value(i, 2).c_str(), nullptr, 10));
    l.object = analysis::ObjectName{r.value(i, 3), r.value(i, 4)};
    l.kind = r.value(i, 6) == "type" ? analysis::ObjectKind::Type : kind_of(r.value(i, 5).empty() ? 'r' : r.value(i, 5)[0]);
    if (!r.value(i, 8).empty()) l.owner = analysis::ObjectName{r.value(i, 7), r.value(i, 8)};
    // Dropped or renamed by this statement: the name and kind it had before.
    if (before && l.kind == analysis::ObjectKind::Type) {
      auto it = before->types.find(l.oid);
      if (it != before->types.end()) l.object = it->second;
      else if (r.value(i, 4).empty()) continue;
    } else if (before) {
      auto it = before->relations.find(l.oid);
      if (it != before->relations.end()) {
        l.object = it->second.name;
        l.kind = kind_of(it->second.relkind);
        if (auto owner = before->relations.find(it->second.owner); l.owner.empty() && owner != before->relations.end())
          l.owner = owner->second.name;
      } else if (r.value(i, 4).empty()) {
        continue;  // neither before nor now: a catalog or unrelated relation
      }
    } else if (r.value(i, 4).empty()) {
      continue;
    }
    out.push_back(std::move(l));
  }
  return out;
}

CatalogSnapshot read_catalog(PgConnection& conn, std::string& error) {
  CatalogSnapshot s;
  QueryResult rel = conn.exec(std::string("SELECT c.oid, n.nspname, c.relname, c.relkind, c.relfilenode, ") + kOwnerOid +
                              " FROM pg_catalog.pg_class c "
                              "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
                              "WHERE " + kUserSchemas);
  if (!rel.ok()) {
    error = rel.error->message;
    return s;
  }
  for (std::size_t i = 0; i < rel.rows.size(); ++i) {
    RelationState st;
    st.name = analysis::ObjectName{rel.value(i, 1), rel.value(i, 2)};
    st.relkind = rel.value(i, 3).empty() ? 'r' : rel.value(i, 3)[0];
    st.relfilenode = rel.value(i, 4);
    st.owner = static_cast<std::uint32_t>(std::strtoul(rel.value(i, 5).c_str(), nullptr, 10));
    s.relations[static_cast<std::uint32_t>(std::strtoul(rel.value(i, 0).c_str(), nullptr, 10))] = st;
  }
  QueryResult cols = conn.exec(
      std::string("SELECT pg_catalog.concat_ws('.', n.nspname, c.relname, a.attname), "
                  "pg_catalog.concat(pg_catalog.format_type(a.atttypid, a.atttypmod), "
                  "CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END) FROM pg_catalog.pg_attribute a "
                  "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid "
                  "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
                  "WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped "
                  "AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[]) AND ") + kUserSchemas);
  for (std::size_t i = 0; cols.ok() && i < cols.rows.size(); ++i) s.columns[cols.value(i, 0)] = cols.value(i, 1);
  QueryResult cons = conn.exec(
      std::string("SELECT pg_catalog.concat(n.nspname, '.', con.conname, ' on ', con.conrelid::pg_catalog.regclass), "
                  "con.convalidated FROM pg_catalog.pg_constraint con "
                  "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) con.connamespace WHERE ") + kUserSchemas);
  for (std::size_t i = 0; cons.ok() && i < cons.rows.size(); ++i)
    s.constraints_validated[cons.value(i, 0)] = cons.value(i, 1) == "t";
  QueryResult idx = conn.exec(
      std::string("SELECT pg_catalog.concat_ws('.', n.nspname, c.relname), i.indisvalid FROM pg_catalog.pg_index i "
                  "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid "
                  "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace WHERE ") +
      kUserSchemas);
  for (std::size_t i = 0; idx.ok() && i < idx.rows.size(); ++i) s.indexes_valid[idx.value(i, 0)] = idx.value(i, 1) == "t";
  QueryResult types = conn.exec(std::string("SELECT t.oid, n.nspname, t.typname FROM pg_catalog.pg_type t "
                                            "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace "
                                            "WHERE ") + kUserSchemas +
                                kDeclaredTypes);
  for (std::size_t i = 0; types.ok() && i < types.rows.size(); ++i)
    s.types[static_cast<std::uint32_t>(std::strtoul(types.value(i, 0).c_str(), nullptr, 10))] =
        analysis::ObjectName{types.value(i, 1), types.value(i, 2)};
  return s;
}

CatalogChanges diff_catalog(const CatalogSnapshot& before, const CatalogSnapshot& after) {
  CatalogChanges c;
  for (const auto& [oid, now] : after.relations) {
    auto it = before.relations.find(oid);
    if (it == before.relations.end()) {
      c.created.insert(oid);
      continue;
    }
    // Partitioned tables and views have relfilenode 0; only real storage can be rewritten.
    if (now.relfilenode != "0" && it->second.relfilenode != "0" && now.relfilenode != it->second.relfilenode) {
      if (now.relkind == 'i' || now.relkind == 'I') c.rewritten_indexes.push_back(now.name);
      else if (now.relkind != 'S') c.rewritten.push_back(now.name);  // ALTER SEQUENCE swaps a one-page file
      c.notes.push_back(std::string(now.relkind == 'i' ? "index " : "table ") + now.name.sql() +
                        " rewritten (relfilenode changed)");
    }
  }
  for (const auto& [oid, old] : before.relations) {
    if (after.relations.contains(oid)) continue;
    c.dropped.insert(oid);
    c.notes.push_back(old.name.sql() + " dropped");
  }
  for (const auto& [col, type] : after.columns) {
    auto it = before.columns.find(col);
    if (it == before.columns.end()) c.notes.push_back("column " + col + " added: " + type);
    else if (it->second != type) c.notes.push_back("column " + col + ": " + it->second + " → " + type);
  }
  for (const auto& [con, valid] : after.constraints_validated) {
    auto it = before.constraints_validated.find(con);
    if (it == before.constraints_validated.end()) c.notes.push_back("constraint " + con + " added" + (valid ? "" : " NOT VALID"));
    else if (!it->second && valid) c.notes.push_back("constraint " + con + " validated");
  }
  for (const auto& [index, valid] : after.indexes_valid) {
    auto it = before.indexes_valid.find(index);
    if (it != before.indexes_valid.end() && it->second != valid)
      c.notes.push_back("index " + index + (valid ? " became valid" : " became invalid"));
    if (it == before.indexes_valid.end() && !valid) c.notes.push_back("index " + index + " is INVALID");
  }
  return c;
}

}  // namespace lockward::trace
