// The lock catalogue: one row per DDL/DML form and PostgreSQL version range, saying which
// lock each affected object takes, whether the table is rewritten or scanned, the risk for an
// existing table and the safe recipe. Rules, hover, explain, docs and the trace's
// rule-verification matrix all read this table; no other file hard-codes a lock mode.
// Lock levels come from PostgreSQL itself (AlterTableGetLockLevel in tablecmds.c and the
// manual's "Explicit Locking" chapter). Immutable after static initialisation; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/catalog/lock_mode.h"
#include "analysis/risk.h"

namespace lockward::analysis {

// Which object, relative to the statement, a lock falls on.
enum class Role : std::uint8_t {
  Table,             // the table the statement alters, indexes, drops, …
  ReferencedTable,   // the table a FOREIGN KEY points at
  ReferencingTable,  // a table whose FOREIGN KEY points at the statement's table (known from the schema)
  CascadedTable,     // a referencing table whose ON DELETE / ON UPDATE action (CASCADE, SET NULL,
                     // SET DEFAULT) deletes or updates its rows (known from the schema)
  PartitionParent,   // the partitioned table in ATTACH / DETACH PARTITION
  InheritParent,     // the parent table in ALTER TABLE … [NO] INHERIT
  Partition,         // the partition being attached or detached
  DefaultPartition,  // the parent's DEFAULT partition, scanned on ATTACH
  Index,             // an index named by the statement (DROP INDEX, REINDEX INDEX, RENAME)
  View,
  MaterializedView,
  Sequence,
  Type,              // a type or domain (object lock, not a relation lock)
  Schema,
  Database,
  Source,            // a relation a statement's query reads (INSERT … SELECT, UPDATE … FROM, DELETE … USING)
  DomainTable,       // a table with a column of the altered domain (known from the schema)
  Child,             // each partition or inheriting child of the statement's table, recursively
                     // (known from the schema; not with ONLY)
  ViewBase,          // each relation a locked view reads, recursively (LOCK on a view; known from the schema)
  TriggerTable,      // a table with a trigger that calls the dropped function (known from the schema)
};
std::string_view role_name(Role role);  // "table", "referenced table", …

struct RoleLock {
  Role role;
  LockMode mode;
  // PostgreSQL releases this lock when the statement ends (the relation is closed with its
  // lock mode rather than NoLock), instead of holding it to the end of the transaction.
  bool until_statement_end = false;
  // Taken only if the statement deletes or updates a row (the RI triggers that lock a
  // referencing table fire per changed row); a statement that changes none does not take it.
  bool if_rows_change = false;
};

enum class Rewrite : std::uint8_t {
  None,       // catalog-only, or builds something new beside the table
  Table,      // the whole table (and its indexes) is rewritten: relfilenode changes
  Indexes,    // indexes are rebuilt, the heap is not
  Uncertain,  // depends on facts we do not have (e.g. the column's current type)
};
std::string_view rewrite_name(Rewrite rewrite);

// A safe way to write the form, produced by analysis/rewrite.
enum class Recipe : std::uint8_t {
  None,
  Concurrently,              // CREATE/DROP/REINDEX … CONCURRENTLY, REFRESH … CONCURRENTLY
  DetachConcurrently,        // DETACH PARTITION … CONCURRENTLY
  NotValidThenValidate,      // FK / CHECK: ADD … NOT VALID, then VALIDATE in another transaction
  UniqueIndexThenConstraint, // CREATE UNIQUE INDEX CONCURRENTLY, then ADD … USING INDEX
  CheckThenSetNotNull,       // CHECK (c IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL, DROP CHECK
  ExpandBackfillContract,    // ADD COLUMN nullable, backfill in batches, then constrain
  NewColumnSwap,             // ALTER COLUMN TYPE: new column, backfill, swap
  RenameWithView,            // RENAME: expand/contract behind a view
  Repack,                    // VACUUM FULL / CLUSTER: pg_repack
  LockTimeout,               // nothing safer exists: SET lock_timeout and retry
  OutsideTransaction,        // run it outside a transaction block
};
std::string_view recipe_name(Recipe recipe);

struct CatalogueRow {
  std::string_view id;         // the rule id of findings from this row; shared by version variants
  std::string_view form;       // "ALTER TABLE … ADD COLUMN … DEFAULT <volatile>"
  int min_pg = 10;             // first major version the row holds for
  int max_pg = 99;             // last major version the row holds for
  std::vector<RoleLock> locks;
  Rewrite rewrite = Rewrite::None;
  // The row for the same change when PostgreSQL finds it needs no rewrite after all (a type
  // change that turns out binary-coercible): what a trace that saw no rewrite judges by.
  std::string_view without_rewrite;
  bool scans = false;          // reads the whole table (validation, index build, …)
  Risk risk = Risk::Safe;      // for an existing, populated table
  bool no_transaction = false; // cannot run inside a transaction block
  // Takes its locks, then waits for every transaction holding a lock on the table (the
  // CONCURRENTLY forms): the trace's observer can stop it there with its locks visible.
  bool waits_for_lockers = false;
  Recipe recipe = Recipe::None;
  std::string_view why;        // one line: why the risk is what it is
  std::string_view note;       // version notes and caveats; may be empty
  // A runnable example: `setup` creates what `example` needs. Used by tests and verify-rules.
  std::string_view setup;
  std::string_view example;
  // For a state only an interrupted statement leaves (a pending DETACH … CONCURRENTLY):
  // started after `setup` while another transaction reads `interrupted_while_reading`, and
  // cancelled once it waits for that reader.
  std::string_view interrupted_setup;
  std::string_view interrupted_while_reading;
};

// Roles whose objects come from the schema, not from the statement's text: the table of an
// index the text names, the tables of a schema (REINDEX SCHEMA), a table's indexes
// and owned sequences (rewrites, DROP TABLE, OWNER TO, SET LOGGED, INSERT's nextval()), the
// tables using a domain, the tables referencing a table, the default partition, the relations
// a materialized view reads, a table's partitions and inheriting children, a locked view's
// tables. Without a schema that knows them they stay unnamed: the row
// still predicts its mode on each of them, and the trace compares what it sees with it.
bool named_by_schema(Role role);
// Those locks as words for hover and explain, one line per role of the effects' rows that no
// lock names: "ACCESS EXCLUSIVE on each index of the table (if any)".
struct Effect;
std::vector<std::string> unnamed_role_locks(const std::vector<Effect>& effects);

std::span<const CatalogueRow> catalogue();
// Statements that take no lock on any relation whatever they name: transaction control and
// session state (BEGIN, SET, SHOW, DISCARD, LISTEN, …), by libpg_query node type. Every other
// statement is covered by a row or reported UNKNOWN.
bool takes_no_relation_lock(std::string_view node_type);
std::span<const std::string_view> statements_without_relation_locks();
// The row with this id that holds for pg_version, or nullptr.
const CatalogueRow* find_row(std::string_view id, int pg_version);
// The first major version any row with this id holds for; 0 when no row has the id.
int first_version(std::string_view id);
// The strongest lock the row puts on `role`, if any.
const RoleLock* lock_for(const CatalogueRow& row, Role role);

}  // namespace lockward::analysis
