// CREATE INDEX, DROP INDEX, REINDEX.
#include "analysis/classify/classify_internal.h"

namespace lockward::analysis::classify_detail {
namespace {

bool has_option(const Json& params, std::string_view name) {
  for (const auto& p : params) {
    if (ast::str(ast::unwrap(p, "DefElem"), "defname") == name) return true;
  }
  return false;
}

void create_index(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  ObjectName table = ast::range_var(ast::field(body, "relation"));
  bool concurrent = ast::flag(body, "concurrent");
  std::string name = ast::str(body, "idxname");
  facts.summary = std::string(concurrent ? "CREATE INDEX CONCURRENTLY " : "CREATE INDEX ") +
                  (name.empty() ? "" : quote_identifier(name) + " ") + "ON " + table.sql();
  Effect effect = make_effect(in, concurrent ? "create-index-concurrently" : "create-index",
                              Targets{.table = table}, in.statement);
  effect.index = name;
  std::vector<std::string> columns;
  for (const auto& p : ast::list(body, "indexParams")) {
    std::string column = ast::str(ast::unwrap(p, "IndexElem"), "name");
    if (column.empty()) {
      columns.clear();  // an expression: no plain column list
      break;
    }
    columns.push_back(column);
  }
  if (!columns.empty()) effect.columns = column_list_sql(columns);
  // On a partitioned table, an index is built on each partition too (not with ON ONLY).
  if (recurses(ast::field(body, "relation"))) add_children(in, effect, table, true);
  facts.effects.push_back(std::move(effect));
  if (!name.empty()) {
    facts.creates.push_back({ObjectName{table.schema, name}, ObjectKind::Index, table});
    facts.defined_names.push_back({name, name_range(in, in.statement.begin, name)});
  }
}

void drop_index(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  bool concurrent = ast::flag(body, "concurrent");
  bool if_exists = ast::flag(body, "missing_ok");
  std::string names;
  for (const auto& object : ast::list(body, "objects")) {
    ObjectName index = ast::qualified(ast::string_list(ast::list(ast::unwrap(object, "List"), "items")));
    names += (names.empty() ? "" : ", ") + index.sql();
    facts.drops.push_back({index, ObjectKind::Index, ast::str(body, "behavior") == "DROP_CASCADE"});
    if (if_exists && absent(in, index)) {
      facts.effects.push_back(absent_effect(in, index, ObjectKind::Index));
      continue;
    }
    Targets targets{.table = table_of_index(in, index), .index = index};
    Effect effect = make_effect(in, concurrent ? "drop-index-concurrently" : "drop-index", targets, in.statement);
    effect.index = index.name;
    facts.effects.push_back(std::move(effect));
  }
  facts.summary = std::string(concurrent ? "DROP INDEX CONCURRENTLY " : "DROP INDEX ") + names;
}

void reindex(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  std::string kind = ast::str(body, "kind");
  bool concurrent = has_option(ast::list(body, "params"), "concurrently");
  ObjectName relation = ast::range_var(ast::field(body, "relation"));
  std::string_view row;
  Targets targets;
  std::string what;
  if (kind == "REINDEX_OBJECT_INDEX" || kind == "REINDEX_OBJECT_TABLE") {
    bool index = kind == "REINDEX_OBJECT_INDEX";
    what = index ? "INDEX " : "TABLE ";
    row = concurrent ? first_row(in, {"reindex-concurrently"}) : std::string_view{};
    if (row.empty()) row = index ? "reindex-index" : "reindex-table";
    if (index) {
      targets.index = relation;
      targets.table = table_of_index(in, relation);
    } else {
      targets.table = relation;
    }
  } else {
    bool schema = kind == "REINDEX_OBJECT_SCHEMA";
    what = schema ? "SCHEMA " : kind == "REINDEX_OBJECT_SYSTEM" ? "SYSTEM " : "DATABASE ";
    row = concurrent ? first_row(in, {schema ? "reindex-schema-concurrently" : "reindex-database-concurrently"})
                     : std::string_view{};
    if (row.empty()) row = schema ? "reindex-schema" : "reindex-database";
    targets.other = ObjectName{"", ast::str(body, "name")};
  }
  Effect effect = make_effect(in, row, targets, in.statement);
  effect.index = targets.index.name;
  if (concurrent && in.context.pg_version < 12) {
    effect.uncertain = true;
    effect.uncertainty = "REINDEX CONCURRENTLY needs PostgreSQL 12";
  }
  facts.effects.push_back(std::move(effect));
  std::string name = relation.empty() ? targets.other.sql() : relation.sql();
  facts.summary = "REINDEX " + what + (concurrent ? "CONCURRENTLY " : "") + name;
}

}  // namespace

void classify_index(const Input& in, StatementFacts& facts) {
  const std::string& type = in.node.type;
  if (type == "IndexStmt") create_index(in, facts);
  else if (type == "ReindexStmt") reindex(in, facts);
  else if (type == "DropStmt" && ast::str(in.node.body, "removeType") == "OBJECT_INDEX") drop_index(in, facts);
}

}  // namespace lockward::analysis::classify_detail
