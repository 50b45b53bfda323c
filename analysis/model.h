// The data analysis/ produces: statements with byte ranges, the locks each takes on which
// objects, and findings with rule ids, risk, messages and fixes. Plain values; no behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/catalog/catalogue.h"
#include "analysis/object_name.h"
#include "analysis/text_range.h"

namespace lockward::analysis {

enum class ObjectKind : std::uint8_t {
  Table, Index, Sequence, View, MaterializedView, Type, Schema, Database, Other
};
std::string_view object_kind_name(ObjectKind kind);

// One lock on one object.
struct LockFact {
  ObjectName object;
  ObjectKind kind = ObjectKind::Table;
  Role role = Role::Table;
  LockMode mode = LockMode::AccessShare;
  bool new_object = false;  // created earlier in this file: invisible to other sessions
  bool until_statement_end = false;  // released when the statement ends, not at COMMIT
  bool if_rows_change = false;  // taken only if the statement deletes or updates a row
  // Taken by a statement inside a DO block that may not run (an IF/CASE branch, a loop, an
  // exception handler): an upper bound, which a trace may see weaker or not at all.
  bool conditional = false;
};

// One catalogue row applied to the concrete objects of a statement (a statement with several
// ALTER TABLE subcommands has one effect per subcommand).
struct Effect {
  const CatalogueRow* row = nullptr;
  std::vector<LockFact> locks;
  TextRange range;              // the precise clause in the file (the ADD COLUMN subcommand)
  ObjectName table;             // the main relation
  std::string column;           // column name, where the form has one
  std::string constraint;       // constraint name, where the form has one
  std::string index;            // index name, where the form has one
  std::string type;             // a column type as SQL ("varchar(20)"), for ADD COLUMN / ALTER TYPE
  std::string expression;       // a default or USING expression as written
  std::string columns;          // a column list as SQL ("(a, b)"), for UNIQUE / PRIMARY KEY / indexes
  bool not_null = false;        // ADD COLUMN … NOT NULL
  std::string detail;           // other form-specific text
  bool uncertain = false;       // the row was chosen without facts that would decide it
  std::string uncertainty;      // what would decide it ("the current type of orders.total")
  // The form's row exists only from this major version, newer than the target: PostgreSQL
  // --pg-version rejects the statement, whose locks there are not known (0: not the case).
  int needs_pg = 0;
  // Inside a DO block's body (the range is the inner statement's clause): the recipes' rewrites,
  // which need statements and transactions of their own, are not offered there.
  bool in_do_block = false;
};

enum class TxControl : std::uint8_t { None, Begin, Commit, Rollback, Savepoint, Release, RollbackTo };

enum class StatementStatus : std::uint8_t {
  Analysed,     // parsed and classified
  Unanalysable, // parsed, but its locks are not known (no catalogue row, a dynamic EXECUTE): risk UNKNOWN
  ParseError,   // the parser rejected it
  PsqlMeta,     // a psql meta-command, skipped
};

// What a statement is inside its transaction.
struct TxContext {
  bool in_transaction = false;   // explicit BEGIN … or the migration tool's wrapping
  bool implicit = false;         // in_transaction only because the tool wraps the file
  std::optional<std::size_t> begin_statement;  // index of the BEGIN, for explicit blocks
  // What the transaction already holds when this statement starts, on objects other sessions
  // can see (a constant-size summary; locks_held_before() in analyze.h lists them all).
  std::optional<LockFact> strongest_held;     // the strongest lock that blocks reads or writes
  std::vector<LockFact> exclusive_tables;     // up to two tables held in ACCESS EXCLUSIVE
  std::size_t held_count = 0;                 // objects locked so far in this transaction
};

struct Statement {
  std::size_t index = 0;
  TextRange code;                // first token to last, without `;`
  TextRange with_comments;       // code plus the comments before it
  bool terminated = false;
  StatementStatus status = StatementStatus::Analysed;
  std::string node;              // libpg_query node name ("AlterTableStmt"), or "" on error
  std::string summary;           // short label: "ALTER TABLE orders", "CREATE INDEX …"
  TxControl tx_control = TxControl::None;
  std::vector<Effect> effects;
  std::vector<LockFact> locks;   // strongest lock per object across effects
  Rewrite rewrite = Rewrite::None;
  bool scans = false;
  Risk risk = Risk::Safe;        // strongest effect risk on existing objects; UNKNOWN when not
                                 // analysed (no row, a DO block, a syntax error)
  TxContext tx;
};

enum class Severity : std::uint8_t { Error, Warning, Information, Hint };
std::string_view severity_name(Severity severity);
Severity default_severity(Risk risk);

struct Related {
  TextRange range;
  std::string message;
};

struct Fix {
  std::string title;      // "Create the index CONCURRENTLY"
  TextRange replace;      // bytes to replace (empty range = insertion)
  std::string new_text;
  bool drop_in = false;   // same effect, safer: an editor may prefer it
  std::string reason;     // one line: why this is safer
};

struct Finding {
  std::string rule;
  Risk risk = Risk::Low;
  Severity severity = Severity::Warning;
  std::string message;    // names the lock, the relation, what it blocks
  std::string help;       // what to do instead, as an action
  std::optional<std::size_t> statement;  // index into Analysis::statements
  TextRange range;
  std::vector<Related> related;
  std::vector<Fix> fixes;
  std::optional<LockMode> lock;
  ObjectName relation;    // the relation the finding is about, when there is one
  std::optional<Risk> base_risk;  // the risk before table-size adjustment, when raised
};

struct Coverage {
  std::size_t statements = 0;
  std::size_t analysed = 0;
  std::size_t unanalysable = 0;
  std::size_t parse_errors = 0;
  std::size_t psql_meta = 0;
};

// Where the schema the analysis used came from.
struct SchemaSources {
  std::size_t migrations = 0;  // earlier migrations applied (the file's history)
  bool snapshot = false;       // a schema snapshot was given
  std::string snapshot_taken_at;  // when it was captured (ISO 8601 UTC), "" when it does not say
  bool snapshot_live = false;     // the catalog of the database being traced, read before the file
  friend bool operator==(const SchemaSources&, const SchemaSources&) = default;
};

struct Analysis {
  int pg_version = 17;
  SchemaSources schema;
  std::vector<Statement> statements;
  std::vector<Finding> findings;   // in text order
  Coverage coverage;
};

}  // namespace lockward::analysis
