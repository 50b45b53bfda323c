// Turns one parsed statement into facts: the catalogue rows it matches (effects, with the
// concrete objects locked), the objects it creates, transaction control, settings, and what
// the policy rules need. Knows nothing of the rest of the file beyond ClassifyContext.
// Pure; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/model.h"
#include "analysis/schema.h"
#include "analysis/schema_model.h"
#include "analysis/syntax/parser.h"

namespace lockward::analysis {

struct CreatedObject {
  ObjectName name;
  ObjectKind kind = ObjectKind::Table;
  ObjectName table;  // an index's table
};

// DROP TABLE / INDEX / VIEW / MATERIALIZED VIEW / SEQUENCE / TYPE (one per object named).
struct DroppedObject {
  ObjectName name;
  ObjectKind kind = ObjectKind::Table;
  bool cascade = false;
};

// ALTER TABLE / INDEX / VIEW … RENAME TO (column empty) or RENAME COLUMN.
struct RenamedObject {
  ObjectName name;
  ObjectKind kind = ObjectKind::Table;
  std::string column;   // RENAME COLUMN: the old column name
  std::string to;
};

// SET / SET LOCAL / RESET of a run-time setting.
struct SettingChange {
  std::string name;             // lower case: "lock_timeout"
  std::optional<std::string> value;  // as written ("2s", "0", "5000"); nullopt for RESET/DEFAULT
  bool local = false;           // SET LOCAL
};

struct AddedConstraint {
  ObjectName table;
  std::string name;             // may be empty when unnamed
  char type = 'c';              // c, f, p, u, x
  bool not_valid = false;
  std::string not_null_column;  // for CHECK (col IS NOT NULL): the column
  ObjectName referenced;        // for FOREIGN KEY: the table it points at
  std::vector<std::string> columns;             // for FOREIGN KEY: its columns on `table`
  std::vector<std::string> referenced_columns;  // for FOREIGN KEY: the columns it points at (empty: the key)
  // For FOREIGN KEY: its ON DELETE / ON UPDATE action as PostgreSQL spells it (pg_constraint's
  // confdeltype / confupdtype): 'a' NO ACTION, 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL, 'd' SET DEFAULT.
  char on_delete = 'a';
  char on_update = 'a';
};

struct ColumnTypeUse {
  ObjectName table;
  std::string column;
  std::string type;             // last name part, lower case: "varchar", "int4", "timestamp"
  std::vector<long> typmods;    // (20) → {20}
  bool array = false;
  TextRange range;              // the type name in the file
};

struct DefinedName {
  std::string name;
  TextRange range;
};

struct DmlFacts {
  bool is_update = false;
  bool is_delete = false;
  bool has_where = false;
  bool tautological_where = false;  // WHERE true, WHERE 1 = 1, …
  ObjectName table;
};

struct StatementFacts {
  std::string summary;            // "ALTER TABLE orders"
  TxControl tx_control = TxControl::None;
  std::vector<Effect> effects;
  std::vector<CreatedObject> creates;
  std::optional<SettingChange> setting;
  std::vector<AddedConstraint> constraints_added;
  std::vector<std::pair<ObjectName, std::string>> constraints_validated;  // (table, name)
  std::vector<ColumnTypeUse> column_types;  // a column now has this type (CREATE TABLE, ADD COLUMN, TYPE)
  std::vector<DroppedObject> drops;
  std::vector<std::pair<ObjectName, std::string>> columns_dropped;      // (table, column)
  std::vector<std::pair<ObjectName, std::string>> constraints_dropped;  // (table, name)
  std::vector<RenamedObject> renames;
  // CREATE TABLE … PARTITION OF, ATTACH PARTITION (default: FOR VALUES DEFAULT) and DETACH;
  // with `inheritance`, CREATE TABLE … INHERITS and ALTER TABLE … [NO] INHERIT.
  struct PartitionChange {
    ObjectName parent, partition;
    bool is_default = false;
    bool attach = true;  // false: detached
    bool inheritance = false;
  };
  std::vector<PartitionChange> partitions;
  // CREATE [OR REPLACE] TRIGGER (function set), DROP TRIGGER, ALTER TRIGGER … RENAME (to set),
  // and DROP FUNCTION … CASCADE (table empty: every trigger calling `function` goes).
  struct TriggerChange {
    ObjectName table;
    std::string name;
    ObjectName function;
    std::string to;
    bool dropped = false;
  };
  std::vector<TriggerChange> triggers;
  std::vector<DefinedName> defined_names;  // identifiers this statement creates
  std::optional<DmlFacts> dml;
  // Its locks are not known: a form without a catalogue row (or the session statements
  // catalogue.h lists as taking none), a DO block, a LANGUAGE sql function's validation.
  // Reported UNKNOWN, never SAFE.
  bool unknown = false;
  std::string unknown_reason;
  // Where the unknown part is, when it is not the whole statement (a DO block's dynamic EXECUTE).
  std::optional<TextRange> unknown_range;
};

// What the schema (earlier migrations, earlier statements of the file) says, for the rows and
// roles that depend on it. Every answer may be "not known"; the snapshot is asked separately.
class SchemaLookup {
 public:
  virtual ~SchemaLookup() = default;
  virtual std::optional<ObjectName> index_table(const ObjectName& index) const = 0;
  // The indexes known on `table` (from CREATE INDEX; a constraint's index is named by PostgreSQL).
  virtual std::vector<ObjectName> indexes_of(const ObjectName& table) const = 0;
  virtual std::optional<ColumnType> column_type(const ObjectName& table, std::string_view column) const = 0;
  // The tables `table`'s foreign keys point at, and those whose foreign keys point at `table`.
  virtual std::vector<ObjectName> references(const ObjectName& table) const = 0;
  virtual std::vector<ObjectName> referenced_by(const ObjectName& table) const = 0;
  // The table the foreign key `constraint` of `table` points at (nullopt: not a known foreign key).
  virtual std::optional<ObjectName> foreign_key_target(const ObjectName& table, std::string_view constraint) const = 0;
  // The tables at the other end of the foreign keys a column takes part in: those its own foreign
  // keys point at, and those whose foreign keys name the column among their referenced columns.
  struct ForeignKeyEnds {
    std::vector<ObjectName> referenced;   // what the column's own foreign keys point at
    std::vector<ObjectName> referencing;  // tables whose foreign keys point at the column
  };
  virtual ForeignKeyEnds foreign_key_ends(const ObjectName& table, std::string_view column) const = 0;
  // The foreign keys that point at `table` from another table, with their actions.
  struct IncomingForeignKey {
    ObjectName table;                             // the referencing table
    std::vector<std::string> referenced_columns;  // on `table`; empty: its primary key
    char on_delete = 'a';
    char on_update = 'a';
  };
  virtual std::vector<IncomingForeignKey> incoming_foreign_keys(const ObjectName& table) const = 0;
  // The DEFAULT partition of a partitioned table: nullopt when it has none or that is not known.
  virtual std::optional<ObjectName> default_partition(const ObjectName& parent) const = 0;
  // Whether a relation of that name exists; nullopt when the schema cannot say.
  virtual std::optional<bool> exists(const ObjectName& name) const = 0;
  // The direct partitions and inheriting children of `parent` the schema knows.
  struct Child {
    ObjectName name;
    bool partition = false;  // false: an inheriting child
  };
  virtual std::vector<Child> children(const ObjectName&) const { return {}; }
  // The relations a view's (or, with `materialized`, a materialized view's) query reads;
  // nullopt when it is not such a view the schema knows.
  virtual std::optional<std::vector<ObjectName>> view_sources(const ObjectName&, bool /*materialized*/) const {
    return std::nullopt;
  }
  // The tables with a column of the type (a domain): nullopt when the schema does not know the type.
  virtual std::optional<std::vector<ObjectName>> tables_using_type(const ObjectName&) const { return std::nullopt; }
  // The triggers that call `function` (a trigger function takes no arguments), as (table,
  // trigger) pairs; nullopt when the schema cannot say that it knows every trigger.
  using Trigger = std::pair<ObjectName, std::string>;
  virtual std::optional<std::vector<Trigger>> triggers_calling(const ObjectName& function) const = 0;
};

struct ClassifyContext {
  int pg_version = 17;
  const SchemaSnapshot* snapshot = nullptr;
  const SchemaLookup* schema = nullptr;  // null: nothing known beyond the snapshot
  // True when a validated CHECK (column IS NOT NULL) on the table is known from earlier in
  // the file or from the snapshot: SET NOT NULL then skips its scan (PG12+).
  std::function<bool(const ObjectName& table, std::string_view column)> has_not_null_check;
  // True when an earlier SET [LOCAL] timezone / SET TIME ZONE of the file, still in force,
  // made the session's time zone UTC: timestamp ↔ timestamptz then needs no rewrite (PG12+).
  std::function<bool()> session_time_zone_utc;
  // How many DO blocks the statement is inside (a DO in a DO's body): deeper ones are not read.
  int do_depth = 0;
};

// `text` is the whole file and `node_offset` where the node's text starts in it, so that
// libpg_query's statement-relative locations become file offsets.
// The kind of object a catalogue role names (a referenced table is a table, a source too).
ObjectKind kind_for_role(Role role);

StatementFacts classify(const ParsedNode& node, std::string_view text, std::size_t node_offset,
                        TextRange statement_range, const ClassifyContext& context);

}  // namespace lockward::analysis
