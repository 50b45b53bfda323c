#include "analysis/catalog/catalogue.h"

#include <algorithm>

namespace lockward::analysis {
namespace {

using enum LockMode;
using enum Role;
using enum Risk;

// clang-format off
const std::vector<CatalogueRow> kRows = {
  // ---- ALTER TABLE … ADD COLUMN ------------------------------------------------------------
  {.id = "add-column", .form = "ALTER TABLE … ADD COLUMN (nullable, no default)",
   .locks = {{Table, AccessExclusive}}, .risk = Low, .recipe = Recipe::LockTimeout,
   .why = "catalog-only change, but ACCESS EXCLUSIVE queues behind every running query",
   .setup = "CREATE TABLE t (id int)", .example = "ALTER TABLE t ADD COLUMN c int"},
  {.id = "add-column-constant-default", .form = "ALTER TABLE … ADD COLUMN … DEFAULT <constant or stable>",
   .min_pg = 11, .locks = {{Table, AccessExclusive}}, .risk = Low, .recipe = Recipe::LockTimeout,
   .why = "a non-volatile default is stored in the catalog (fast default): no rewrite",
   .note = "metadata-only since PostgreSQL 11; before 11 the table is rewritten",
   .setup = "CREATE TABLE t (id int)", .example = "ALTER TABLE t ADD COLUMN c int DEFAULT 0"},
  {.id = "add-column-constant-default", .form = "ALTER TABLE … ADD COLUMN … DEFAULT <constant or stable>",
   .max_pg = 10, .locks = {{Table, AccessExclusive}}, .rewrite = Rewrite::Table, .risk = High,
   .recipe = Recipe::ExpandBackfillContract,
   .why = "before PostgreSQL 11 any default rewrites the whole table under ACCESS EXCLUSIVE",
   .note = "metadata-only since PostgreSQL 11",
   .setup = "CREATE TABLE t (id int)", .example = "ALTER TABLE t ADD COLUMN c int DEFAULT 0"},
  {.id = "add-column-volatile-default", .form = "ALTER TABLE … ADD COLUMN … DEFAULT <volatile>",
   .locks = {{Table, AccessExclusive}}, .rewrite = Rewrite::Table, .risk = High,
   .recipe = Recipe::ExpandBackfillContract,
   .why = "a volatile default is evaluated per row: the whole table is rewritten under ACCESS EXCLUSIVE",
   .setup = "CREATE TABLE t (id int)", .example = "ALTER TABLE t ADD COLUMN c float8 DEFAULT random()"},

  // ---- CREATE INDEX --------------------------------------------------------------------------
  {.id = "create-index", .form = "CREATE [UNIQUE] INDEX",
   .locks = {{Table, Share}}, .scans = true, .risk = Medium, .recipe = Recipe::Concurrently,
   .why = "builds the index while blocking every write to the table",
   .setup = "CREATE TABLE t (id int)", .example = "CREATE INDEX t_id_idx ON t (id)"},
  {.id = "create-index-concurrently", .form = "CREATE [UNIQUE] INDEX CONCURRENTLY",
   .locks = {{Table, ShareUpdateExclusive}}, .scans = true, .risk = Low, .no_transaction = true,
   .why = "builds the index without blocking reads or writes; waits for older transactions",
   .note = "cannot run inside a transaction block; a failed build leaves an INVALID index to drop",
   .setup = "CREATE TABLE t (id int)", .example = "CREATE INDEX CONCURRENTLY t_id_idx ON t (id)"},
};
// clang-format on

}  // namespace

std::string_view role_name(Role role) {
  switch (role) {
    case Table: return "table";
    case ReferencedTable: return "referenced table";
    case PartitionParent: return "partitioned table";
    case Partition: return "partition";
    case DefaultPartition: return "default partition";
    case Index: return "index";
    case View: return "view";
    case MaterializedView: return "materialized view";
    case Sequence: return "sequence";
    case Type: return "type";
    case Schema: return "schema";
    case Database: return "database";
  }
  return "object";
}

std::string_view rewrite_name(Rewrite rewrite) {
  switch (rewrite) {
    case Rewrite::None: return "no rewrite";
    case Rewrite::Table: return "rewrites the table";
    case Rewrite::Indexes: return "rebuilds indexes";
    case Rewrite::Uncertain: return "may rewrite the table";
  }
  return "";
}

std::string_view recipe_name(Recipe recipe) {
  switch (recipe) {
    case Recipe::None: return "none";
    case Recipe::Concurrently: return "concurrently";
    case Recipe::DetachConcurrently: return "detach-concurrently";
    case Recipe::NotValidThenValidate: return "not-valid-then-validate";
    case Recipe::UniqueIndexThenConstraint: return "unique-index-then-constraint";
    case Recipe::CheckThenSetNotNull: return "check-then-set-not-null";
    case Recipe::ExpandBackfillContract: return "expand-backfill-contract";
    case Recipe::NewColumnSwap: return "new-column-swap";
    case Recipe::RenameWithView: return "rename-with-view";
    case Recipe::Repack: return "pg-repack";
    case Recipe::LockTimeout: return "lock-timeout";
    case Recipe::OutsideTransaction: return "outside-transaction";
  }
  return "none";
}

std::span<const CatalogueRow> catalogue() { return kRows; }

const CatalogueRow* find_row(std::string_view id, int pg_version) {
  for (const auto& row : kRows) {
    if (row.id == id && pg_version >= row.min_pg && pg_version <= row.max_pg) return &row;
  }
  return nullptr;
}

const RoleLock* lock_for(const CatalogueRow& row, Role role) {
  const RoleLock* best = nullptr;
  for (const auto& l : row.locks) {
    if (l.role == role && (!best || l.mode > best->mode)) best = &l;
  }
  return best;
}

}  // namespace lockward::analysis
