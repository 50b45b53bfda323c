// What lockward may know about the target database: a schema snapshot (column types,
// constraints, indexes) and table sizes. Loaded by server/ from JSON files; plain data here.
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
};

struct SnapshotConstraint {
  std::string name;
  char type = 'c';         // pg_constraint.contype: c, f, p, u, x
  bool validated = true;
  std::string definition;  // pg_get_constraintdef()
};

struct SnapshotIndex {
  std::string name;
  bool unique = false;
  bool primary = false;
  bool valid = true;
  std::string definition;  // pg_get_indexdef()
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

  const SnapshotColumn* column(std::string_view column_name) const;
};

struct SchemaSnapshot {
  std::vector<SnapshotTable> tables;
  // Matches schema.name exactly; an unqualified name matches public, then any single table.
  const SnapshotTable* find(const ObjectName& name) const;
};

// Table sizes from --stats-file, keyed like SchemaSnapshot::find.
struct TableStats {
  std::map<std::string, TableSize> by_key;  // "schema.table"
  std::optional<TableSize> find(const ObjectName& name) const;
};

}  // namespace lockward::analysis
