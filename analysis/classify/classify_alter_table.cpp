// ALTER TABLE: one effect per subcommand (and per aspect of ADD COLUMN: the column, each inline
// constraint), each from its catalogue row.
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

bool is_serial(const std::string& type) {
  return type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial2" ||
         type == "serial4" || type == "serial8";
}

// CHECK (col IS NOT NULL): the column, else "".
std::string not_null_check_column(const Json& con) {
  const Json& test = ast::unwrap(ast::field(con, "raw_expr"), "NullTest");
  if (test.is_null() || ast::str(test, "nulltesttype") != "IS_NOT_NULL") return {};
  auto fields = ast::string_list(ast::field(ast::unwrap(ast::field(test, "arg"), "ColumnRef"), "fields"));
  return fields.size() == 1 ? fields[0] : std::string();
}

// A DEFAULT expression as written: from after the DEFAULT keyword to the next constraint of the
// column (or the end of the clause).
std::string default_text(const Input& in, const Json& def, const Json& default_con, TextRange clause) {
  std::size_t from = in.at(ast::location(default_con));
  std::size_t end = clause.end;
  for (const auto& c : ast::list(def, "constraints")) {
    std::size_t at = in.at(ast::location(ast::unwrap(c, "Constraint")));
    if (at > from && at < end) end = at;
  }
  return text_after_keyword(in, from, end, "DEFAULT");
}

void add_column(const Input& in, const ObjectName& table, const Json& cmd, TextRange range, StatementFacts& facts) {
  const Json& def = ast::unwrap(ast::field(cmd, "def"), "ColumnDef");
  std::string column = ast::str(def, "colname");
  const Json& tn = ast::field(def, "typeName");
  std::string type = ast::type_name(tn);
  const Json* default_con = nullptr;
  bool not_null = false, identity = false, generated = false;
  for (const auto& c : ast::list(def, "constraints")) {
    const Json& con = ast::unwrap(c, "Constraint");
    std::string contype = ast::str(con, "contype");
    if (contype == "CONSTR_DEFAULT") default_con = &con;
    else if (contype == "CONSTR_NOTNULL" || contype == "CONSTR_PRIMARY") not_null = true;
    else if (contype == "CONSTR_IDENTITY") identity = true;
    else if (contype == "CONSTR_GENERATED") generated = true;
  }
  std::string_view row;
  if (identity) row = "add-column-identity";
  else if (generated) row = first_row(in, {"add-column-generated-stored", "alter-table"});
  else if (is_serial(type)) row = "add-column-serial";
  else if (default_con && expression_volatility(ast::field(*default_con, "raw_expr")) == Volatility::Volatile)
    row = "add-column-volatile-default";
  else if (default_con) row = "add-column-constant-default";
  else if (not_null) row = "add-column-not-null";
  else row = "add-column";
  Effect effect = make_effect(in, row, Targets{.table = table}, range);
  effect.column = column;
  effect.type = ast::type_sql(tn);
  effect.not_null = not_null;
  if (default_con) effect.expression = default_text(in, def, *default_con, range);
  facts.effects.push_back(std::move(effect));

  TextRange type_at = type_range(in, tn);
  facts.column_types.push_back(ColumnTypeUse{table, column, type, ast::type_mods(tn),
                                             !ast::list(tn, "arrayBounds").empty(), type_at});
  std::size_t name_at = in.at(ast::location(def));
  facts.defined_names.push_back(DefinedName{column, name_range(in, name_at, column)});

  // Inline constraints are aspects of their own: the index build, the validation, the FK lock.
  for (const auto& c : ast::list(def, "constraints")) {
    const Json& con = ast::unwrap(c, "Constraint");
    std::string contype = ast::str(con, "contype");
    if (contype == "CONSTR_FOREIGN" || contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY" ||
        contype == "CONSTR_CHECK")
      add_constraint(in, table, con, column, range, facts);
  }
}

// True when changing a column of type `base`(`mods`) (the parser's spelling: "varchar", "numeric")
// to the new type needs no rewrite (ATColumnChangeRequiresRewrite in tablecmds.c): the same type
// and modifiers; a binary-coercible cast (varchar → text, text → varchar without a length);
// or a length coercion its support function turns into a no-op (varchar_support: the new
// length is unlimited or not shorter; numeric_support: unlimited, or the same scale and a
// precision not smaller).
bool binary_coercible(std::string base, const std::vector<long>& mods, const std::string& to,
                      const std::vector<long>& to_mods) {
  if (base == "bpchar" && to == "bpchar") return mods == to_mods;
  if (base == to && mods == to_mods) return true;  // no change at all
  if (base == "varchar" && to == "varchar") return to_mods.empty() || (!mods.empty() && to_mods[0] >= mods[0]);
  if (base == "varchar" && to == "text") return true;
  if (base == "text" && to == "varchar") return to_mods.empty();
  if (base == "numeric" && to == "numeric") {
    if (to_mods.empty()) return true;
    if (mods.empty()) return false;
    long scale = mods.size() > 1 ? mods[1] : 0, to_scale = to_mods.size() > 1 ? to_mods[1] : 0;
    return scale == to_scale && to_mods[0] >= mods[0];
  }
  return false;
}

// The same for a snapshot's format_type() spelling ("character varying(20)").
bool binary_coercible(const std::string& from_spelling, const std::string& to, const std::vector<long>& to_mods) {
  std::string base = from_spelling;
  std::vector<long> mods;
  if (std::size_t paren = base.find('('); paren != std::string::npos) {
    std::string args = base.substr(paren + 1);
    base = base.substr(0, paren);
    std::size_t at = 0;
    while (at < args.size()) {
      mods.push_back(std::strtol(args.c_str() + at, nullptr, 10));
      std::size_t comma = args.find(',', at);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  if (base == "character varying") base = "varchar";
  if (base == "character") base = "bpchar";
  if (base == "timestamp without time zone") base = "timestamp";
  if (base == "timestamp with time zone") base = "timestamptz";
  // format_type() spells some types by their SQL names; the parser gives the internal ones.
  static constexpr std::pair<std::string_view, std::string_view> kInternal[] = {
      {"integer", "int4"}, {"bigint", "int8"}, {"smallint", "int2"}, {"boolean", "bool"}, {"real", "float4"},
      {"double precision", "float8"}, {"time without time zone", "time"}, {"time with time zone", "timetz"},
      {"bit varying", "varbit"}};
  for (auto [sql, internal] : kInternal)
    if (base == sql) base = std::string(internal);
  return binary_coercible(base, mods, to, to_mods);
}

// The column is timestamp and becomes timestamptz, or the reverse, with the same precision.
bool timestamp_zone_flip(const Input& in, const ObjectName& table, const std::string& column,
                         const std::optional<ColumnType>& known, const std::string& to, const std::vector<long>& to_mods) {
  if (to != "timestamp" && to != "timestamptz") return false;
  std::string other = to == "timestamp" ? "timestamptz" : "timestamp";
  if (known) return !known->array && known->name == other && known->typmods == to_mods;
  const SnapshotTable* t = snapshot_table(in, table);
  const SnapshotColumn* col = t ? t->column(column) : nullptr;
  if (!col || !to_mods.empty()) return false;
  return col->type == (other == "timestamp" ? "timestamp without time zone" : "timestamp with time zone");
}

void alter_column_type(const Input& in, const ObjectName& table, const Json& cmd, TextRange range,
                       StatementFacts& facts) {
  std::string column = ast::str(cmd, "name");
  const Json& def = ast::unwrap(ast::field(cmd, "def"), "ColumnDef");
  const Json& tn = ast::field(def, "typeName");
  std::string to = ast::type_name(tn);
  std::vector<long> to_mods = ast::type_mods(tn);
  bool has_using = !ast::field(def, "raw_default").is_null();
  bool rewrite = true, uncertain = false;
  std::string uncertainty;
  std::optional<ColumnType> known = in.context.schema ? in.context.schema->column_type(table, column) : std::nullopt;
  if (!has_using) {
    const SnapshotTable* t = snapshot_table(in, table);
    const SnapshotColumn* col = t ? t->column(column) : nullptr;
    if (known && !known->array && ast::list(tn, "arrayBounds").empty()) {
      rewrite = !binary_coercible(known->name, known->typmods, to, to_mods);
    } else if (col) {
      rewrite = !binary_coercible(col->type, to, to_mods);
    } else if (to == "varchar" || to == "text" || to == "numeric") {
      uncertain = true;
      uncertainty = "the current type of " + table.sql() + "." + quote_identifier(column) +
                    ": widening varchar or numeric, or varchar → text, does not rewrite (give a schema snapshot)";
    }
  }
  // ATColumnChangeRequiresRewrite (PostgreSQL 12+): timestamp ↔ timestamptz is a no-op when
  // TimestampTimestampTzRequiresRewrite() says the session time zone's offset is 0.
  std::string_view row = rewrite ? "alter-column-type" : "alter-column-type-no-rewrite";
  if (rewrite && !has_using && in.context.pg_version >= 12 &&
      timestamp_zone_flip(in, table, column, known, to, to_mods) && in.context.session_time_zone_utc &&
      in.context.session_time_zone_utc()) {
    row = "alter-column-type-timestamptz-utc";
    uncertain = false;
    uncertainty.clear();
  }
  Effect effect = make_effect(in, row, Targets{.table = table}, range);
  effect.column = column;
  effect.type = ast::type_sql(tn);
  effect.uncertain = uncertain;
  effect.uncertainty = uncertainty;
  if (has_using) effect.expression = text_after_keyword(in, in.at(ast::location(tn)), range.end, "USING");
  // The foreign keys the column takes part in are dropped and added again: the table at their
  // other end is locked too.
  SchemaLookup::ForeignKeyEnds ends = foreign_key_ends(in, table, column);
  add_locks_on(effect, Role::ReferencedTable, ends.referenced);
  add_locks_on(effect, Role::ReferencingTable, ends.referencing);
  facts.effects.push_back(std::move(effect));
  facts.column_types.push_back(ColumnTypeUse{table, column, to, to_mods, !ast::list(tn, "arrayBounds").empty(),
                                             type_range(in, tn)});
}

// SET / RESET (storage parameters): options that change what queries see need ACCESS EXCLUSIVE.
std::string_view rel_options_row(const Json& cmd, const std::string& objtype) {
  if (objtype == "OBJECT_VIEW") return "set-storage-parameters-exclusive";
  const Json& items = ast::list(ast::unwrap(ast::field(cmd, "def"), "List"), "items");
  for (const auto& item : items) {
    std::string name = lower(ast::str(ast::unwrap(item, "DefElem"), "defname"));
    if (name == "user_catalog_table" || name == "check_option" || name == "security_barrier" ||
        name == "security_invoker")
      return "set-storage-parameters-exclusive";
  }
  return "set-storage-parameters";
}

void partition_command(const Input& in, const ObjectName& table, const Json& cmd, const std::string& subtype,
                       TextRange range, StatementFacts& facts) {
  const Json& pc = ast::unwrap(ast::field(cmd, "def"), "PartitionCmd");
  ObjectName partition = ast::range_var(ast::field(pc, "name"));
  std::string_view row;
  if (subtype == "AT_AttachPartition") row = "attach-partition";
  else if (subtype == "AT_DetachPartitionFinalize") row = first_row(in, {"detach-partition-finalize", "detach-partition"});
  else if (ast::flag(pc, "concurrent")) row = first_row(in, {"detach-partition-concurrently", "detach-partition"});
  else row = "detach-partition";
  Effect effect = make_effect(in, row, Targets{.table = table, .partition = partition}, range);
  effect.detail = partition.sql();
  const bool is_default = ast::flag(ast::field(pc, "bound"), "is_default");  // a typed field: not wrapped
  if (subtype == "AT_AttachPartition" && !is_default && in.context.schema) {
    // The DEFAULT partition is scanned for rows the attached bound now claims.
    if (std::optional<ObjectName> d = in.context.schema->default_partition(table))
      add_locks_on(effect, Role::DefaultPartition, {*d});
  }
  if (subtype == "AT_DetachPartition" && !ast::flag(pc, "concurrent") && in.context.schema) {
    // Its implicit constraint widens: locked before the partition. Detaching the DEFAULT
    // partition itself, that lock is the partition's (stronger than its own on PostgreSQL 13).
    if (std::optional<ObjectName> d = in.context.schema->default_partition(table)) {
      if (d->name == partition.name)
        std::erase_if(effect.locks, [](const LockFact& l) { return l.role == Role::Partition; });
      add_locks_on(effect, Role::DefaultPartition, {*d});
    }
  }
  if (subtype == "AT_AttachPartition") facts.partitions.push_back({table, partition, is_default, true});
  else if (subtype == "AT_DetachPartition") facts.partitions.push_back({table, partition, false, false});
  if (row == "detach-partition" && subtype != "AT_DetachPartition") {
    effect.uncertain = true;
    effect.uncertainty = "DETACH … CONCURRENTLY / FINALIZE needs PostgreSQL 14";
  } else if (row == "detach-partition" && ast::flag(pc, "concurrent")) {
    effect.uncertain = true;
    effect.uncertainty = "DETACH … CONCURRENTLY needs PostgreSQL 14";
  }
  facts.effects.push_back(std::move(effect));
}

// Subcommands whose row depends on nothing but the subtype.
std::string_view simple_row(const std::string& subtype) {
  static constexpr std::pair<std::string_view, std::string_view> kRows[] = {
      {"AT_DropColumn", "drop-column"},
      {"AT_DropNotNull", "drop-not-null"},
      {"AT_AddIdentity", "add-identity"},
      {"AT_SetIdentity", "set-identity"},
      {"AT_DropIdentity", "drop-identity"},
      {"AT_SetStatistics", "set-statistics"},
      {"AT_SetOptions", "set-column-options"},
      {"AT_ResetOptions", "set-column-options"},
      {"AT_SetStorage", "set-storage"},
      {"AT_SetExpression", "set-expression"},
      {"AT_SetTableSpace", "set-tablespace"},
      {"AT_SetLogged", "set-logged"},
      {"AT_SetUnLogged", "set-logged"},
      {"AT_ChangeOwner", "owner-to"},
      {"AT_ReplicaIdentity", "replica-identity"},
      {"AT_EnableRowSecurity", "row-level-security"},
      {"AT_DisableRowSecurity", "row-level-security"},
      {"AT_ForceRowSecurity", "row-level-security"},
      {"AT_NoForceRowSecurity", "row-level-security"},
      {"AT_ClusterOn", "cluster-on"},
      {"AT_DropCluster", "cluster-on"},
  };
  for (auto [type, row] : kRows) {
    if (type == subtype) return row;
  }
  if (subtype.starts_with("AT_EnableTrig") || subtype.starts_with("AT_DisableTrig") ||
      subtype == "AT_EnableAlwaysTrig" || subtype == "AT_EnableReplicaTrig")
    return "enable-disable-trigger";
  return {};
}

void subcommand(const Input& in, const ObjectName& table, const std::string& objtype, const Json& cmd,
                TextRange range, StatementFacts& facts) {
  std::string subtype = ast::str(cmd, "subtype");
  std::string column = ast::str(cmd, "name");
  auto simple = [&](std::string_view row) {
    Effect effect = make_effect(in, row, Targets{.table = table}, range);
    effect.column = column;
    facts.effects.push_back(std::move(effect));
  };
  if (subtype == "AT_AddColumn") return add_column(in, table, cmd, range, facts);
  if (subtype == "AT_AlterColumnType") return alter_column_type(in, table, cmd, range, facts);
  if (subtype == "AT_AddConstraint")
    return add_constraint(in, table, ast::unwrap(ast::field(cmd, "def"), "Constraint"), {}, range, facts);
  if (subtype == "AT_AttachPartition" || subtype == "AT_DetachPartition" || subtype == "AT_DetachPartitionFinalize")
    return partition_command(in, table, cmd, subtype, range, facts);
  if (subtype == "AT_SetNotNull") {
    bool proven = in.context.pg_version >= 12 && in.context.has_not_null_check &&
                  in.context.has_not_null_check(table, column);
    return simple(proven ? "set-not-null-with-check" : "set-not-null");
  }
  if (subtype == "AT_ColumnDefault") {
    const Json& expr = ast::field(cmd, "def");
    simple(expr.is_null() ? "drop-default" : "set-default");
    if (!expr.is_null()) facts.effects.back().expression = text_after_keyword(in, range.begin, range.end, "DEFAULT");
    return;
  }
  if (subtype == "AT_SetCompression") return simple(first_row(in, {"set-compression", "alter-table"}));
  if (subtype == "AT_SetRelOptions" || subtype == "AT_ResetRelOptions")
    return simple(rel_options_row(cmd, objtype));
  if (subtype == "AT_ValidateConstraint" || subtype == "AT_DropConstraint") {
    bool validate = subtype == "AT_ValidateConstraint";
    Targets targets{.table = table, .referenced = referenced_table_of(in, table, column)};
    Effect effect = make_effect(in, validate ? "validate-constraint" : "drop-constraint", targets, range);
    effect.constraint = column;
    facts.effects.push_back(std::move(effect));
    if (validate) facts.constraints_validated.emplace_back(table, column);
    else facts.constraints_dropped.emplace_back(table, column);
    return;
  }
  if (subtype == "AT_DropColumn") {
    // Its foreign keys go with it (and with CASCADE those pointing at it): the other ends' RI
    // triggers are dropped, which locks those tables.
    SchemaLookup::ForeignKeyEnds ends = foreign_key_ends(in, table, column);
    facts.columns_dropped.emplace_back(table, column);
    simple("drop-column");
    add_locks_on(facts.effects.back(), Role::ReferencedTable, ends.referenced);
    if (ast::str(cmd, "behavior") == "DROP_CASCADE")
      add_locks_on(facts.effects.back(), Role::ReferencingTable, ends.referencing);
    return;
  }
  if (subtype == "AT_AddOf") {
    // The composite type's own relation is opened (check_of_type): ACCESS SHARE on it.
    std::vector<std::string> names = ast::string_list(ast::field(ast::unwrap(ast::field(cmd, "def"), "TypeName"), "names"));
    ObjectName type;
    if (!names.empty()) type.name = names.back();
    if (names.size() >= 2) type.schema = names[names.size() - 2];
    simple("alter-table-of");
    add_locks_on(facts.effects.back(), Role::Source, {type});
    facts.effects.back().type = type.sql();
    return;
  }
  if (subtype == "AT_AddInherit" || subtype == "AT_DropInherit") {
    Targets targets{.table = table, .referenced = ast::range_var(ast::unwrap(ast::field(cmd, "def"), "RangeVar"))};
    facts.effects.push_back(make_effect(in, subtype == "AT_AddInherit" ? "inherit" : "no-inherit", targets, range));
    facts.partitions.push_back({targets.referenced, table, false, subtype == "AT_AddInherit", true});
    return;
  }
  std::string_view row = simple_row(subtype);
  simple(row.empty() ? "alter-table" : row);
}

}  // namespace

void add_constraint(const Input& in, const ObjectName& table, const Json& con, std::string_view column,
                    TextRange range, StatementFacts& facts) {
  std::string contype = ast::str(con, "contype");
  std::string name = ast::str(con, "conname");
  bool not_valid = ast::flag(con, "skip_validation");
  std::string index_name = ast::str(con, "indexname");
  std::vector<std::string> keys = ast::string_list(ast::field(con, "keys"));
  if (keys.empty() && !column.empty()) keys.push_back(std::string(column));
  Targets targets{.table = table};
  AddedConstraint added{table, name, 'c', not_valid, {}};
  std::string_view row;
  if (contype == "CONSTR_FOREIGN") {
    targets.referenced = ast::range_var(ast::field(con, "pktable"));
    row = not_valid ? "add-foreign-key-not-valid" : "add-foreign-key";
    added.type = 'f';
    added.referenced = targets.referenced;
    keys = ast::string_list(ast::field(con, "fk_attrs"));
    if (keys.empty() && !column.empty()) keys.push_back(std::string(column));
    added.columns = keys;
    added.referenced_columns = ast::string_list(ast::field(con, "pk_attrs"));
    added.on_delete = foreign_key_action(con, "fk_del_action");
    added.on_update = foreign_key_action(con, "fk_upd_action");
    if (added.name.empty()) added.name = default_foreign_key_name(table, keys);
  } else if (contype == "CONSTR_CHECK") {
    row = not_valid ? "add-check-not-valid" : "add-check";
    added.not_null_column = not_null_check_column(con);
  } else if (contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY") {
    bool primary = contype == "CONSTR_PRIMARY";
    row = !index_name.empty() ? "add-unique-using-index" : primary ? "add-primary-key" : "add-unique";
    added.type = primary ? 'p' : 'u';
  } else if (contype == "CONSTR_EXCLUSION") {
    row = "add-exclusion";
    added.type = 'x';
  } else {
    row = "alter-table";
  }
  Effect effect = make_effect(in, row, targets, range);
  effect.constraint = name;
  effect.column = std::string(column);
  effect.index = index_name;
  if (!keys.empty()) effect.columns = column_list_sql(keys);
  if (keys.size() == 1 && column.empty()) effect.column = keys[0];
  facts.effects.push_back(std::move(effect));
  facts.constraints_added.push_back(std::move(added));
  if (!name.empty()) facts.defined_names.push_back({name, name_range(in, in.at(ast::location(con)), name)});
}

void classify_alter_table(const Input& in, StatementFacts& facts) {
  if (in.node.type != "AlterTableStmt") return;
  const Json& body = in.node.body;
  ObjectName table = ast::range_var(ast::field(body, "relation"));
  std::string objtype = ast::str(body, "objtype");
  std::string_view keyword = objtype == "OBJECT_INDEX"     ? "ALTER INDEX "
                             : objtype == "OBJECT_VIEW"    ? "ALTER VIEW "
                             : objtype == "OBJECT_MATVIEW" ? "ALTER MATERIALIZED VIEW "
                             : objtype == "OBJECT_SEQUENCE" ? "ALTER SEQUENCE "
                                                            : "ALTER TABLE ";
  facts.summary = std::string(keyword) + table.sql();
  const Json& cmds = ast::list(body, "cmds");
  std::vector<TextRange> clauses = alter_table_clauses(in, cmds.size());
  const bool recurse = recurses(ast::field(body, "relation"));
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    const Json& cmd = ast::unwrap(cmds[i], "AlterTableCmd");
    TextRange range = clauses.empty() ? in.statement : clauses[i];
    std::size_t first = facts.effects.size();
    subcommand(in, table, objtype, cmd, range, facts);
    // The subcommands that recurse (the rows with a Child role) lock each child too; a foreign
    // key's VALIDATE or DROP is not inherited (only a CHECK's is).
    for (std::size_t e = first; recurse && e < facts.effects.size(); ++e) {
      Effect& effect = facts.effects[e];
      bool foreign_key = std::any_of(effect.locks.begin(), effect.locks.end(),
                                     [](const LockFact& l) { return l.role == Role::ReferencedTable; });
      if (effect.row && !(foreign_key && (effect.row->id == "validate-constraint" || effect.row->id == "drop-constraint")))
        add_children(in, effect, table);
    }
  }
}

}  // namespace lockward::analysis::classify_detail
