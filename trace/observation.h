// What a traced statement did, as PostgreSQL shows it: the locks its backend holds or waits
// for (pg_locks), and catalog snapshots whose difference reveals rewrites (relfilenode),
// created and dropped relations, column and constraint changes, and index validity.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analysis/catalog/lock_mode.h"
#include "analysis/model.h"
#include "trace/pg_connection.h"

namespace lockward::trace {

struct ObservedLock {
  analysis::ObjectName object;
  analysis::ObjectKind kind = analysis::ObjectKind::Table;
  analysis::LockMode mode = analysis::LockMode::AccessShare;
  std::uint32_t oid = 0;
  bool granted = true;
  // The table an index belongs to, or that owns a sequence (serial and identity columns):
  // a lock on it that its table's lock covers says nothing new.
  analysis::ObjectName owner;
  bool created_in_file = false;      // created by an earlier transaction of the traced file
  // Seen while the statement ran and gone once it ended: released at the statement's end,
  // not held until COMMIT (COPY … TO on PostgreSQL 12).
  bool until_statement_end = false;
  friend bool operator==(const ObservedLock&, const ObservedLock&) = default;
};

struct RelationState {
  analysis::ObjectName name;
  char relkind = 'r';
  std::string relfilenode;
  std::uint32_t owner = 0;  // an index's table, an owned sequence's table (oid), or 0
};

struct CatalogSnapshot {
  std::map<std::uint32_t, RelationState> relations;           // by oid, user schemas only
  std::map<std::string, std::string> columns;                 // "rel.col" → "type notnull"
  std::map<std::string, bool> constraints_validated;          // "rel.conname" → convalidated
  std::map<std::string, bool> indexes_valid;                  // "schema.index" → indisvalid
  std::map<std::uint32_t, analysis::ObjectName> types;        // by oid, user schemas only
};

// Locks held (or awaited) by backend `pid` on user relations and types, read through `conn`.
// Catalog relations and the query's own locks are left out. A relation the statement dropped
// or renamed is named from `before` (by oid), as the migration's author wrote it; so is a
// dropped type, whose object lock outlives its pg_type row until the transaction ends.
std::vector<ObservedLock> read_locks(PgConnection& conn, int pid, std::string& error,
                                     const CatalogSnapshot* before = nullptr);
CatalogSnapshot read_catalog(PgConnection& conn, std::string& error);

struct CatalogChanges {
  std::vector<analysis::ObjectName> rewritten;      // tables (and matviews) whose relfilenode changed
  std::vector<analysis::ObjectName> rewritten_indexes;
  std::set<std::uint32_t> created;                  // relation oids that did not exist before
  std::set<std::uint32_t> dropped;                  // relation oids that no longer exist
  std::vector<std::string> notes;                   // human-readable changes
};
CatalogChanges diff_catalog(const CatalogSnapshot& before, const CatalogSnapshot& after);

}  // namespace lockward::trace
