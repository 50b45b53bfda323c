// Transaction control, settings, DML and queries, and statements lockward cannot see into.
#include <algorithm>
#include <cctype>

#include "analysis/catalog/volatility.h"
#include "analysis/classify/classify_internal.h"

namespace lockward::analysis::classify_detail {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void transaction(const Input& in, StatementFacts& facts) {
  std::string kind = ast::str(in.node.body, "kind");
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") facts.tx_control = TxControl::Begin;
  else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_COMMIT_PREPARED") facts.tx_control = TxControl::Commit;
  else if (kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_ROLLBACK_PREPARED") facts.tx_control = TxControl::Rollback;
  else if (kind == "TRANS_STMT_SAVEPOINT") facts.tx_control = TxControl::Savepoint;
  else if (kind == "TRANS_STMT_RELEASE") facts.tx_control = TxControl::Release;
  else if (kind == "TRANS_STMT_ROLLBACK_TO") facts.tx_control = TxControl::RollbackTo;
  else if (kind == "TRANS_STMT_PREPARE") facts.tx_control = TxControl::Commit;
  static constexpr std::pair<TxControl, const char*> kSummaries[] = {
      {TxControl::Begin, "BEGIN"},         {TxControl::Commit, "COMMIT"},
      {TxControl::Rollback, "ROLLBACK"},   {TxControl::Savepoint, "SAVEPOINT"},
      {TxControl::Release, "RELEASE"},     {TxControl::RollbackTo, "ROLLBACK TO SAVEPOINT"}};
  for (auto [k, s] : kSummaries) {
    if (k == facts.tx_control) facts.summary = s;
  }
}

std::string const_text(const Json& node) {
  const Json& c = ast::unwrap(node, "A_Const");
  if (c.is_null()) return {};
  if (const Json& s = ast::field(c, "sval"); s.is_object()) return ast::str(s, "sval");
  if (const Json& i = ast::field(c, "ival"); i.is_object()) return std::to_string(ast::integer(i, "ival", 0));
  if (c.contains("ival")) return "0";  // libpg_query omits ival 0
  if (const Json& f = ast::field(c, "fval"); f.is_object()) return ast::str(f, "fval");
  return {};
}

void variable_set(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  std::string kind = ast::str(body, "kind");
  SettingChange change;
  change.name = lower(ast::str(body, "name"));
  change.local = ast::flag(body, "is_local");
  if (kind == "VAR_SET_VALUE") {
    const Json& args = ast::list(body, "args");
    if (!args.empty()) {
      std::string v = const_text(args[0]);
      // `SET lock_timeout = 0` arrives as an A_Const without ival. (push_back: GCC 12 at -O3
      // reports a false -Wrestrict for assigning a literal here.)
      if (v.empty() && !ast::unwrap(args[0], "A_Const").is_null()) v.push_back('0');
      change.value = v;
    }
  }
  facts.summary = (change.value ? "SET " : "RESET ") + change.name;
  facts.setting = std::move(change);
}

// Structural equality that ignores source locations (`1 = 1`, `a = a`).
bool same_expression(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (it.key() == "location") continue;
      auto other = b.find(it.key());
      if (other == b.end() || !same_expression(*it, *other)) return false;
    }
    for (auto it = b.begin(); it != b.end(); ++it) {
      if (it.key() != "location" && !a.contains(it.key())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same_expression(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

bool is_tautology(const Json& where) {
  std::string type = ast::node_type(where);
  const Json& body = where.is_object() && !where.empty() ? where.begin().value() : where;
  if (type == "A_Const") {
    const Json& b = ast::field(body, "boolval");
    return b.is_object() && ast::flag(b, "boolval");
  }
  if (type == "A_Expr" && ast::str(body, "kind") == "AEXPR_OP") {
    auto op = ast::string_list(ast::field(body, "name"));
    const Json& l = ast::field(body, "lexpr");
    const Json& r = ast::field(body, "rexpr");
    if (op.size() == 1 && op[0] == "=" && !l.is_null() && same_expression(l, r)) return true;
  }
  return false;
}

void dml(const Input& in, StatementFacts& facts, bool update) {
  const Json& body = in.node.body;
  DmlFacts d;
  d.is_update = update;
  d.is_delete = !update;
  d.table = ast::range_var(ast::field(body, "relation"));
  const Json& where = ast::field(body, "whereClause");
  d.has_where = !where.is_null();
  d.tautological_where = d.has_where && is_tautology(where);
  facts.summary = (update ? "UPDATE " : "DELETE FROM ") + d.table.sql();
  facts.dml = d;
  // What else the statement reads: FROM / USING, subqueries in SET, WHERE, RETURNING and WITH.
  std::vector<ObjectName> sources;
  for (const char* key : {update ? "fromClause" : "usingClause", "whereClause", "targetList", "returningList", "withClause"}) {
    for (ObjectName& o : range_vars_in(ast::field(body, key))) sources.push_back(std::move(o));
  }
  // The tables whose foreign keys point at the rows it deletes, or at the key columns it sets.
  std::vector<std::string> set_columns;
  if (update)
    for (const auto& target : ast::list(body, "targetList"))
      if (std::string c = ast::str(ast::unwrap(target, "ResTarget"), "name"); !c.empty()) set_columns.push_back(c);
  ReferentialActions actions = referential_actions(in, d.table, update ? &set_columns : nullptr);
  bool referenced = !actions.checked.empty() || !actions.written.empty();
  // The tables its own foreign keys on the set columns point at: checked per changed row.
  std::vector<ObjectName> checks;
  for (const std::string& c : set_columns)
    for (const ObjectName& o : foreign_key_ends(in, d.table, c).referenced)
      if (std::find(checks.begin(), checks.end(), o) == checks.end()) checks.push_back(o);
  std::string_view row = referenced        ? (update ? "update-referenced-key" : "delete-referenced")
                         : !checks.empty() ? "update-referencing-key"
                         : sources.empty() ? (update ? "update" : "delete")
                                           : (update ? "update-from" : "delete-using");
  Effect effect = make_effect(in, row, Targets{.table = d.table}, in.statement);
  add_locks_on(effect, Role::Source, sources);
  add_locks_on(effect, Role::ReferencingTable, actions.checked);
  add_locks_on(effect, Role::CascadedTable, actions.written);
  add_locks_on(effect, Role::ReferencedTable, checks);
  facts.effects.push_back(std::move(effect));
}

// Volatile built-ins a migration calls that lock no relation.
bool lock_free_volatile_builtin(std::string_view name) {
  for (std::string_view f : {"set_config", "random", "gen_random_uuid", "clock_timestamp", "timeofday", "pg_sleep",
                             "pg_notify", "txid_current", "pg_current_xact_id", "pg_advisory_lock",
                             "pg_advisory_unlock", "pg_advisory_xact_lock", "pg_try_advisory_lock",
                             "pg_try_advisory_xact_lock", "pg_advisory_lock_shared", "pg_advisory_xact_lock_shared"}) {
    if (name == f) return true;
  }
  return false;
}

// The first function the query calls that is not a known built-in ("my_backfill"), or "": its
// locks depend on its code. The walk keeps its to-do list on the heap.
std::string unknown_function_in(const Json& root) {
  std::vector<const Json*> todo{&root};
  while (!todo.empty()) {
    const Json* node = todo.back();
    todo.pop_back();
    if (node->is_array()) {
      for (const auto& item : *node) todo.push_back(&item);
      continue;
    }
    if (!node->is_object()) continue;
    for (auto it = node->begin(); it != node->end(); ++it) {
      if (it.key() == "FuncCall") {
        auto parts = ast::string_list(ast::field(it.value(), "funcname"));
        bool builtin = parts.size() == 1 || (parts.size() == 2 && parts[0] == "pg_catalog");
        if (parts.empty() || !builtin ||
            !(is_non_volatile_builtin(parts.back()) || lock_free_volatile_builtin(parts.back())))
          return ast::qualified(parts).sql();
      }
      todo.push_back(&it.value());
    }
  }
  return {};
}

// A query: ACCESS SHARE on what it reads, ROW SHARE with FOR UPDATE / SHARE (SELECT … INTO is DDL).
void select(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  if (!ast::field(body, "intoClause").is_null()) return;
  if (std::string function = unknown_function_in(body); !function.empty()) {
    facts.summary = "SELECT " + function + "(…)";
    facts.unknown = true;
    facts.unknown_reason = "it calls " + function + "(), which is not a built-in lockward knows: its locks depend on its code";
    return;
  }
  bool locking = !ast::list(body, "lockingClause").empty();
  std::vector<ObjectName> sources = range_vars_in(body);
  if (sources.empty()) {  // SELECT 1, SELECT set_config(…): the row, with no relation to lock
    facts.effects.push_back(make_effect(in, locking ? "select-for-update" : "select", Targets{}, in.statement));
    facts.summary = "SELECT";
    return;
  }
  Effect effect = make_effect(in, locking ? "select-for-update" : "select", Targets{.table = sources[0]}, in.statement);
  add_locks_on(effect, Role::Table, sources);
  facts.effects.push_back(std::move(effect));
  facts.summary = std::string(locking ? "SELECT … FOR UPDATE FROM " : "SELECT FROM ") + sources[0].sql();
}

void write(const Input& in, StatementFacts& facts, std::string_view row, std::string_view verb) {
  ObjectName table = ast::range_var(ast::field(in.node.body, "relation"));
  facts.summary = std::string(verb) + table.sql();
  // INSERT … SELECT (and subqueries in VALUES, RETURNING, WITH): what it reads.
  std::vector<ObjectName> sources;
  if (row == "insert") {
    for (const char* key : {"selectStmt", "returningList", "withClause"}) {
      for (ObjectName& o : range_vars_in(ast::field(in.node.body, key))) sources.push_back(std::move(o));
    }
  } else if (row == "merge") {
    for (const char* key : {"sourceRelation", "withClause", "returningList"}) {
      for (ObjectName& o : range_vars_in(ast::field(in.node.body, key))) sources.push_back(std::move(o));
    }
  }
  std::string_view with_sources = row == "merge" ? "merge-using" : "insert-select";
  std::string_view chosen = sources.empty() ? row : with_sources;
  if (row == "merge" && !ast::list(in.node.body, "returningList").empty()) chosen = "merge-returning";
  // Each inserted row's foreign keys are checked in the tables they reference.
  std::vector<ObjectName> checks = row == "insert" ? tables_referenced_by(in, table) : std::vector<ObjectName>{};
  if (!checks.empty()) chosen = "insert-referencing";
  Effect effect = make_effect(in, chosen, Targets{.table = table}, in.statement);
  add_locks_on(effect, Role::Source, sources);
  add_locks_on(effect, Role::ReferencedTable, checks);
  facts.effects.push_back(std::move(effect));
}

void copy(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  ObjectName table = ast::range_var(ast::field(body, "relation"));
  bool from = ast::flag(body, "is_from");
  facts.summary = std::string(from ? "COPY FROM " : "COPY TO ") + (table.empty() ? "(query)" : table.sql());
  if (!table.empty()) {
    std::vector<ObjectName> checks = from ? tables_referenced_by(in, table) : std::vector<ObjectName>{};
    facts.effects.push_back(make_effect(in, !from ? "copy-to" : checks.empty() ? "copy-from" : "copy-from-referencing",
                                        Targets{.table = table}, in.statement));
    add_locks_on(facts.effects.back(), Role::ReferencedTable, checks);
  } else if (const Json& query = ast::field(body, "query"); !query.is_null()) {
    std::vector<ObjectName> sources = range_vars_in(query);
    Effect effect = make_effect(in, "copy-to", Targets{.table = sources.empty() ? ObjectName{} : sources[0]},
                                in.statement);
    add_locks_on(effect, Role::Table, sources);
    facts.effects.push_back(std::move(effect));
  }
}

void function(const Input& in, StatementFacts& facts) {
  const Json& body = in.node.body;
  bool procedure = ast::flag(body, "is_procedure");
  facts.summary = std::string(procedure ? "CREATE PROCEDURE " : "CREATE FUNCTION ") +
                  ast::qualified(ast::string_list(ast::field(body, "funcname"))).sql();
  std::string language;
  for (const auto& o : ast::list(body, "options")) {
    const Json& d = ast::unwrap(o, "DefElem");
    if (ast::str(d, "defname") == "language") language = lower(ast::str(ast::unwrap(ast::field(d, "arg"), "String"), "sval"));
  }
  // A LANGUAGE sql body (or a BEGIN ATOMIC one) is parsed and analysed at creation, which
  // locks the tables it names; other languages only store the body.
  if (language == "sql" || language.empty() || !ast::field(body, "sql_body").is_null()) {
    facts.unknown = true;
    facts.unknown_reason = "a LANGUAGE sql body is validated at creation, locking the tables it names";
    return;
  }
  facts.effects.push_back(make_effect(in, "create-function", Targets{}, in.statement));
}

}  // namespace

void classify_other(const Input& in, StatementFacts& facts) {
  const std::string& type = in.node.type;
  if (type == "TransactionStmt") transaction(in, facts);
  else if (type == "VariableSetStmt") variable_set(in, facts);
  else if (type == "UpdateStmt") dml(in, facts, true);
  else if (type == "DeleteStmt") dml(in, facts, false);
  else if (type == "InsertStmt") write(in, facts, "insert", "INSERT INTO ");
  else if (type == "MergeStmt") write(in, facts, "merge", "MERGE INTO ");
  else if (type == "CopyStmt") copy(in, facts);
  else if (type == "SelectStmt") select(in, facts);
  else if (type == "CreateFunctionStmt") function(in, facts);
  else if (type == "DoStmt") classify_do_block(in, facts);
}

}  // namespace lockward::analysis::classify_detail
