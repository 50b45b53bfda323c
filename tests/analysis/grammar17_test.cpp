// The PostgreSQL 17 grammar (libpg_query 17): what PostgreSQL 16 and 17 made valid parses and
// classifies; a form newer than the target is UNKNOWN, not SAFE; PostgreSQL 18 syntax is read
// from its leading keywords when the target is 18, as an upper bound.
#include <catch2/catch.hpp>
#include <string>

#include "analysis/analyze.h"
#include "tests/analysis/check_helpers.h"

using namespace lockward::analysis;
using lockward::test::has_rule;

namespace {

Analysis run(const std::string& sql, int pg = 17) {
  Options options;
  options.pg_version = pg;
  return analyze(sql, options);
}

std::string row_of(const Statement& s) {
  REQUIRE(s.effects.size() == 1);
  return s.effects[0].row ? std::string(s.effects[0].row->id) : "?";
}

const LockFact* lock_on(const Statement& s, const std::string& name) {
  for (const auto& l : s.locks)
    if (l.object.name == name) return &l;
  return nullptr;
}

}  // namespace

TEST_CASE("PostgreSQL 16 and 17 syntax parses and keeps the file's facts", "[grammar]") {
  // A subquery without an alias (16) used to be a syntax error that lost track of the table
  // created before it.
  Analysis a = run("CREATE TABLE t (id bigint);\n"
                   "INSERT INTO t SELECT id FROM (SELECT 1 AS id);\n"
                   "SELECT * FROM (SELECT id FROM t) WHERE id > 0x1F;\n"
                   "SELECT * FROM t, JSON_TABLE('[1]'::jsonb, '$[*]' COLUMNS (x int PATH '$')) AS jt;\n"
                   "ALTER TABLE t ALTER COLUMN id SET STATISTICS DEFAULT;\n");
  REQUIRE(a.statements.size() == 5);
  for (const Statement& s : a.statements) {
    CHECK(s.status == StatementStatus::Analysed);
    CHECK(s.risk == Risk::Safe);  // every lock falls on t, created in this file
  }
  CHECK_FALSE(has_rule(a, "syntax-error"));
  CHECK(row_of(a.statements[2]) == "select");
  REQUIRE(lock_on(a.statements[2], "t"));
  CHECK(lock_on(a.statements[2], "t")->mode == LockMode::AccessShare);
  CHECK(row_of(a.statements[4]) == "set-statistics");
}

TEST_CASE("ALTER COLUMN … SET EXPRESSION rewrites the table under ACCESS EXCLUSIVE", "[grammar]") {
  Analysis a = run("ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (c * 3)");
  REQUIRE(a.statements.size() == 1);
  const Statement& s = a.statements[0];
  CHECK(row_of(s) == "set-expression");
  CHECK(s.rewrite == Rewrite::Table);
  CHECK(s.risk == Risk::Critical);
  REQUIRE(lock_on(s, "t"));
  CHECK(lock_on(s, "t")->mode == LockMode::AccessExclusive);
}

TEST_CASE("MERGE … RETURNING locks the target and its sources like MERGE", "[grammar]") {
  Analysis a = run("MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE "
                   "RETURNING merge_action(), t.id");
  REQUIRE(a.statements.size() == 1);
  const Statement& s = a.statements[0];
  CHECK(row_of(s) == "merge-returning");
  REQUIRE(lock_on(s, "t"));
  CHECK(lock_on(s, "t")->mode == LockMode::RowExclusive);
  REQUIRE(lock_on(s, "s"));
  CHECK(lock_on(s, "s")->mode == LockMode::AccessShare);
}

TEST_CASE("a form newer than the target version is UNKNOWN, never SAFE", "[grammar]") {
  for (auto [sql, pg] : {std::pair{"MERGE INTO t USING (VALUES (1)) AS s (id) ON t.id = s.id "
                                   "WHEN NOT MATCHED THEN INSERT VALUES (s.id)", 14},
                         std::pair{"ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (c * 3)", 16},
                         std::pair{"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING t.id", 16}}) {
    Analysis a = run(sql, pg);
    REQUIRE(a.statements.size() == 1);
    INFO(sql << " on " << pg);
    CHECK(a.statements[0].risk == Risk::Unknown);
    CHECK(a.statements[0].status == StatementStatus::Unanalysable);
    REQUIRE(has_rule(a, "unknown-lock"));
    bool names_version = false;
    for (const auto& f : a.findings) names_version = names_version || f.message.find("needs PostgreSQL") != std::string::npos;
    CHECK(names_version);
  }
}

TEST_CASE("PostgreSQL 18 syntax is read from its leading keywords when the target is 18", "[grammar]") {
  const std::string sql =
      "BEGIN;\n"
      "CREATE TABLE p (id int, CONSTRAINT p_id_nn NOT NULL id);\n"
      "ALTER TABLE accounts ADD CONSTRAINT accounts_email_nn NOT NULL email;\n"
      "ALTER TABLE p ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) VIRTUAL;\n"
      "CREATE TABLE c (id int REFERENCES accounts, during tstzrange, PRIMARY KEY (id, during WITHOUT OVERLAPS));\n"
      "COMMIT;\n";
  SECTION("target 18: upper bounds and the tables created") {
    Analysis a = run(sql, 18);
    REQUIRE(a.statements.size() == 6);
    CHECK_FALSE(has_rule(a, "syntax-error"));
    // CREATE TABLE p: created, locks nothing that exists.
    CHECK(a.statements[1].status == StatementStatus::Analysed);
    CHECK(a.statements[1].risk == Risk::Safe);
    // ALTER TABLE accounts …: at most ACCESS EXCLUSIVE, labelled an upper bound.
    const Statement& alter = a.statements[2];
    CHECK(row_of(alter) == "alter-table-unparsed");
    REQUIRE(lock_on(alter, "accounts"));
    CHECK(lock_on(alter, "accounts")->mode == LockMode::AccessExclusive);
    CHECK(alter.effects[0].uncertain);
    CHECK(alter.effects[0].uncertainty.find("upper bound") != std::string::npos);
    CHECK(alter.risk == Risk::High);
    CHECK(alter.tx.in_transaction);
    // ALTER TABLE p: p was created in this file, so the lock harms no one.
    REQUIRE(lock_on(a.statements[3], "p"));
    CHECK(lock_on(a.statements[3], "p")->new_object);
    CHECK(a.statements[3].risk == Risk::Safe);
    // CREATE TABLE c … REFERENCES accounts: may lock accounts, so UNKNOWN.
    CHECK(a.statements[4].risk == Risk::Unknown);
    CHECK(a.statements[5].tx_control == TxControl::Commit);
  }
  SECTION("target 17: PostgreSQL 17 rejects them, so they stay syntax errors") {
    Analysis a = run(sql, 17);
    REQUIRE(a.statements.size() == 6);
    CHECK(a.statements[2].status == StatementStatus::ParseError);
    CHECK(has_rule(a, "syntax-error"));
  }
  SECTION("a real syntax error in another form stays one") {
    Analysis a = run("CREATE INDEX i ON t (a) WITH OOPS;", 18);
    CHECK(a.statements[0].status == StatementStatus::ParseError);
  }
}

TEST_CASE("a SELECT of a function lockward does not know is UNKNOWN; built-ins are not", "[functions]") {
  for (const char* sql : {"SELECT my_backfill()", "SELECT app.migrate_orders(100)", "SELECT count(*) FROM t WHERE f(id)",
                          "SELECT setval('t_id_seq', 10)"}) {
    INFO(sql);
    Analysis a = run(sql);
    REQUIRE(a.statements.size() == 1);
    CHECK(a.statements[0].risk == Risk::Unknown);
    CHECK(has_rule(a, "unknown-lock"));
  }
  for (const char* sql : {"SELECT set_config('search_path', 'app', false)", "SELECT count(*), now() FROM t",
                          "SELECT pg_advisory_lock(42)", "SELECT lower('A')"}) {
    INFO(sql);
    Analysis a = run(sql);
    REQUIRE(a.statements.size() == 1);
    CHECK(a.statements[0].risk == Risk::Safe);
    CHECK_FALSE(has_rule(a, "unknown-lock"));
  }
}
