// DDL other than ALTER TABLE and indexes: CREATE / DROP / RENAME of relations and types,
// views and materialized views, triggers, policies, sequences, maintenance, LOCK, COMMENT, GRANT.
#include <algorithm>
#include <cctype>
#include <string>

#include "analysis/classify/classify_internal.h"

namespace lockward::analysis::classify_detail {
namespace {

void push(const Input& in, StatementFacts& facts, std::string_view row, const Targets& targets) {
  facts.effects.push_back(make_effect(in, row, targets, in.statement));
}

// An effect whose row lock falls on every relation the query reads.
void reads(const Input& in, StatementFacts& facts, std::string_view row, const Json& query) {
  std::vector<ObjectName> sources = range_vars_in(query);
  Effect effect = make_effect(in, row, Targets{.table = sources.empty() ? ObjectName{} : sources[0]}, in.statement);
  add_locks_on(effect, Role::Table, sources);
  facts.effects.push_back(std::move(effect));
}

void create_table(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  ObjectName table = ast::range_var(ast::field(body, "relation"));
  facts.summary = "CREATE TABLE " + table.sql();
  facts.creates.push_back({table, ObjectKind::Table});
  facts.defined_names.push_back({table.name, name_range(in, in.at(ast::location(ast::field(body, "relation"))), table.name)});
  auto foreign_key = [&](const Json& con, const std::string& column) {
    ObjectName referenced = ast::range_var(ast::field(con, "pktable"));
    if (referenced.empty() || referenced == table) return;  // a self-reference locks only the new table
    Effect effect = make_effect(in, "create-table-references", Targets{.table = table, .referenced = referenced},
                                in.statement);
    effect.constraint = ast::str(con, "conname");
    facts.effects.push_back(std::move(effect));
    std::vector<std::string> columns = ast::string_list(ast::field(con, "fk_attrs"));
    if (columns.empty() && !column.empty()) columns.push_back(column);
    std::string name = ast::str(con, "conname");
    if (name.empty()) name = default_foreign_key_name(table, columns);
    facts.constraints_added.push_back({table, name, 'f', false, {}, referenced, columns,
                                       ast::string_list(ast::field(con, "pk_attrs")),
                                       foreign_key_action(con, "fk_del_action"),
                                       foreign_key_action(con, "fk_upd_action")});
  };
  auto constraint = [&](const Json& con, const std::string& column) {
    std::string contype = ast::str(con, "contype");
    if (contype == "CONSTR_FOREIGN") foreign_key(con, column);
    std::string name = ast::str(con, "conname");
    if (!name.empty()) facts.defined_names.push_back({name, name_range(in, in.at(ast::location(con)), name)});
    if (contype == "CONSTR_CHECK") {
      const Json& test = ast::unwrap(ast::field(con, "raw_expr"), "NullTest");
      auto fields = ast::string_list(ast::field(ast::unwrap(ast::field(test, "arg"), "ColumnRef"), "fields"));
      std::string not_null = ast::str(test, "nulltesttype") == "IS_NOT_NULL" && fields.size() == 1 ? fields[0] : "";
      facts.constraints_added.push_back({table, name, 'c', ast::flag(con, "skip_validation"), not_null});
    }
    (void)column;
  };
  for (const auto& elt : ast::list(body, "tableElts")) {
    if (const Json& like = ast::unwrap(elt, "TableLikeClause"); !like.is_null()) {
      ObjectName source = ast::range_var(ast::field(like, "relation"));
      Effect effect = make_effect(in, "create-table-like", Targets{.table = source}, in.statement);
      effect.detail = table.sql();
      facts.effects.push_back(std::move(effect));
      continue;
    }
    if (const Json& con = ast::unwrap(elt, "Constraint"); !con.is_null()) {
      constraint(con, {});
      continue;
    }
    const Json& col = ast::unwrap(elt, "ColumnDef");
    if (col.is_null()) continue;
    const Json& tn = ast::field(col, "typeName");
    std::string name = ast::str(col, "colname");
    facts.column_types.push_back(ColumnTypeUse{table, name, ast::type_name(tn), ast::type_mods(tn),
                                               !ast::list(tn, "arrayBounds").empty(), type_range(in, tn)});
    facts.defined_names.push_back({name, name_range(in, in.at(ast::location(col)), name)});
    for (const auto& c : ast::list(col, "constraints")) constraint(ast::unwrap(c, "Constraint"), name);
  }
  bool partition = !ast::field(body, "partbound").is_null();
  for (const auto& parent : ast::list(body, "inhRelations")) {
    ObjectName p = ast::range_var(ast::unwrap(parent, "RangeVar"));
    Effect effect = partition ? make_effect(in, "create-table-partition-of", Targets{.table = p}, in.statement)
                              : make_effect(in, "create-table-inherits", Targets{.table = table, .referenced = p},
                                            in.statement);
    effect.detail = table.sql();
    if (!partition) facts.partitions.push_back({p, table, false, true, true});
    if (partition) {
      bool is_default = ast::flag(ast::field(body, "partbound"), "is_default");  // a typed field: not wrapped
      // The parent's DEFAULT partition is scanned for rows the new bound now claims.
      if (!is_default)
        if (std::optional<ObjectName> d = in.context.schema ? in.context.schema->default_partition(p) : std::nullopt)
          add_locks_on(effect, Role::DefaultPartition, {*d});
      facts.partitions.push_back({p, table, is_default, true});
    }
    facts.effects.push_back(std::move(effect));
  }
  // A plain new table locks nothing another session can see.
  if (facts.effects.empty()) facts.effects.push_back(make_effect(in, "create-table", Targets{}, in.statement));
}

void create_table_as(const Input& in, StatementFacts& facts, const Json& into, const Json& query, bool matview) {
  ObjectName name = ast::range_var(ast::field(into, "rel"));
  bool no_data = ast::flag(into, "skipData");
  facts.summary = (matview ? "CREATE MATERIALIZED VIEW " : "CREATE TABLE ") + name.sql() + " AS";
  facts.creates.push_back({name, matview ? ObjectKind::MaterializedView : ObjectKind::Table});
  facts.defined_names.push_back({name.name, name_range(in, in.at(ast::location(ast::field(into, "rel"))), name.name)});
  std::string_view row = !matview ? "create-table-as"
                         : no_data ? "create-materialized-view-with-no-data"
                                   : "create-materialized-view";
  reads(in, facts, row, query);
}

std::vector<ObjectName> object_names(const Json& objects) {
  std::vector<ObjectName> out;
  for (const auto& o : objects) {
    if (const Json& l = ast::unwrap(o, "List"); !l.is_null()) out.push_back(ast::qualified(ast::string_list(ast::list(l, "items"))));
    else if (const Json& s = ast::unwrap(o, "String"); !s.is_null()) out.push_back(ObjectName{"", ast::str(s, "sval")});
    else if (const Json& t = ast::unwrap(o, "TypeName"); !t.is_null()) out.push_back(ast::qualified(ast::string_list(ast::field(t, "names"))));
  }
  return out;
}

// DROP FUNCTION of a function a trigger may call: with CASCADE, RemoveTriggerById drops each
// such trigger under ACCESS EXCLUSIVE on its table; without it, such a trigger makes it fail
// (returned as words for the summary).
std::string drop_trigger_function(const Input& in, StatementFacts& facts, const ObjectName& function, bool cascade) {
  std::optional<std::vector<SchemaLookup::Trigger>> triggers =
      in.context.schema ? in.context.schema->triggers_calling(function) : std::nullopt;
  const bool some = !triggers || !triggers->empty();
  push(in, facts, cascade && some ? "drop-function-cascade" : "drop-function", Targets{});
  Effect& effect = facts.effects.back();
  if (cascade) {
    facts.triggers.push_back({{}, {}, function, {}, true});
    std::vector<ObjectName> tables;
    for (const SchemaLookup::Trigger& t : triggers.value_or(std::vector<SchemaLookup::Trigger>{}))
      if (std::find(tables.begin(), tables.end(), t.first) == tables.end()) tables.push_back(t.first);
    add_locks_on(effect, Role::TriggerTable, tables);
    effect.uncertain = true;
    effect.uncertainty = std::string(triggers ? "whether column defaults or views" : "which triggers, column defaults or views") +
                         " use " + function.sql() + "(): CASCADE drops them too, under ACCESS EXCLUSIVE";
  } else if (triggers && !triggers->empty()) {
    return " (fails: trigger " + quote_identifier(triggers->front().second) + " on " + triggers->front().first.sql() +
           " calls it; CASCADE would drop the trigger)";
  }
  return {};
}

void drop(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  std::string type = ast::str(body, "removeType");
  std::string_view row, keyword;
  bool table_role = false;
  const bool cascade = ast::str(body, "behavior") == "DROP_CASCADE";
  const bool if_exists = ast::flag(body, "missing_ok");
  ObjectKind kind = ObjectKind::Other;
  if (type == "OBJECT_TABLE") kind = ObjectKind::Table;
  else if (type == "OBJECT_VIEW") kind = ObjectKind::View;
  else if (type == "OBJECT_MATVIEW") kind = ObjectKind::MaterializedView;
  else if (type == "OBJECT_SEQUENCE") kind = ObjectKind::Sequence;
  if (kind != ObjectKind::Other) {
    for (const ObjectName& name : object_names(ast::list(body, "objects"))) facts.drops.push_back({name, kind, cascade});
  }
  if (type == "OBJECT_TABLE") row = "drop-table", keyword = "DROP TABLE ", table_role = true;
  else if (type == "OBJECT_VIEW") row = "drop-view", keyword = "DROP VIEW ";
  else if (type == "OBJECT_MATVIEW") row = "drop-materialized-view", keyword = "DROP MATERIALIZED VIEW ";
  else if (type == "OBJECT_SCHEMA") row = "drop-schema", keyword = "DROP SCHEMA ";
  else if (type == "OBJECT_TYPE") row = "drop-type", keyword = "DROP TYPE ";
  else if (type == "OBJECT_DOMAIN") row = "drop-type", keyword = "DROP DOMAIN ";
  else if (type == "OBJECT_SEQUENCE") row = "drop-sequence", keyword = "DROP SEQUENCE ";
  else if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE" || type == "OBJECT_ROUTINE") {
    std::string_view what = type == "OBJECT_FUNCTION" ? "DROP FUNCTION " : type == "OBJECT_PROCEDURE" ? "DROP PROCEDURE "
                                                                                                       : "DROP ROUTINE ";
    std::string names;
    for (const auto& o : ast::list(body, "objects")) {
      const Json& function = ast::unwrap(o, "ObjectWithArgs");
      ObjectName name = ast::qualified(ast::string_list(ast::field(function, "objname")));
      // A trigger function takes no arguments; a procedure is never one.
      std::string fails;
      if (type != "OBJECT_PROCEDURE" && ast::list(function, "objargs").empty())
        fails = drop_trigger_function(in, facts, name, cascade);
      else push(in, facts, "drop-function", Targets{});
      names += (names.empty() ? "" : ", ") + name.sql() + fails;
    }
    facts.summary = std::string(what) + names;
    return;
  } else if (type == "OBJECT_TRIGGER" || type == "OBJECT_POLICY" || type == "OBJECT_RULE") {
    // objects: [[schema,] table, name]
    std::string_view what = type == "OBJECT_TRIGGER" ? "trigger" : type == "OBJECT_POLICY" ? "policy" : "rule";
    for (const auto& o : ast::list(body, "objects")) {
      auto parts = ast::string_list(ast::list(ast::unwrap(o, "List"), "items"));
      if (parts.empty()) continue;
      std::string name = parts.back();
      parts.pop_back();
      ObjectName table = ast::qualified(parts);
      push(in, facts, "drop-" + std::string(what), Targets{.table = table});
      if (type == "OBJECT_TRIGGER") facts.triggers.push_back({table, name, {}, {}, true});
      std::string keyword = "DROP " + std::string(what) + " ";
      for (char& c : keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      facts.summary = keyword + quote_identifier(name) + " ON " + table.sql();
    }
    return;
  } else {
    return;
  }
  std::string names;
  for (const ObjectName& name : object_names(ast::list(body, "objects"))) {
    names += (names.empty() ? "" : ", ") + name.sql();
    // The schema covers relations; the snapshot, tables.
    if (if_exists && kind != ObjectKind::Other && absent(in, name, kind == ObjectKind::Table)) {
      facts.effects.push_back(absent_effect(in, name, kind));
      continue;
    }
    push(in, facts, row, table_role ? Targets{.table = name} : Targets{.other = name});
    // The views reading it are not modelled: CASCADE drops them (RemoveRelations, ACCESS EXCLUSIVE).
    if (cascade && (kind == ObjectKind::Table || kind == ObjectKind::View || kind == ObjectKind::MaterializedView)) {
      facts.effects.back().uncertain = true;
      facts.effects.back().uncertainty =
          "which views and materialized views read " + name.sql() + ": CASCADE drops them too, under ACCESS EXCLUSIVE";
    }
    if (table_role) {
      add_locks_on(facts.effects.back(), Role::ReferencedTable, tables_referenced_by(in, name));
      // Without CASCADE a referenced table cannot be dropped (the statement fails).
      if (cascade) add_locks_on(facts.effects.back(), Role::ReferencingTable, tables_referencing(in, name));
      add_locks_on(facts.effects.back(), Role::Index, indexes_on(in, name));
    }
  }
  facts.summary = std::string(keyword) + names;
}

void rename(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  std::string type = ast::str(body, "renameType");
  ObjectName relation = ast::range_var(ast::field(body, "relation"));
  std::string sub = ast::str(body, "subname"), to = ast::str(body, "newname");
  Effect effect;
  if (type == "OBJECT_TABLE") {
    effect = make_effect(in, "rename-table", Targets{.table = relation}, in.statement);
    effect.detail = to;
    facts.renames.push_back({relation, ObjectKind::Table, {}, to});
    facts.summary = "ALTER TABLE " + relation.sql() + " RENAME TO " + quote_identifier(to);
  } else if (type == "OBJECT_COLUMN" && ast::str(body, "relationType") == "OBJECT_TABLE") {
    effect = make_effect(in, "rename-column", Targets{.table = relation}, in.statement);
    effect.column = sub;
    facts.renames.push_back({relation, ObjectKind::Table, sub, to});
    effect.detail = to;
    facts.summary = "ALTER TABLE " + relation.sql() + " RENAME COLUMN " + quote_identifier(sub);
  } else if (type == "OBJECT_INDEX") {
    effect = make_effect(in, "rename-index", Targets{.table = table_of_index(in, relation), .index = relation},
                         in.statement);
    effect.index = relation.name;
    effect.detail = to;
    facts.renames.push_back({relation, ObjectKind::Index, {}, to});
    facts.summary = "ALTER INDEX " + relation.sql() + " RENAME TO " + quote_identifier(to);
  } else if (type == "OBJECT_TABCONSTRAINT") {
    effect = make_effect(in, "rename-constraint", Targets{.table = relation}, in.statement);
    effect.constraint = sub;
    effect.detail = to;
    facts.summary = "ALTER TABLE " + relation.sql() + " RENAME CONSTRAINT " + quote_identifier(sub);
  } else if (type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE") {
    std::string_view row = type == "OBJECT_VIEW" ? "rename-view" : type == "OBJECT_MATVIEW" ? "rename-materialized-view"
                                                                                            : "rename-sequence";
    std::string_view keyword = type == "OBJECT_VIEW"      ? "ALTER VIEW "
                               : type == "OBJECT_MATVIEW" ? "ALTER MATERIALIZED VIEW "
                                                          : "ALTER SEQUENCE ";
    effect = make_effect(in, row, Targets{.other = relation}, in.statement);
    effect.detail = to;
    facts.summary = std::string(keyword) + relation.sql() + " RENAME TO " + quote_identifier(to);
  } else if (type == "OBJECT_COLUMN" && (ast::str(body, "relationType") == "OBJECT_VIEW" ||
                                         ast::str(body, "relationType") == "OBJECT_MATVIEW")) {
    bool view = ast::str(body, "relationType") == "OBJECT_VIEW";
    effect = make_effect(in, view ? "rename-view-column" : "rename-materialized-view-column",
                         Targets{.other = relation}, in.statement);
    effect.column = sub;
    effect.detail = to;
    facts.summary = std::string(view ? "ALTER VIEW " : "ALTER MATERIALIZED VIEW ") + relation.sql() +
                    " RENAME COLUMN " + quote_identifier(sub);
  } else if (type == "OBJECT_TRIGGER") {
    effect = make_effect(in, "rename-trigger", Targets{.table = relation}, in.statement);
    effect.detail = to;
    facts.triggers.push_back({relation, sub, {}, to, false});
    facts.summary = "ALTER TRIGGER " + quote_identifier(sub) + " ON " + relation.sql() + " RENAME TO " + quote_identifier(to);
  } else if (type == "OBJECT_SCHEMA") {
    effect = make_effect(in, "rename-schema", Targets{.other = ObjectName{"", sub}}, in.statement);
    effect.detail = to;
    facts.summary = "ALTER SCHEMA " + quote_identifier(sub) + " RENAME TO " + quote_identifier(to);
  } else {
    return;
  }
  facts.defined_names.push_back({to, name_range(in, in.statement.begin, to)});
  facts.effects.push_back(std::move(effect));
}

void vacuum(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  bool full = false;
  for (const auto& o : ast::list(body, "options")) {
    if (ast::str(ast::unwrap(o, "DefElem"), "defname") == "full") full = true;
  }
  bool is_vacuum = ast::flag(body, "is_vacuumcmd");
  std::string_view row = !is_vacuum ? "analyze" : full ? "vacuum-full" : "vacuum";
  std::string names;
  for (const auto& r : ast::list(body, "rels")) {
    ObjectName table = ast::range_var(ast::field(ast::unwrap(r, "VacuumRelation"), "relation"));
    push(in, facts, row, Targets{.table = table});
    names += (names.empty() ? " " : ", ") + table.sql();
  }
  if (ast::list(body, "rels").empty()) push(in, facts, row, Targets{});
  facts.summary = std::string(!is_vacuum ? "ANALYZE" : full ? "VACUUM FULL" : "VACUUM") + names;
}

void lock_table(const Input& in, StatementFacts& facts) {
  static constexpr std::string_view kRows[] = {
      "lock-table-access-share", "lock-table-row-share", "lock-table-row-exclusive",
      "lock-table-share-update-exclusive", "lock-table-share", "lock-table-share-row-exclusive",
      "lock-table-exclusive", "lock-table-access-exclusive"};
  long mode = ast::integer(in.node.body, "mode", 8);
  std::string_view row = mode >= 1 && mode <= 8 ? kRows[mode - 1] : kRows[7];
  std::string names;
  for (const auto& r : ast::list(in.node.body, "relations")) {
    ObjectName table = ast::range_var(ast::unwrap(r, "RangeVar"));
    push(in, facts, row, Targets{.table = table});
    if (recurses(r)) add_children(in, facts.effects.back(), table);
    // A view: the tables and views it reads take the same lock, and the tables' children
    // (LockViewRecurse; a materialized view it reads is not locked).
    if (std::optional<std::vector<ObjectName>> base = view_tables(in, table, false)) {
      std::erase_if(*base, [&](const ObjectName& o) { return in.context.schema->view_sources(o, true).has_value(); });
      for (const ObjectName& o : std::vector<ObjectName>(*base)) {
        std::vector<ObjectName> children = descendants(in, o);
        base->insert(base->end(), children.begin(), children.end());
      }
      add_locks_on(facts.effects.back(), Role::ViewBase, *base);
    }
    names += (names.empty() ? "" : ", ") + table.sql();
  }
  facts.summary = "LOCK TABLE " + names;
}

void comment(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  std::string type = ast::str(body, "objtype");
  auto parts = ast::string_list(ast::list(ast::unwrap(ast::field(body, "object"), "List"), "items"));
  if (type == "OBJECT_COLUMN" && !parts.empty()) parts.pop_back();
  bool relation = type == "OBJECT_TABLE" || type == "OBJECT_COLUMN" || type == "OBJECT_VIEW" ||
                  type == "OBJECT_MATVIEW" || type == "OBJECT_FOREIGN_TABLE";
  bool on_table = type == "OBJECT_TABCONSTRAINT" || type == "OBJECT_TRIGGER" || type == "OBJECT_RULE" ||
                  type == "OBJECT_POLICY";
  std::string kind = type.size() > 7 ? type.substr(7) : type;
  if (on_table && !parts.empty()) {
    std::string name = parts.back();
    parts.pop_back();
    facts.summary = "COMMENT ON " + kind + " " + quote_identifier(name) + " ON " + ast::qualified(parts).sql();
    push(in, facts, "comment-on-table-object", Targets{.table = ast::qualified(parts)});
    return;
  }
  facts.summary = "COMMENT ON " + (relation ? ast::qualified(parts).sql()
                                   : type == "OBJECT_INDEX" || type == "OBJECT_SEQUENCE" ? kind + " " + ast::qualified(parts).sql()
                                                                                         : kind);
  if (relation) push(in, facts, "comment-on", Targets{.table = ast::qualified(parts)});
  else if (type == "OBJECT_INDEX")
    push(in, facts, "comment-on-index", Targets{.table = table_of_index(in, ast::qualified(parts)), .index = ast::qualified(parts)});
  else if (type == "OBJECT_SEQUENCE") push(in, facts, "comment-on-sequence", Targets{.other = ast::qualified(parts)});
  else if (type != "OBJECT_LARGEOBJECT" && type != "OBJECT_FOREIGN_TABLE") push(in, facts, "comment-on-object", Targets{});
}

}  // namespace

void classify_ddl(const Input& in, StatementFacts& facts) {
  const std::string& type = in.node.type;
  const Json& body = in.node.body;
  if (type == "CreateStmt") {
    create_table(in, facts);
  } else if (type == "CreateTableAsStmt") {
    create_table_as(in, facts, ast::field(body, "into"), ast::field(body, "query"),
                    ast::str(body, "objtype") == "OBJECT_MATVIEW");
  } else if (type == "SelectStmt" && !ast::field(body, "intoClause").is_null()) {
    create_table_as(in, facts, ast::field(body, "intoClause"), body, false);
  } else if (type == "DropStmt") {
    drop(in, facts);
  } else if (type == "DropdbStmt") {
    facts.summary = "DROP DATABASE " + quote_identifier(ast::str(body, "dbname"));
    push(in, facts, "drop-database", Targets{.other = ObjectName{"", ast::str(body, "dbname")}});
  } else if (type == "RenameStmt") {
    rename(in, facts);
  } else if (type == "AlterObjectSchemaStmt" && (ast::str(body, "objectType") == "OBJECT_VIEW" ||
                                                 ast::str(body, "objectType") == "OBJECT_MATVIEW" ||
                                                 ast::str(body, "objectType") == "OBJECT_SEQUENCE")) {
    std::string kind = ast::str(body, "objectType");
    ObjectName relation = ast::range_var(ast::field(body, "relation"));
    std::string_view row = kind == "OBJECT_VIEW" ? "set-schema-view" : kind == "OBJECT_MATVIEW" ? "set-schema-materialized-view"
                                                                                                : "set-schema-sequence";
    std::string_view keyword = kind == "OBJECT_VIEW"      ? "ALTER VIEW "
                               : kind == "OBJECT_MATVIEW" ? "ALTER MATERIALIZED VIEW "
                                                          : "ALTER SEQUENCE ";
    facts.summary = std::string(keyword) + relation.sql() + " SET SCHEMA " + quote_identifier(ast::str(body, "newschema"));
    push(in, facts, row, Targets{.other = relation});
    facts.effects.back().detail = ast::str(body, "newschema");
  } else if (type == "AlterObjectSchemaStmt" && ast::str(body, "objectType") == "OBJECT_TABLE") {
    ObjectName table = ast::range_var(ast::field(body, "relation"));
    facts.summary = "ALTER TABLE " + table.sql() + " SET SCHEMA " + quote_identifier(ast::str(body, "newschema"));
    push(in, facts, "set-schema", Targets{.table = table});
    facts.effects.back().detail = ast::str(body, "newschema");
  } else if (type == "ViewStmt") {
    ObjectName view = ast::range_var(ast::field(body, "view"));
    bool replace = ast::flag(body, "replace");
    facts.summary = (replace ? "CREATE OR REPLACE VIEW " : "CREATE VIEW ") + view.sql();
    if (replace) {
      push(in, facts, "create-or-replace-view", Targets{.table = view, .other = view});
      add_locks_on(facts.effects.back(), Role::Source, range_vars_in(ast::field(body, "query")));
    } else reads(in, facts, "create-view", ast::field(body, "query"));
    facts.creates.push_back({view, ObjectKind::View});
    facts.defined_names.push_back({view.name, name_range(in, in.at(ast::location(ast::field(body, "view"))), view.name)});
  } else if (type == "RefreshMatViewStmt") {
    ObjectName view = ast::range_var(ast::field(body, "relation"));
    bool concurrent = ast::flag(body, "concurrent");
    std::string_view row = concurrent                    ? "refresh-materialized-view-concurrently"
                           : ast::flag(body, "skipData") ? "refresh-materialized-view-with-no-data"
                                                         : "refresh-materialized-view";
    facts.summary = std::string(concurrent ? "REFRESH MATERIALIZED VIEW CONCURRENTLY " : "REFRESH MATERIALIZED VIEW ") +
                    view.sql();
    push(in, facts, row, Targets{.table = view, .other = view});
    // Its query runs again: what it reads, from the schema (views in it expanded).
    if (std::optional<std::vector<ObjectName>> sources = view_tables(in, view, true))
      add_locks_on(facts.effects.back(), Role::Source, *sources);
  } else if (type == "CreateTrigStmt") {
    ObjectName table = ast::range_var(ast::field(body, "relation"));
    facts.summary = "CREATE TRIGGER " + quote_identifier(ast::str(body, "trigname")) + " ON " + table.sql();
    push(in, facts, "create-trigger", Targets{.table = table});
    // OR REPLACE (PostgreSQL 14+) replaces the table's trigger of that name.
    facts.triggers.push_back({table, ast::str(body, "trigname"), ast::qualified(ast::string_list(ast::field(body, "funcname"))), {}, false});
  } else if (type == "RuleStmt") {
    ObjectName table = ast::range_var(ast::field(body, "relation"));
    facts.summary = std::string(ast::flag(body, "replace") ? "CREATE OR REPLACE RULE " : "CREATE RULE ") +
                    quote_identifier(ast::str(body, "rulename")) + " ON " + table.sql();
    push(in, facts, "create-rule", Targets{.table = table});
  } else if (type == "CreatePolicyStmt" || type == "AlterPolicyStmt") {
    ObjectName table = ast::range_var(ast::field(body, "table"));
    bool create = type == "CreatePolicyStmt";
    facts.summary = std::string(create ? "CREATE POLICY " : "ALTER POLICY ") +
                    quote_identifier(ast::str(body, "policy_name")) + " ON " + table.sql();
    push(in, facts, create ? "create-policy" : "alter-policy", Targets{.table = table});
  } else if (type == "CreateEnumStmt" || type == "CompositeTypeStmt" || type == "CreateDomainStmt" ||
             type == "CreateRangeStmt" || (type == "DefineStmt" && ast::str(body, "kind") == "OBJECT_TYPE")) {
    const Json& names = type == "CompositeTypeStmt" ? Json() : ast::field(body, type == "CreateDomainStmt" ? "domainname" : type == "DefineStmt" ? "defnames" : "typeName");
    ObjectName name = type == "CompositeTypeStmt" ? ast::range_var(ast::field(body, "typevar"))
                                                  : ast::qualified(ast::string_list(names));
    facts.summary = std::string(type == "CreateDomainStmt" ? "CREATE DOMAIN " : "CREATE TYPE ") + name.sql();
    facts.creates.push_back({name, ObjectKind::Type});
    push(in, facts, "create-type", Targets{.other = name});
  } else if (type == "AlterEnumStmt") {
    ObjectName name = ast::qualified(ast::string_list(ast::field(body, "typeName")));
    bool rename_value = !ast::str(body, "oldVal").empty();
    facts.summary = "ALTER TYPE " + name.sql() + (rename_value ? " RENAME VALUE" : " ADD VALUE");
    push(in, facts, rename_value ? "alter-type-rename-value" : "alter-type-add-value", Targets{.other = name});
  } else if (type == "AlterDomainStmt") {
    ObjectName name = ast::qualified(ast::string_list(ast::field(body, "typeName")));
    std::string subtype = ast::str(body, "subtype");
    facts.summary = "ALTER DOMAIN " + name.sql();
    if (subtype == "C") {
      const Json& con = ast::unwrap(ast::field(body, "def"), "Constraint");
      bool not_valid = ast::flag(con, "skip_validation");
      push(in, facts, not_valid ? "alter-domain-add-constraint-not-valid" : "alter-domain-add-constraint",
           Targets{.other = name});
      facts.effects.back().constraint = ast::str(con, "conname");
    } else if (subtype == "V") {
      push(in, facts, "alter-domain-validate-constraint", Targets{.other = name});
      facts.effects.back().constraint = ast::str(body, "name");
    } else if (subtype == "O") {
      push(in, facts, "alter-domain-set-not-null", Targets{.other = name});
    } else if (subtype == "T" || subtype == "N" || subtype == "X") {
      push(in, facts, "alter-domain", Targets{.other = name});
    }
    // The tables with a column of the domain (their partitions and children have it too).
    std::optional<std::vector<ObjectName>> users =
        in.context.schema && !facts.effects.empty() ? in.context.schema->tables_using_type(name) : std::nullopt;
    for (const ObjectName& table : users.value_or(std::vector<ObjectName>{})) {
      add_locks_on(facts.effects.back(), Role::DomainTable, {table});
      add_locks_on(facts.effects.back(), Role::DomainTable, descendants(in, table));
    }
  } else if (type == "CreateSeqStmt") {
    ObjectName seq = ast::range_var(ast::field(body, "sequence"));
    facts.summary = "CREATE SEQUENCE " + seq.sql();
    facts.creates.push_back({seq, ObjectKind::Sequence});
    push(in, facts, "create-sequence", Targets{.other = seq});
  } else if (type == "AlterSeqStmt") {
    ObjectName seq = ast::range_var(ast::field(body, "sequence"));
    facts.summary = "ALTER SEQUENCE " + seq.sql();
    ObjectName owner;
    for (const auto& o : ast::list(body, "options")) {
      const Json& d = ast::unwrap(o, "DefElem");
      if (ast::str(d, "defname") != "owned_by") continue;
      auto parts = ast::string_list(ast::list(ast::unwrap(ast::field(d, "arg"), "List"), "items"));
      if (parts.size() >= 2) {  // [schema.]table.column; OWNED BY NONE is one word
        parts.pop_back();
        owner = ast::qualified(parts);
      }
    }
    push(in, facts, owner.empty() ? "alter-sequence" : "alter-sequence-owned-by", Targets{.table = owner, .other = seq});
  } else if (type == "ClusterStmt") {
    ObjectName table = ast::range_var(ast::field(body, "relation"));
    facts.summary = "CLUSTER" + (table.empty() ? "" : " " + table.sql());
    push(in, facts, "cluster", Targets{.table = table});
    facts.effects.back().index = ast::str(body, "indexname");
  } else if (type == "VacuumStmt") {
    vacuum(in, facts);
  } else if (type == "TruncateStmt") {
    std::string names;
    for (const auto& r : ast::list(body, "relations")) {
      ObjectName table = ast::range_var(ast::unwrap(r, "RangeVar"));
      push(in, facts, ast::flag(body, "restart_seqs") ? "truncate-restart-identity" : "truncate", Targets{.table = table});
      if (recurses(r)) add_children(in, facts.effects.back(), table);
      // CASCADE truncates every table whose foreign keys reach it, directly or not (without it,
      // a referencing table not in the list makes the statement fail).
      if (ast::str(body, "behavior") == "DROP_CASCADE")
        add_locks_on(facts.effects.back(), Role::ReferencingTable, tables_referencing_transitively(in, table));
      names += (names.empty() ? "" : ", ") + table.sql();
    }
    facts.summary = "TRUNCATE " + names;
  } else if (type == "LockStmt") {
    lock_table(in, facts);
  } else if (type == "CommentStmt") {
    comment(in, facts);
  } else if (type == "GrantStmt") {
    facts.summary = ast::flag(body, "is_grant") ? "GRANT" : "REVOKE";
    push(in, facts, "grant-revoke", Targets{});
    // The tables it names (PostgreSQL 18 locks them; the row says which versions do).
    if (ast::str(body, "objtype") == "OBJECT_TABLE" && ast::str(body, "targtype") == "ACL_TARGET_OBJECT") {
      std::vector<ObjectName> tables;
      for (const Json& o : ast::list(body, "objects")) tables.push_back(ast::range_var(ast::unwrap(o, "RangeVar")));
      add_locks_on(facts.effects.back(), Role::Table, tables);
    }
  } else if (type == "CreateSchemaStmt") {
    facts.summary = "CREATE SCHEMA " + quote_identifier(ast::str(body, "schemaname"));
    push(in, facts, "create-schema", Targets{});
  } else if (type == "AlterFunctionStmt") {
    facts.summary = "ALTER FUNCTION";
    push(in, facts, "alter-function", Targets{});
  } else if (type == "CreateRoleStmt" || type == "AlterRoleStmt" || type == "AlterRoleSetStmt" ||
             type == "DropRoleStmt" || type == "GrantRoleStmt") {
    std::string_view row = type == "CreateRoleStmt" ? "create-role" : type == "DropRoleStmt" ? "drop-role"
                           : type == "GrantRoleStmt" ? "grant-role" : "alter-role";
    facts.summary = type == "CreateRoleStmt" ? "CREATE ROLE " + quote_identifier(ast::str(body, "role"))
                    : type == "DropRoleStmt" ? std::string("DROP ROLE")
                    : type == "GrantRoleStmt" ? std::string(ast::flag(body, "is_grant") ? "GRANT role" : "REVOKE role")
                                              : std::string("ALTER ROLE");
    push(in, facts, row, Targets{});
  } else if (type == "AlterOwnerStmt") {
    std::string kind = ast::str(body, "objectType");
    facts.summary = "ALTER " + (kind.size() > 7 ? kind.substr(7) : kind) + " OWNER TO";
    push(in, facts, "owner-to-object", Targets{});
  } else if (type == "AlterDefaultPrivilegesStmt") {
    facts.summary = "ALTER DEFAULT PRIVILEGES";
    push(in, facts, "alter-default-privileges", Targets{});
  } else if (type == "CreateExtensionStmt") {
    facts.summary = "CREATE EXTENSION " + quote_identifier(ast::str(body, "extname"));
    push(in, facts, "create-extension", Targets{});
  } else if (type == "CreateStatsStmt") {
    std::vector<ObjectName> tables = range_vars_in(ast::field(body, "relations"));
    facts.summary = "CREATE STATISTICS";
    push(in, facts, "create-statistics", Targets{.table = tables.empty() ? ObjectName{} : tables[0]});
  }
}

}  // namespace lockward::analysis::classify_detail
