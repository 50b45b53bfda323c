// Bad and unusual input: analysis never throws, never loses the other statements, and puts
// errors where the user can see them.
#include <catch2/catch.hpp>

#include "analysis/analyze.h"
#include "tests/analysis/check_helpers.h"

using namespace lockward::analysis;
using lockward::test::has_rule;

TEST_CASE("empty and whitespace-only files", "[robustness]") {
  for (std::string sql : {"", "   \n\n", "-- just a comment\n", "/* block */", ";;;", "\xEF\xBB\xBF"}) {
    Analysis a = analyze(sql, Options{});
    CHECK(a.statements.empty());
    CHECK(a.findings.empty());
  }
}

TEST_CASE("syntax error position points at the offending token", "[robustness]") {
  std::string sql = "SELECT 1;\nALTER TABLE t ADD COLUMN (;\n";
  Analysis a = analyze(sql, Options{});
  REQUIRE(has_rule(a, "syntax-error"));
  for (const auto& f : a.findings) {
    if (f.rule != "syntax-error") continue;
    CHECK(f.range.slice(sql).substr(0, 1) == "(");
    CHECK(f.message.find("syntax error") != std::string::npos);
  }
}

TEST_CASE("unterminated string and comment are reported, earlier statements kept", "[robustness]") {
  Analysis a = analyze("CREATE INDEX i ON t (c);\nSELECT 'oops;\nCREATE INDEX j ON t (d);", Options{});
  CHECK(has_rule(a, "create-index"));
  CHECK(has_rule(a, "syntax-error"));
  Analysis b = analyze("CREATE INDEX i ON t (c);\n/* never closed", Options{});
  CHECK(has_rule(b, "create-index"));
  CHECK(has_rule(b, "syntax-error"));
}

TEST_CASE("invalid UTF-8 is one error, not a crash", "[robustness]") {
  std::string sql = "CREATE INDEX i ON t (c);\nALTER TABLE t ADD CN\264\244MN  TAnt;\nCREATE INDEX j ON t (d);";
  Analysis a = analyze(sql, Options{});
  CHECK(a.coverage.parse_errors == 1);
  CHECK(a.coverage.analysed == 2);
}

TEST_CASE("CRLF line endings keep byte ranges exact", "[robustness]") {
  std::string sql = "SET lock_timeout = '1s';\r\nCREATE INDEX i ON t (c);\r\n";
  Analysis a = analyze(sql, Options{});
  REQUIRE(a.statements.size() == 2);
  CHECK(a.statements[1].code.slice(sql) == "CREATE INDEX i ON t (c)");
}

TEST_CASE("psql meta-commands are skipped with a note", "[robustness]") {
  Analysis a = analyze("\\set ON_ERROR_STOP on\nCREATE INDEX i ON t (c);\n", Options{});
  CHECK(a.coverage.psql_meta == 1);
  CHECK(has_rule(a, "psql-meta-command"));
  CHECK(has_rule(a, "create-index"));
}

TEST_CASE("a DO block with a dynamic EXECUTE is counted as unanalysable and reported UNKNOWN, never SAFE",
          "[robustness]") {
  Analysis a = analyze("DO $$ BEGIN EXECUTE 'ALTER TABLE ' || 't' || ' ADD COLUMN c int'; END $$;", Options{});
  CHECK(a.coverage.unanalysable == 1);
  CHECK(has_rule(a, "unknown-lock"));
  CHECK(a.statements[0].risk == Risk::Unknown);
}

TEST_CASE("a 10 MB file is analysed whole", "[robustness][large]") {
  std::string sql;
  std::size_t n = 0;
  while (sql.size() < 10u << 20) {
    sql += "ALTER TABLE t" + std::to_string(n % 100) + " ADD COLUMN c" + std::to_string(n) + " text;\n";
    ++n;
  }
  Analysis a = analyze(sql, Options{});
  CHECK(a.coverage.statements == n);
  CHECK(a.coverage.analysed == n);
}
