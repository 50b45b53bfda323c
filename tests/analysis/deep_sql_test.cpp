// SQL nested too deep to parse safely (libpg_query recurses once per tree level with no stack
// check) is one statement-too-complex finding on that statement, never a crash and never SAFE;
// the statements around it are analysed as usual. Deep but allowed statements still analyse.
#include <catch2/catch.hpp>

#include <algorithm>

#include "analysis/analyze.h"
#include "analysis/syntax/nesting.h"
#include "tests/analysis/check_helpers.h"
#include "tests/support/deep_sql.h"

using namespace lockward::analysis;
using namespace lockward::test;

namespace {

// The middle one of three statements, between two that are analysed as usual.
void check_refused_between_others(const std::string& deep) {
  std::string sql = "CREATE INDEX i ON t (c);\n" + deep + ";\nCREATE INDEX j ON t (d);\n";
  Analysis a = analyze(sql, Options{});
  REQUIRE(a.statements.size() == 3);
  CHECK(a.statements[0].status == StatementStatus::Analysed);
  CHECK(a.statements[1].status == StatementStatus::ParseError);  // unknown, not SAFE
  CHECK(a.statements[2].status == StatementStatus::Analysed);
  std::size_t too_complex = 0, index_findings = 0;
  for (const Finding& f : a.findings) {
    CHECK(f.rule != "syntax-error");
    if (f.rule == "create-index") ++index_findings;
    if (f.rule != "statement-too-complex") continue;
    ++too_complex;
    CHECK(f.statement == std::optional<std::size_t>(1));
    CHECK(f.severity == Severity::Error);
    CHECK(f.risk == Risk::High);
    CHECK(f.range.begin >= a.statements[1].code.begin);
    CHECK(f.range.end <= a.statements[1].code.end);
    CHECK(f.message.find("locks are unknown") != std::string::npos);
  }
  CHECK(too_complex == 1);
  CHECK(index_findings == 2);
}

bool refused(const std::string& sql) { return has_rule(analyze(sql, Options{}), "statement-too-complex"); }

}  // namespace

TEST_CASE("long operator chains are refused, not parsed into a stack overflow", "[deep]") {
  check_refused_between_others(plus_chain(25'000));
  check_refused_between_others(plus_chain(200'000));
  check_refused_between_others(union_chain(20'000));
}

TEST_CASE("deeply nested parentheses, subqueries and CASE are refused", "[deep]") {
  check_refused_between_others(nested_parens(20'000));
  check_refused_between_others(nested_parens(200'000));
  check_refused_between_others(nested_subqueries(5'000));  // past Bison's stack: "memory exhausted"
  check_refused_between_others(nested_subqueries(100'000));
  check_refused_between_others(nested_case(3'000));
  check_refused_between_others(nested_case(100'000));
}

TEST_CASE("the limit: a chain just under it is analysed, just over it refused", "[deep]") {
  CHECK_FALSE(refused(plus_chain(kMaxNesting - 10)));
  CHECK(refused(plus_chain(kMaxNesting + 10)));
  CHECK_FALSE(refused(union_chain(kMaxNesting - 10)));  // commas in the select lists do not hide UNIONs
  CHECK(refused(union_chain(kMaxNesting + 10)));
  // The finding points where the nesting went past the limit.
  std::string sql = plus_chain(kMaxNesting + 10);
  Analysis a = analyze(sql, Options{});
  REQUIRE(a.findings.size() == 1);
  CHECK(a.findings[0].range.begin > sql.size() / 2);
}

TEST_CASE("long but flat statements are not mistaken for deep ones", "[deep]") {
  // Each holds more than kMaxNesting operators, in items of flat lists.
  std::string values = "INSERT INTO t VALUES (1, 'a')";
  for (int i = 0; i < 5'000; ++i) values += ", (1 + 2 * 3, 'a' || 'b')";
  std::string in_list = "DELETE FROM t WHERE id IN (1";
  for (int i = 0; i < 15'000; ++i) in_list += ", 1 + 1";
  in_list += ")";
  std::string ands = "UPDATE t SET a = 1 WHERE a = 1";
  for (int i = 0; i < 5'000; ++i) ands += " AND a = 1 OR b + 1 > 2";
  std::string whens = "SELECT CASE";
  for (int i = 0; i < 5'000; ++i) whens += " WHEN a = 1 + 1 THEN 'x' || 'y'";
  whens += " ELSE 'z' END FROM t";
  for (const std::string& sql : {values, in_list, ands, whens}) {
    Analysis a = analyze(sql, Options{});
    CHECK_FALSE(has_rule(a, "statement-too-complex"));
    CHECK_FALSE(has_rule(a, "syntax-error"));
    REQUIRE(a.statements.size() == 1);
    CHECK(a.statements[0].status == StatementStatus::Analysed);
  }
}

TEST_CASE("deep statements under the limit are analysed in full", "[deep]") {
  // The default expression is walked for volatility; its depth is just under the limit.
  std::string chain = plus_chain(kMaxNesting - 100).substr(7);  // "1+1+…"
  Analysis stable = analyze("ALTER TABLE t ADD COLUMN c int DEFAULT " + chain + ";", Options{});
  CHECK(has_rule(stable, "add-column-constant-default"));
  Analysis volatile_default = analyze("ALTER TABLE t ADD COLUMN c int DEFAULT random()::int+" + chain + ";", Options{});
  CHECK(has_rule(volatile_default, "add-column-volatile-default"));
  // The relations a query reads are collected through thousands of JOINs.
  std::string joins = "SELECT 1 FROM a";
  for (int i = 0; i < 4'000; ++i) joins += " JOIN b ON a.x = b.x";
  joins += " JOIN c ON true";
  Analysis read = analyze(joins, Options{});
  REQUIRE(read.statements.size() == 1);
  std::vector<std::string> locked;
  for (const LockFact& l : read.statements[0].locks) locked.push_back(l.object.name);
  CHECK(locked == std::vector<std::string>{"a", "b", "c"});
}
