// What lockward may know about the target database: a schema snapshot (tables with their columns,
// constraints, indexes, partitions and triggers; views with what they read; sequences, types and
// functions) and table sizes. Loaded by server/ from JSON files (docs/snapshot.md: format 2, and
// format 1, which has tables, columns, constraints and indexes only); plain data here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/object_name.h"

namespace lockward::analysis {

struct SnapshotColumn {
  std::string name;
  std::string type;      // format_type() spelling: "character varying(20)", "numeric(10,2)"
  bool not_null = false;
  // Format 2 (empty or -1 when read from format 1):
  std::string internal;    // pg_type.typname of the type, or of the element type: "varchar", "int4"
  bool array = false;
  int typmod = -1;         // pg_attribute.atttypmod
  std::string default_expr;  // pg_get_expr(adbin): "nextval('public.t_id_seq'::regclass)"
  char identity = 0;       // attidentity: 'a' ALWAYS, 'd' BY DEFAULT, 0 none
  char generated = 0;      // attgenerated: 's' STORED, 0 none
  ObjectName domain;       // the column's type when it is a domain
};

struct SnapshotConstraint {
  std::string name;
  char type = 'c';         // pg_constraint.contype: c, f, p, u, x
  bool validated = true;
  std::string definition;  // pg_get_constraintdef()
  // Format 2:
  std::string index;                 // UNIQUE, PRIMARY KEY, EXCLUDE: the index that enforces it
  ObjectName referenced;             // FOREIGN KEY: the other end (schema always filled)
  std::vector<std::string> columns;  // constrained columns (in key order)
  std::vector<std::string> referenced_columns;
  char on_delete = 'a', on_update = 'a';  // confdeltype / confupdtype: a, r, c, n, d
};

struct SnapshotIndex {
  std::string name;
  bool unique = false;
  bool primary = false;
  bool valid = true;
  std::string definition;  // pg_get_indexdef()
  ObjectName parent;       // format 2: the partitioned index it is a partition of
};

// Format 2: a trigger on a table and the function it calls.
struct SnapshotTrigger {
  std::string name;
  ObjectName function;
  bool internal = false;  // made by PostgreSQL (foreign keys' RI triggers are not listed)
};

struct TableSize {
  std::int64_t rows = -1;   // -1: unknown
  std::int64_t bytes = -1;
};

struct SnapshotTable {
  ObjectName name;  // schema always filled
  std::vector<SnapshotColumn> columns;
  std::vector<SnapshotConstraint> constraints;
  std::vector<SnapshotIndex> indexes;
  TableSize size;
  // Format 2:
  bool partitioned = false;           // relkind 'p'
  char persistence = 'p';             // relpersistence: p(ermanent), u(nlogged), t(emporary)
  ObjectName partition_of;            // the partitioned table it is a partition of
  bool default_partition = false;     // ... as its DEFAULT partition
  std::vector<ObjectName> inherits;   // inheritance parents (not the partition parent)
  std::vector<SnapshotTrigger> triggers;

  const SnapshotColumn* column(std::string_view column_name) const;
};

// Format 2: a view or materialized view and the relations its query reads (pg_rewrite's
// dependencies in pg_depend).
struct SnapshotView {
  ObjectName name;
  bool materialized = false;
  std::vector<ObjectName> reads;
};

// Format 2: a sequence and what owns it (OWNED BY, serial, identity).
struct SnapshotSequence {
  ObjectName name;
  ObjectName owned_by;  // the table (empty: none)
  std::string column;
  bool identity = false;  // the column's identity sequence
};

// Format 2: a domain or enum. Domains also list the columns using them (SnapshotColumn::domain).
struct SnapshotType {
  ObjectName name;
  char kind = 'd';                  // pg_type.typtype: d(omain), e(num)
  std::string base;                 // a domain's base type, format_type spelling
  std::vector<std::string> labels;  // an enum's labels, in order
};

// Format 2: a user function (triggers name it).
struct SnapshotFunction {
  ObjectName name;
  std::string arguments;  // pg_get_function_identity_arguments: "integer, text"
  bool returns_trigger = false;
};

struct SchemaSnapshot {
  int version = 2;          // the file's format (1 or 2)
  std::string taken_at;     // when it was captured (ISO 8601, UTC: "2026-11-30T05:02:54Z"); may be empty
  bool live = false;        // read from the database being traced, not from a file
  std::vector<SnapshotTable> tables;
  std::vector<SnapshotView> views;
  std::vector<SnapshotSequence> sequences;
  std::vector<SnapshotType> types;
  std::vector<SnapshotFunction> functions;
  // Matches schema.name exactly; an unqualified name matches public, then any single table.
  const SnapshotTable* find(const ObjectName& name) const;
};

// Table sizes from --stats-file, keyed like SchemaSnapshot::find.
struct TableStats {
  std::map<std::string, TableSize> by_key;  // "schema.table"
  std::optional<TableSize> find(const ObjectName& name) const;
};

}  // namespace lockward::analysis
