#include <catch2/catch.hpp>

#include "analysis/analyze.h"
#include "tests/analysis/check_helpers.h"

using namespace lockward::analysis;
using lockward::test::rules_of;

TEST_CASE("a syntax error does not hide the other statements", "[analyze]") {
  Analysis a = analyze("CREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN (;\nCREATE INDEX j ON t (d);", Options{});
  CHECK(a.coverage.statements == 3);
  CHECK(a.coverage.parse_errors == 1);
  auto rules = rules_of(a);
  CHECK(std::count(rules.begin(), rules.end(), "create-index") == 2);
  CHECK(std::count(rules.begin(), rules.end(), "syntax-error") == 1);
}

TEST_CASE("locks on a table created in the same file are harmless", "[analyze]") {
  Analysis a = analyze("CREATE TABLE t (id bigint);\nCREATE INDEX i ON t (id);", Options{});
  CHECK(rules_of(a).empty());
  REQUIRE(a.statements.size() == 2);
  REQUIRE(a.statements[1].locks.size() == 1);
  CHECK(a.statements[1].locks[0].new_object);
}

TEST_CASE("CONCURRENTLY inside a transaction is an error", "[analyze][policy]") {
  Analysis a = analyze("SET lock_timeout = '2s';\nBEGIN;\nCREATE INDEX CONCURRENTLY i ON t (c);\nCOMMIT;", Options{});
  CHECK(lockward::test::has_rule(a, "concurrently-in-transaction"));
  Options wrapped;
  wrapped.migration_tool = "goose";
  Analysis b = analyze("CREATE INDEX CONCURRENTLY i ON t (c);", wrapped);
  CHECK(lockward::test::has_rule(b, "concurrently-in-transaction"));
  Analysis c = analyze("-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON t (c);", wrapped);
  CHECK_FALSE(lockward::test::has_rule(c, "concurrently-in-transaction"));
}

TEST_CASE("missing lock_timeout fires once, before the first blocking lock", "[analyze][policy]") {
  Analysis a = analyze("CREATE TABLE n (id int);\nCREATE INDEX i ON t (c);\nCREATE INDEX j ON t (d);", Options{});
  auto rules = rules_of(a);
  CHECK(std::count(rules.begin(), rules.end(), "missing-lock-timeout") == 1);
  Analysis b = analyze("SET lock_timeout = '3s';\nCREATE INDEX i ON t (c);", Options{});
  CHECK_FALSE(lockward::test::has_rule(b, "missing-lock-timeout"));
  Options external;
  external.timeouts_set_externally = true;
  CHECK_FALSE(lockward::test::has_rule(analyze("CREATE INDEX i ON t (c);", external), "missing-lock-timeout"));
}

TEST_CASE("ignore comments suppress, and report unknown and unused ids", "[analyze][ignore]") {
  Analysis a = analyze(
      "SET lock_timeout = '2s';\n-- lockward-ignore: create-index -- small table\nCREATE INDEX i ON t (c);", Options{});
  CHECK_FALSE(lockward::test::has_rule(a, "create-index"));
  Analysis b = analyze("SET lock_timeout = '2s';\n-- lockward-ignore: creat-index\nCREATE INDEX i ON t (c);", Options{});
  CHECK(lockward::test::has_rule(b, "unknown-rule-in-ignore"));
  CHECK(lockward::test::has_rule(b, "create-index"));
  Analysis c = analyze("-- lockward-ignore: create-index\nSELECT 1;", Options{});
  CHECK(lockward::test::has_rule(c, "unused-ignore"));
}
