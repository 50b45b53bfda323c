// Shared plumbing for the classify_*.cpp files: building effects from catalogue rows and
// locating clauses. Private to analysis/classify.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/classify/classify.h"
#include "analysis/syntax/ast.h"

namespace lockward::analysis::classify_detail {

using ast::Json;

struct Input {
  const ParsedNode& node;
  std::string_view text;        // the whole file
  std::size_t node_offset;      // where the parsed text starts in the file
  TextRange statement;          // the statement's code range in the file
  const ClassifyContext& context;

  // A libpg_query location (relative to the parsed text) as a file offset.
  std::size_t at(long location) const {
    return location < 0 ? statement.begin : node_offset + static_cast<std::size_t>(location);
  }
  std::string_view statement_text() const { return statement.slice(text); }
};

// Which object fills each role of a row, for one effect.
struct Targets {
  ObjectName table;
  ObjectName referenced;  // the FOREIGN KEY's table, or the INHERIT parent
  ObjectName partition;
  ObjectName index;
  ObjectName other;   // view, matview, sequence, type, schema, database
};

// Looks the row up for the context's version and fills its locks from `targets`. Returns an
// effect without a row when the id is unknown for that version (a bug: tests catch it).
Effect make_effect(const Input& in, std::string_view row_id, const Targets& targets, TextRange range);

// Ranges of the comma-separated subcommands of ALTER TABLE (top-level commas after the
// relation name). Returns an empty vector when the count does not match `expected`.
std::vector<TextRange> alter_table_clauses(const Input& in, std::size_t expected);

// A DO block (classify_do.cpp): the static SQL of its PL/pgSQL body, classified.
void classify_do_block(const Input& in, StatementFacts& facts);

// The first of `ids` that has a row for the context's version ("" when none has).
std::string_view first_row(const Input& in, std::initializer_list<std::string_view> ids);

// Adds locks of the effect's row on further objects of the same role (LOCK a, b; SELECT … JOIN).
void add_locks_on(Effect& effect, Role role, const std::vector<ObjectName>& objects);

// The range of a type name in the file, from its TypeName location to the end of its words,
// modifiers and array bounds ("character varying(20)", "timestamp with time zone", "int[]").
TextRange type_range(const Input& in, const Json& type_name_body);
// The text from just past `keyword` at or after `from` to `end`, trimmed; empty when absent.
std::string text_after_keyword(const Input& in, std::size_t from, std::size_t end, std::string_view keyword);
// The range of `name` (plain or quoted) at or after `from` in the statement, or an empty range at `from`.
TextRange name_range(const Input& in, std::size_t from, std::string_view name);

// "(a, b)" with quoted identifiers.
std::string column_list_sql(const std::vector<std::string>& columns);
// Every RangeVar in a parse-tree subtree (the relations a query reads).
std::vector<ObjectName> range_vars_in(const Json& node);

// Facts from the schema snapshot, when there is one.
const SnapshotTable* snapshot_table(const Input& in, const ObjectName& table);
ObjectName table_of_index(const Input& in, const ObjectName& index);
// The referenced table of a foreign key constraint known from the snapshot, or empty.
ObjectName referenced_table_of(const Input& in, const ObjectName& table, std::string_view constraint);
// The other ends of `table`'s foreign keys, from the schema and the snapshot: the tables it
// references, and the tables that reference it.
std::vector<ObjectName> tables_referenced_by(const Input& in, const ObjectName& table);
std::vector<ObjectName> tables_referencing(const Input& in, const ObjectName& table);
// The indexes on `table` the schema and the snapshot know.
std::vector<ObjectName> indexes_on(const Input& in, const ObjectName& table);
// The tables at the other end of the foreign keys `column` of `table` takes part in.
SchemaLookup::ForeignKeyEnds foreign_key_ends(const Input& in, const ObjectName& table, std::string_view column);
// Every table whose foreign keys reach `table`, directly or through others (TRUNCATE … CASCADE).
std::vector<ObjectName> tables_referencing_transitively(const Input& in, const ObjectName& table);
// A Constraint node's fk_del_action / fk_upd_action: 'a' (NO ACTION) when absent.
char foreign_key_action(const Json& con, const char* field);
// What deleting rows of `table` (or, with `updated` set, changing those of its columns) makes
// the RI triggers on it do to the tables whose foreign keys point at it (ri_triggers.c):
// NO ACTION / RESTRICT run SELECT … FOR KEY SHARE on the referencing table (ROW SHARE);
// CASCADE, SET NULL and SET DEFAULT delete or update its rows (ROW EXCLUSIVE), and a cascaded
// DELETE fires the same triggers on the tables referencing that one in turn.
struct ReferentialActions {
  std::vector<ObjectName> checked;  // ROW SHARE
  std::vector<ObjectName> written;  // ROW EXCLUSIVE
};
ReferentialActions referential_actions(const Input& in, const ObjectName& table,
                                       const std::vector<std::string>* updated = nullptr);
// The name PostgreSQL gives an unnamed foreign key ("orders_user_id_fkey"); empty when it would
// be truncated (longer than 63 bytes), since the truncated form is not worth guessing.
std::string default_foreign_key_name(const ObjectName& table, const std::vector<std::string>& columns);

// DROP … IF EXISTS of an object the schema knows to be absent (the snapshot, when it covers
// the kind, or the earlier migrations): PostgreSQL takes no lock.
bool absent(const Input& in, const ObjectName& name, bool snapshot_covers = true);
Effect absent_effect(const Input& in, const ObjectName& name, ObjectKind kind);

// ADD CONSTRAINT (table-level or inline in ADD COLUMN, where `column` names the new column):
// one effect and the constraint facts.
void add_constraint(const Input& in, const ObjectName& table, const Json& constraint, std::string_view column,
                    TextRange range, StatementFacts& facts);

// The schema's hierarchy (classify_children.cpp). Whether a RangeVar recurses to children (no ONLY).
bool recurses(const Json& relation);
// Every partition and inheriting child of `table`, recursively (only partitions if asked).
std::vector<ObjectName> descendants(const Input& in, const ObjectName& table, bool partitions_only = false);
// Locks on them for a row with the Child role.
void add_children(const Input& in, Effect& effect, const ObjectName& table, bool partitions_only = false);
// The relations a view (or materialized view) reads, views among them expanded in turn; nullopt
// when the schema does not know it as such.
std::optional<std::vector<ObjectName>> view_tables(const Input& in, const ObjectName& view, bool materialized);

// Family classifiers; each fills `facts` for the node types it owns.
void classify_alter_table(const Input& in, StatementFacts& facts);
void classify_index(const Input& in, StatementFacts& facts);
void classify_ddl(const Input& in, StatementFacts& facts);
void classify_other(const Input& in, StatementFacts& facts);

}  // namespace lockward::analysis::classify_detail
