#include "trace/observation.h"

#include <cstdlib>

namespace lockward::trace {
namespace {

constexpr const char* kUserSchemas =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
    "AND n.nspname NOT LIKE 'pg_temp%'";

// Types a migration declares (enums, domains, composite and range types), not the row and
// array types PostgreSQL makes for every table: those come and go with their relation.
constexpr const char* kDeclaredTypes =
    " AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') "
    "AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)";

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
      "SELECT l.mode, l.granted, l.relation, n.nspname, c.relname, c.relkind, 'relation', tn.nspname, t.relname "
      "FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace "
      "LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid "
      "LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace "
      "WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "AND l.pid = " + std::to_string(pid) + " AND (c.oid IS NULL OR (" + kUserSchemas + "))" +
      " UNION ALL "
      "SELECT l.mode, l.granted, l.objid, n.nspname, t.typname, 't', 'type', NULL, NULL "
      "FROM pg_locks l LEFT JOIN pg_type t ON t.oid = l.objid LEFT JOIN pg_namespace n ON n.oid = t.typnamespace "
      "WHERE l.locktype = 'object' AND l.classid = 'pg_type'::regclass AND l.pid = " + std::to_string(pid) +
      " AND (t.oid IS NULL OR (" + kUserSchemas + "))";
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
    if (!r.value(i, 8).empty()) l.index_table = analysis::ObjectName{r.value(i, 7), r.value(i, 8)};
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
  QueryResult rel = conn.exec(std::string("SELECT c.oid, n.nspname, c.relname, c.relkind, c.relfilenode FROM pg_class c "
                                          "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") + kUserSchemas);
  if (!rel.ok()) {
    error = rel.error->message;
    return s;
  }
  for (std::size_t i = 0; i < rel.rows.size(); ++i) {
    RelationState st;
    st.name = analysis::ObjectName{rel.value(i, 1), rel.value(i, 2)};
    st.relkind = rel.value(i, 3).empty() ? 'r' : rel.value(i, 3)[0];
    st.relfilenode = rel.value(i, 4);
    s.relations[static_cast<std::uint32_t>(std::strtoul(rel.value(i, 0).c_str(), nullptr, 10))] = st;
  }
  QueryResult cols = conn.exec(
      std::string("SELECT n.nspname || '.' || c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod) || "
                  "CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END FROM pg_attribute a "
                  "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND ") + kUserSchemas);
  for (std::size_t i = 0; cols.ok() && i < cols.rows.size(); ++i) s.columns[cols.value(i, 0)] = cols.value(i, 1);
  QueryResult cons = conn.exec(
      std::string("SELECT n.nspname || '.' || con.conname || ' on ' || con.conrelid::regclass::text, con.convalidated "
                  "FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace WHERE ") + kUserSchemas);
  for (std::size_t i = 0; cons.ok() && i < cons.rows.size(); ++i)
    s.constraints_validated[cons.value(i, 0)] = cons.value(i, 1) == "t";
  QueryResult idx = conn.exec(
      std::string("SELECT n.nspname || '.' || c.relname, i.indisvalid FROM pg_index i "
                  "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") +
      kUserSchemas);
  for (std::size_t i = 0; idx.ok() && i < idx.rows.size(); ++i) s.indexes_valid[idx.value(i, 0)] = idx.value(i, 1) == "t";
  QueryResult types = conn.exec(std::string("SELECT t.oid, n.nspname, t.typname FROM pg_type t "
                                            "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ") + kUserSchemas +
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
    if (!after.relations.contains(oid)) c.notes.push_back(old.name.sql() + " dropped");
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
