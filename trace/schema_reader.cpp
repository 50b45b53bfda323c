#include "trace/schema_reader.h"

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "trace/catalog_sql.h"

namespace lockward::trace {

namespace {
// Every name qualified: see catalog_sql.h.
const std::string kEq = " OPERATOR(pg_catalog.=) ";
const std::string kFromUserRelations =
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid" + kEq + "c.relnamespace WHERE " +
    kUserSchemaFilter;
const std::string kTables =
    kFromUserRelations + " AND c.relkind" + kEq + "ANY ('{r,p}'::pg_catalog.\"char\"[])";
// `x IN (the tables)`, for a column `x` holding a table's oid.
const std::string kInTables = kEq + "ANY (SELECT c.oid " + kTables + ")";
// pg_class and pg_rewrite as classid/refclassid values of pg_depend.
const std::string kClassRel = "'pg_catalog.pg_class'::pg_catalog.regclass";
const std::string kRewriteRel = "'pg_catalog.pg_rewrite'::pg_catalog.regclass";
// The column names of `attnums` (an int2[] expression) of relation `rel`, in order, as JSON text.
std::string column_names(const std::string& attnums, const std::string& rel) {
  return "pg_catalog.array_to_json(ARRAY(SELECT a.attname FROM pg_catalog.unnest(" + attnums +
         ") WITH ORDINALITY k(num, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid" + kEq + rel +
         " AND a.attnum" + kEq + "k.num ORDER BY k.ord))::pg_catalog.text";
}

// A JSON array of strings as text; anything else reads as empty (a hostile value cannot crash).
std::vector<std::string> string_list(const std::string& text) {
  std::vector<std::string> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& v : j)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

char first(const std::string& s, char fallback = 0) { return s.empty() ? fallback : s[0]; }

analysis::ObjectName name(const QueryResult& r, std::size_t row, std::size_t schema_column) {
  return analysis::ObjectName{r.value(row, schema_column), r.value(row, schema_column + 1)};
}
}  // namespace

std::string read_schema_snapshot(PgConnection& conn, analysis::SchemaSnapshot& out) {
  out.version = 2;
  QueryResult tables = conn.exec("SELECT c.oid, n.nspname, c.relname, c.reltuples::pg_catalog.int8, "
                                 "pg_catalog.pg_total_relation_size(c.oid), c.relkind, c.relpersistence " +
                                 kTables + " ORDER BY 2, 3");
  if (!tables.ok()) return tables.error->message;
  std::map<std::string, std::size_t> by_oid;
  for (std::size_t i = 0; i < tables.rows.size(); ++i) {
    analysis::SnapshotTable t;
    t.name = name(tables, i, 1);
    std::int64_t rows = std::atoll(tables.value(i, 3).c_str());
    t.size = analysis::TableSize{rows < 0 ? -1 : rows, std::atoll(tables.value(i, 4).c_str())};
    t.partitioned = tables.value(i, 5) == "p";
    t.persistence = first(tables.value(i, 6), 'p');
    by_oid[tables.value(i, 0)] = out.tables.size();
    out.tables.push_back(std::move(t));
  }
  auto table_of = [&](const QueryResult& r, std::size_t row) -> analysis::SnapshotTable* {
    auto it = by_oid.find(r.value(row, 0));
    return it == by_oid.end() ? nullptr : &out.tables[it->second];
  };

  QueryResult cols = conn.exec(
      "SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
      "CASE WHEN t.typcategory" + kEq + "'A' THEN e.typname ELSE t.typname END, t.typcategory" + kEq + "'A', "
      "a.atttypmod, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
      "CASE WHEN t.typtype" + kEq + "'d' THEN tn.nspname END, CASE WHEN t.typtype" + kEq + "'d' THEN t.typname END "
      "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid" + kEq + "a.atttypid "
      "JOIN pg_catalog.pg_namespace tn ON tn.oid" + kEq + "t.typnamespace "
      "LEFT JOIN pg_catalog.pg_type e ON e.oid" + kEq + "t.typelem "
      "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid" + kEq + "a.attrelid AND d.adnum" + kEq + "a.attnum "
      "WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped AND a.attrelid" + kInTables +
      " ORDER BY a.attrelid, a.attnum");
  if (!cols.ok()) return cols.error->message;
  for (std::size_t i = 0; i < cols.rows.size(); ++i) {
    analysis::SnapshotTable* t = table_of(cols, i);
    if (!t) continue;
    analysis::SnapshotColumn c{cols.value(i, 1), cols.value(i, 2), cols.value(i, 3) == "t"};
    c.internal = cols.value(i, 4);
    c.array = cols.value(i, 5) == "t";
    c.typmod = std::atoi(cols.value(i, 6).c_str());
    c.default_expr = cols.value(i, 7);
    c.identity = first(cols.value(i, 8));
    c.generated = first(cols.value(i, 9));
    if (!cols.value(i, 11).empty()) c.domain = name(cols, i, 10);
    t->columns.push_back(std::move(c));
  }

  QueryResult cons = conn.exec(
      "SELECT con.conrelid, con.conname, con.contype, con.convalidated, pg_catalog.pg_get_constraintdef(con.oid), "
      "ic.relname, rn.nspname, rc.relname, con.confdeltype, con.confupdtype, " +
      column_names("con.conkey", "con.conrelid") + ", " + column_names("con.confkey", "con.confrelid") +
      " FROM pg_catalog.pg_constraint con "
      "LEFT JOIN pg_catalog.pg_class ic ON ic.oid" + kEq + "con.conindid AND con.contype" + kEq + "ANY ('{p,u,x}'::pg_catalog.\"char\"[]) "
      "LEFT JOIN pg_catalog.pg_class rc ON rc.oid" + kEq + "con.confrelid "
      "LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid" + kEq + "rc.relnamespace "
      "WHERE con.conrelid" + kInTables + " AND con.conparentid" + kEq + "0 ORDER BY con.conrelid, con.conname");
  if (!cons.ok()) return cons.error->message;
  for (std::size_t i = 0; i < cons.rows.size(); ++i) {
    analysis::SnapshotTable* t = table_of(cons, i);
    if (!t) continue;
    analysis::SnapshotConstraint c{cons.value(i, 1), first(cons.value(i, 2), 'c'), cons.value(i, 3) == "t",
                                   cons.value(i, 4)};
    c.index = cons.value(i, 5);
    if (c.type == 'f') {
      c.referenced = name(cons, i, 6);
      c.on_delete = first(cons.value(i, 8), 'a');
      c.on_update = first(cons.value(i, 9), 'a');
      c.referenced_columns = string_list(cons.value(i, 11));
    }
    c.columns = string_list(cons.value(i, 10));
    t->constraints.push_back(std::move(c));
  }

  QueryResult idx = conn.exec(
      "SELECT i.indrelid, c.relname, i.indisunique, i.indisprimary, i.indisvalid, "
      "pg_catalog.pg_get_indexdef(i.indexrelid), pn.nspname, p.relname FROM pg_catalog.pg_index i "
      "JOIN pg_catalog.pg_class c ON c.oid" + kEq + "i.indexrelid "
      "LEFT JOIN pg_catalog.pg_inherits h ON h.inhrelid" + kEq + "i.indexrelid "
      "LEFT JOIN pg_catalog.pg_class p ON p.oid" + kEq + "h.inhparent "
      "LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid" + kEq + "p.relnamespace "
      "WHERE i.indrelid" + kInTables + " ORDER BY i.indrelid, c.relname");
  if (!idx.ok()) return idx.error->message;
  for (std::size_t i = 0; i < idx.rows.size(); ++i) {
    analysis::SnapshotTable* t = table_of(idx, i);
    if (!t) continue;
    analysis::SnapshotIndex x{idx.value(i, 1), idx.value(i, 2) == "t", idx.value(i, 3) == "t", idx.value(i, 4) == "t",
                              idx.value(i, 5)};
    if (!idx.value(i, 7).empty()) x.parent = name(idx, i, 6);
    t->indexes.push_back(std::move(x));
  }

  // Partitions and inheritance: pg_inherits, relispartition says which; the DEFAULT partition
  // is its parent's pg_partitioned_table.partdefid.
  QueryResult inh = conn.exec(
      "SELECT h.inhrelid, pn.nspname, p.relname, c.relispartition, "
      "EXISTS (SELECT 1 FROM pg_catalog.pg_partitioned_table pt WHERE pt.partdefid" + kEq + "h.inhrelid) "
      "FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class c ON c.oid" + kEq + "h.inhrelid "
      "JOIN pg_catalog.pg_class p ON p.oid" + kEq + "h.inhparent "
      "JOIN pg_catalog.pg_namespace pn ON pn.oid" + kEq + "p.relnamespace "
      "WHERE h.inhrelid" + kInTables + " ORDER BY h.inhrelid, h.inhseqno");
  if (!inh.ok()) return inh.error->message;
  for (std::size_t i = 0; i < inh.rows.size(); ++i) {
    analysis::SnapshotTable* t = table_of(inh, i);
    if (!t) continue;
    if (inh.value(i, 3) == "t") {
      t->partition_of = name(inh, i, 1);
      t->default_partition = inh.value(i, 4) == "t";
    } else {
      t->inherits.push_back(name(inh, i, 1));
    }
  }

  QueryResult trg = conn.exec(
      "SELECT tg.tgrelid, tg.tgname, fn.nspname, f.proname FROM pg_catalog.pg_trigger tg "
      "JOIN pg_catalog.pg_proc f ON f.oid" + kEq + "tg.tgfoid "
      "JOIN pg_catalog.pg_namespace fn ON fn.oid" + kEq + "f.pronamespace "
      "WHERE NOT tg.tgisinternal AND tg.tgrelid" + kInTables + " ORDER BY tg.tgrelid, tg.tgname");
  if (!trg.ok()) return trg.error->message;
  for (std::size_t i = 0; i < trg.rows.size(); ++i) {
    if (analysis::SnapshotTable* t = table_of(trg, i)) t->triggers.push_back({trg.value(i, 1), name(trg, i, 2)});
  }

  // Views and materialized views, and the relations their rewrite rule depends on.
  QueryResult views = conn.exec("SELECT c.oid, n.nspname, c.relname, c.relkind " + kFromUserRelations +
                                " AND c.relkind" + kEq + "ANY ('{v,m}'::pg_catalog.\"char\"[]) ORDER BY 2, 3");
  if (!views.ok()) return views.error->message;
  std::map<std::string, std::size_t> view_by_oid;
  for (std::size_t i = 0; i < views.rows.size(); ++i) {
    view_by_oid[views.value(i, 0)] = out.views.size();
    out.views.push_back({name(views, i, 1), views.value(i, 3) == "m", {}});
  }
  QueryResult reads = conn.exec(
      "SELECT DISTINCT r.ev_class, dn.nspname, dc.relname FROM pg_catalog.pg_rewrite r "
      "JOIN pg_catalog.pg_depend d ON d.classid" + kEq + kRewriteRel + " AND d.objid" + kEq + "r.oid AND d.refclassid" +
      kEq + kClassRel + " JOIN pg_catalog.pg_class dc ON dc.oid" + kEq + "d.refobjid "
      "JOIN pg_catalog.pg_namespace dn ON dn.oid" + kEq + "dc.relnamespace "
      "WHERE d.refobjid OPERATOR(pg_catalog.<>) r.ev_class "
      "AND dc.relkind" + kEq + "ANY ('{r,p,v,m,f}'::pg_catalog.\"char\"[]) ORDER BY 1, 2, 3");
  if (!reads.ok()) return reads.error->message;
  for (std::size_t i = 0; i < reads.rows.size(); ++i) {
    auto it = view_by_oid.find(reads.value(i, 0));
    if (it != view_by_oid.end()) out.views[it->second].reads.push_back(name(reads, i, 1));
  }

  // Sequences and what owns them: an 'a'uto dependency (OWNED BY, serial) or an 'i'nternal one
  // (an identity column's).
  QueryResult seqs = conn.exec(
      "SELECT n.nspname, c.relname, tn.nspname, t.relname, a.attname, d.deptype FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid" + kEq + "c.relnamespace "
      "LEFT JOIN pg_catalog.pg_depend d ON d.classid" + kEq + kClassRel + " AND d.objid" + kEq + "c.oid AND d.refclassid" +
      kEq + kClassRel + " AND d.deptype" + kEq + "ANY ('{a,i}'::pg_catalog.\"char\"[]) "
      "LEFT JOIN pg_catalog.pg_class t ON t.oid" + kEq + "d.refobjid "
      "LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid" + kEq + "t.relnamespace "
      "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid" + kEq + "d.refobjid AND a.attnum" + kEq + "d.refobjsubid "
      "WHERE c.relkind" + kEq + "'S' AND " + kUserSchemaFilter + " ORDER BY 1, 2");
  if (!seqs.ok()) return seqs.error->message;
  for (std::size_t i = 0; i < seqs.rows.size(); ++i) {
    analysis::SnapshotSequence s{name(seqs, i, 0), {}, seqs.value(i, 4), seqs.value(i, 5) == "i"};
    if (!seqs.value(i, 3).empty()) s.owned_by = name(seqs, i, 2);
    out.sequences.push_back(std::move(s));
  }

  QueryResult types = conn.exec(
      "SELECT n.nspname, t.typname, t.typtype, pg_catalog.format_type(t.typbasetype, t.typtypmod), "
      "pg_catalog.array_to_json(ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid" + kEq +
      "t.oid ORDER BY e.enumsortorder))::pg_catalog.text FROM pg_catalog.pg_type t "
      "JOIN pg_catalog.pg_namespace n ON n.oid" + kEq + "t.typnamespace "
      "WHERE t.typtype" + kEq + "ANY ('{d,e}'::pg_catalog.\"char\"[]) AND " + kUserSchemaFilter + " ORDER BY 1, 2");
  if (!types.ok()) return types.error->message;
  for (std::size_t i = 0; i < types.rows.size(); ++i) {
    analysis::SnapshotType t{name(types, i, 0), first(types.value(i, 2), 'd'), {}, {}};
    if (t.kind == 'd') t.base = types.value(i, 3);
    else t.labels = string_list(types.value(i, 4));
    out.types.push_back(std::move(t));
  }

  QueryResult fns = conn.exec(
      "SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), "
      "p.prorettype" + kEq + "'pg_catalog.trigger'::pg_catalog.regtype FROM pg_catalog.pg_proc p "
      "JOIN pg_catalog.pg_namespace n ON n.oid" + kEq + "p.pronamespace "
      "WHERE p.prokind" + kEq + "'f' AND " + kUserSchemaFilter + " ORDER BY 1, 2, 3");
  if (!fns.ok()) return fns.error->message;
  for (std::size_t i = 0; i < fns.rows.size(); ++i)
    out.functions.push_back({name(fns, i, 0), fns.value(i, 2), fns.value(i, 3) == "t"});
  return {};
}

}  // namespace lockward::trace
