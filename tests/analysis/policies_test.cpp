// Policy rules: timeouts, transaction hygiene, compounding locks, unbounded DML, advice.
#include <catch2/catch.hpp>

#include "analysis/analyze.h"
#include "tests/analysis/check_helpers.h"

using namespace lockward::analysis;
using lockward::test::has_rule;

namespace {
Analysis run(const std::string& sql, Options options = {}) { return analyze(sql, options); }
std::size_t count_rule(const Analysis& a, std::string_view rule) {
  return static_cast<std::size_t>(
      std::count_if(a.findings.begin(), a.findings.end(), [&](const Finding& f) { return f.rule == rule; }));
}
}  // namespace

TEST_CASE("no lock_timeout warning for a new table", "[policy]") {
  CHECK_FALSE(has_rule(run("CREATE TABLE t (id bigint);\nCREATE INDEX i ON t (id);"), "missing-lock-timeout"));
}

TEST_CASE("lock_timeout values", "[policy]") {
  CHECK(has_rule(run("SET lock_timeout = 0;\nCREATE INDEX i ON t (c);"), "lock-timeout-zero"));
  CHECK(has_rule(run("SET lock_timeout = 0;\nCREATE INDEX i ON t (c);"), "missing-lock-timeout"));
  CHECK(has_rule(run("SET lock_timeout = '1min';\nCREATE INDEX i ON t (c);"), "lock-timeout-too-long"));
  CHECK_FALSE(has_rule(run("SET lock_timeout = '1min';\nCREATE INDEX i ON t (c);"), "missing-lock-timeout"));
  CHECK_FALSE(has_rule(run("SET lock_timeout TO 2000;\nCREATE INDEX i ON t (c);"), "lock-timeout-too-long"));
  Options loose;
  loose.max_lock_timeout_ms = 120'000;
  CHECK_FALSE(has_rule(run("SET lock_timeout = '1min';\nCREATE INDEX i ON t (c);", loose), "lock-timeout-too-long"));
  CHECK(has_rule(run("SET statement_timeout = '2h';\nSELECT 1;"), "statement-timeout-too-long"));
}

TEST_CASE("statement_timeout is asked for before a scan, once", "[policy]") {
  Analysis a = run("SET lock_timeout = '2s';\nCREATE INDEX i ON t (c);\nCREATE INDEX j ON t (d);");
  CHECK(count_rule(a, "missing-statement-timeout") == 1);
  CHECK_FALSE(has_rule(run("SET lock_timeout = '2s';\nSET statement_timeout = '10min';\nCREATE INDEX i ON t (c);"),
                       "missing-statement-timeout"));
}

TEST_CASE("compounding locks and wide lock windows inside one transaction", "[policy]") {
  std::string sql =
      "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\nCOMMIT;";
  Analysis a = run(sql);
  CHECK(has_rule(a, "compounding-locks"));
  CHECK(has_rule(a, "wide-lock-window"));
  // The finding points back at the BEGIN that widens the window.
  for (const auto& f : a.findings) {
    if (f.rule != "wide-lock-window") continue;
    REQUIRE_FALSE(f.related.empty());
    CHECK(f.related[0].range.slice(sql) == "BEGIN");
  }
  // The same statements in autocommit do not compound.
  Analysis b = run("SET lock_timeout = '2s';\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;");
  CHECK_FALSE(has_rule(b, "compounding-locks"));
  CHECK_FALSE(has_rule(b, "wide-lock-window"));
  // A migration tool's implicit transaction compounds too.
  Options goose;
  goose.migration_tool = "goose";
  CHECK(has_rule(run("SET lock_timeout = '2s';\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;", goose),
                 "wide-lock-window"));
}

TEST_CASE("locks released by ROLLBACK TO SAVEPOINT no longer compound", "[policy]") {
  Analysis a = run(
      "SET lock_timeout = '2s';\nBEGIN;\nSAVEPOINT s;\nALTER TABLE a ADD COLUMN x int;\nROLLBACK TO SAVEPOINT s;\n"
      "ALTER TABLE b ADD COLUMN y int;\nCOMMIT;");
  CHECK_FALSE(has_rule(a, "wide-lock-window"));
  REQUIRE(a.statements.size() == 7);
  CHECK(locks_held_before(a, 5).empty());
  CHECK(locks_held_before(a, 4).size() == 1);
}

TEST_CASE("locks held before a statement: its own transaction, or all of a tool's wrapping", "[policy]") {
  const std::string text = "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE a ADD COLUMN x int;\nCOMMIT;\nBEGIN;\n"
                           "ALTER TABLE b ADD COLUMN y int;\nALTER TABLE c ADD COLUMN z int;\nCOMMIT;";
  Analysis a = run(text);
  REQUIRE(a.statements.size() == 8);
  auto held = locks_held_before(a, 6);
  REQUIRE(held.size() == 1);
  CHECK(held[0].object.name == "b");
  // goose wraps the file: the BEGIN is nested, and what the wrapping held before it counts.
  Options goose;
  goose.migration_tool = "goose";
  Analysis g = run("SET lock_timeout = '2s';\nALTER TABLE a ADD COLUMN x int;\nBEGIN;\nALTER TABLE b ADD COLUMN y int;\n"
                   "ALTER TABLE c ADD COLUMN z int;",
                   goose);
  REQUIRE(g.statements.size() == 5);
  CHECK(locks_held_before(g, 4).size() == 2);
}

TEST_CASE("transaction hygiene", "[policy]") {
  CHECK(has_rule(run("BEGIN;\nSELECT 1;"), "unclosed-transaction"));
  CHECK_FALSE(has_rule(run("BEGIN;\nSELECT 1;\nCOMMIT;"), "unclosed-transaction"));
  CHECK(has_rule(run("BEGIN;\nBEGIN;\nCOMMIT;"), "nested-transaction"));
  Options goose;
  goose.migration_tool = "goose";
  CHECK(has_rule(run("BEGIN;\nSELECT 1;\nCOMMIT;", goose), "nested-transaction"));
}

TEST_CASE("unbounded UPDATE and DELETE", "[policy]") {
  CHECK(has_rule(run("UPDATE t SET a = 1;"), "unbounded-update-delete"));
  CHECK(has_rule(run("DELETE FROM t WHERE true;"), "unbounded-update-delete"));
  CHECK(has_rule(run("UPDATE t SET a = 1 WHERE 1 = 1;"), "unbounded-update-delete"));
  CHECK_FALSE(has_rule(run("UPDATE t SET a = 1 WHERE id < 100;"), "unbounded-update-delete"));
}

TEST_CASE("data type advice and identifier length", "[policy][advice]") {
  Analysis a = run("CREATE TABLE t (a json, b serial, c int, d varchar(20), e timestamp, f char(3), g money, h text);");
  for (auto rule : {"prefer-jsonb", "prefer-identity", "prefer-bigint", "prefer-text-over-varchar",
                    "prefer-timestamptz", "avoid-char", "avoid-money"})
    CHECK(has_rule(a, rule));
  CHECK(count_rule(a, "prefer-bigint") == 1);
  std::string long_name(64, 'x');
  CHECK(has_rule(run("CREATE TABLE " + long_name + " (id bigint);"), "identifier-too-long"));
  CHECK_FALSE(has_rule(run("CREATE TABLE " + std::string(63, 'x') + " (id bigint);"), "identifier-too-long"));
}

TEST_CASE("rule settings disable rules and override severity", "[policy]") {
  Options o;
  o.rules["missing-lock-timeout"].enabled = false;
  o.rules["create-index"].severity = Severity::Hint;
  Analysis a = run("CREATE INDEX i ON t (c);", o);
  CHECK_FALSE(has_rule(a, "missing-lock-timeout"));
  for (const auto& f : a.findings)
    if (f.rule == "create-index") CHECK(f.severity == Severity::Hint);
}

TEST_CASE("ignore placement: before, trailing on the line, and file-wide", "[ignore]") {
  CHECK_FALSE(has_rule(run("SET lock_timeout='1s';\nCREATE INDEX i ON t (c); -- lockward-ignore: create-index\n"),
                       "create-index"));
  CHECK_FALSE(has_rule(run("-- lockward-ignore-file: create-index, missing-statement-timeout\n"
                           "SET lock_timeout='1s';\nCREATE INDEX i ON t (c);\nCREATE INDEX j ON t (d);"),
                       "create-index"));
  // A bare ignore suppresses everything on its statement only.
  Analysis a = run("SET lock_timeout='1s';\n-- lockward-ignore\nCREATE INDEX i ON t (c);\nCREATE INDEX j ON t (d);");
  CHECK(count_rule(a, "create-index") == 1);
}
