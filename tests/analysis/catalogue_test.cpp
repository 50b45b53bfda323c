// The lock catalogue is data: every row's example must be classified as that row, with that
// row's lock modes, and version variants of one id must not overlap.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "analysis/analyze.h"
#include "analysis/catalog/catalogue.h"
#include "analysis/migration_history.h"

using namespace lockward::analysis;

namespace {

int version_for(const CatalogueRow& row) { return std::clamp(row.min_pg, kMinPgVersion, kMaxPgVersion); }

// The effects of `sql` that came from `row`.
std::vector<Effect> effects_of(const Analysis& a, const CatalogueRow& row) {
  std::vector<Effect> out;
  for (const auto& s : a.statements)
    for (const auto& e : s.effects)
      if (e.row == &row) out.push_back(e);
  return out;
}

}  // namespace

TEST_CASE("every catalogue row's example is classified as that row, with its locks", "[catalogue]") {
  for (const CatalogueRow& row : catalogue()) {
    Options options;
    options.pg_version = version_for(row);
    // Some rows depend on the current schema (the column's type, a validated CHECK): the
    // snapshot gives what the row's setup created.
    SchemaSnapshot snapshot;
    snapshot.tables.push_back(SnapshotTable{ObjectName{"public", "t"},
                                            {{"v", "character varying(20)", false}, {"c", "integer", false}},
                                            {{"t_c_not_null", 'c', true, "CHECK ((c IS NOT NULL))"}}, {}, {}});
    if (row.id == "alter-column-type-no-rewrite" || row.id == "set-not-null-with-check") options.snapshot = &snapshot;
    // The schema the setup built, as an earlier migration (the index's table, foreign keys,
    // what does not exist).
    SchemaModel model;
    apply_migration(model, row.setup, 0, "setup.sql", options);
    options.schema = &model;
    options.schema_place = 1;
    INFO("row " << row.id << " (PostgreSQL " << options.pg_version << "): " << row.example);
    Analysis a = analyze(row.example, options);
    std::vector<Effect> effects = effects_of(a, row);
    REQUIRE_FALSE(effects.empty());
    bool any_lock = false;
    for (const Effect& e : effects) {
      for (const LockFact& l : e.locks) {
        const RoleLock* expected = lock_for(row, l.role);
        REQUIRE(expected);
        CHECK(l.mode == expected->mode);
        CHECK_FALSE(l.new_object);
        any_lock = true;
      }
    }
    // A row whose locked objects the text does not name (the tables using a domain) still
    // yields its finding.
    bool finding = std::any_of(a.findings.begin(), a.findings.end(), [&](const Finding& f) { return f.rule == row.id; });
    if (!row.locks.empty()) CHECK((any_lock || (row.risk > Risk::Safe && finding)));
  }
}

TEST_CASE("every catalogue row's setup and example parse", "[catalogue]") {
  for (const CatalogueRow& row : catalogue()) {
    INFO("row " << row.id);
    Options options;
    options.pg_version = version_for(row);
    Analysis a = analyze(std::string(row.setup) + ";\n" + std::string(row.example) + ";", options);
    CHECK(a.coverage.parse_errors == 0);
    CHECK(a.coverage.statements >= 2);
  }
}

TEST_CASE("catalogue rows are complete and version variants do not overlap", "[catalogue]") {
  auto rows = catalogue();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CatalogueRow& row = rows[i];
    INFO("row " << row.id << " [" << row.min_pg << ", " << row.max_pg << "]");
    CHECK_FALSE(row.id.empty());
    CHECK_FALSE(row.form.empty());
    CHECK_FALSE(row.why.empty());
    CHECK_FALSE(row.example.empty());
    CHECK(row.min_pg <= row.max_pg);
    for (std::size_t k = i + 1; k < rows.size(); ++k) {
      if (rows[k].id != row.id) continue;
      INFO("overlaps [" << rows[k].min_pg << ", " << rows[k].max_pg << "]");
      CHECK((rows[k].max_pg < row.min_pg || rows[k].min_pg > row.max_pg));
    }
  }
}

TEST_CASE("find_row picks the variant for the version", "[catalogue]") {
  const CatalogueRow* old_attach = find_row("attach-partition", 11);
  const CatalogueRow* new_attach = find_row("attach-partition", 12);
  REQUIRE(old_attach);
  REQUIRE(new_attach);
  CHECK(lock_for(*old_attach, Role::PartitionParent)->mode == LockMode::AccessExclusive);
  CHECK(lock_for(*new_attach, Role::PartitionParent)->mode == LockMode::ShareUpdateExclusive);
  CHECK(lock_for(*new_attach, Role::Partition)->mode == LockMode::AccessExclusive);
  CHECK(find_row("detach-partition-concurrently", 13) == nullptr);
  CHECK(find_row("alter-type-add-value", 11)->no_transaction);
  CHECK_FALSE(find_row("alter-type-add-value", 12)->no_transaction);
  CHECK(lock_for(*find_row("add-foreign-key", 17), Role::ReferencedTable)->mode == LockMode::ShareRowExclusive);
}

TEST_CASE("COPY … TO releases its lock at the statement's end up to PostgreSQL 12, at COMMIT from 13", "[catalogue]") {
  const char* sql = "BEGIN;\nCOPY t TO STDOUT;\nALTER TABLE u ADD COLUMN c int;\nCOMMIT;";
  for (int version : {12, 13}) {
    INFO("PostgreSQL " << version);
    Options options;
    options.pg_version = version;
    Analysis a = analyze(sql, options);
    REQUIRE(a.statements.size() == 4);
    REQUIRE(a.statements[1].locks.size() == 1);
    CHECK(a.statements[1].locks[0].mode == LockMode::AccessShare);
    CHECK(a.statements[1].locks[0].until_statement_end == (version == 12));
    // What the transaction holds when the ALTER runs: the COPY's lock only from 13.
    std::vector<LockFact> held = locks_held_before(a, 2);
    bool holds_t = std::any_of(held.begin(), held.end(), [](const LockFact& l) { return l.object.name == "t"; });
    CHECK(holds_t == (version != 12));
  }
}
