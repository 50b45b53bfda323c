// Every safe rewrite lockward offers must parse, and applying it must leave a file whose
// statements all parse.
#include <catch2/catch.hpp>

#include "analysis/analyze.h"
#include "analysis/catalog/catalogue.h"
#include "analysis/syntax/parser.h"
#include "tests/analysis/check_helpers.h"

using namespace lockward::analysis;

namespace {

std::string apply_fix(std::string_view text, const Fix& fix) {
  std::string out(text);
  out.replace(fix.replace.begin, fix.replace.size(), fix.new_text);
  return out;
}

void require_all_fixes_parse(const std::string& sql, const Options& options) {
  Analysis a = analyze(sql, options);
  for (const Finding& f : a.findings) {
    for (const Fix& fix : f.fixes) {
      INFO("rule " << f.rule << ", fix '" << fix.title << "' on:\n" << sql << "\nproduced:\n" << fix.new_text);
      std::string fixed = apply_fix(sql, fix);
      Analysis after = analyze(fixed, options);
      CHECK(after.coverage.parse_errors == 0);
      CHECK_FALSE(fix.reason.empty());
    }
  }
}

}  // namespace

TEST_CASE("every catalogue example's fixes parse", "[recipes]") {
  for (const CatalogueRow& row : catalogue()) {
    for (int pg : {row.min_pg < kMinPgVersion ? kMinPgVersion : row.min_pg, row.max_pg > kMaxPgVersion ? kMaxPgVersion : row.max_pg}) {
      Options options;
      options.pg_version = pg;
      INFO("row " << row.id << " on PostgreSQL " << pg);
      require_all_fixes_parse(std::string(row.example), options);
      require_all_fixes_parse("BEGIN;\n" + std::string(row.example) + ";\nCOMMIT;", options);
    }
  }
}

TEST_CASE("CREATE INDEX gets a drop-in CONCURRENTLY rewrite outside a transaction", "[recipes]") {
  Analysis a = analyze("SET lock_timeout = '1s';\nCREATE UNIQUE INDEX \"Users_email\" ON app.users (lower(email));", Options{});
  const Finding* f = nullptr;
  for (const auto& x : a.findings)
    if (x.rule == "create-index") f = &x;
  REQUIRE(f);
  REQUIRE(f->fixes.size() == 1);
  CHECK(f->fixes[0].new_text == "CREATE UNIQUE INDEX CONCURRENTLY \"Users_email\" ON app.users (lower(email))");
  CHECK(f->fixes[0].drop_in);

  Analysis in_tx = analyze("BEGIN;\nCREATE INDEX i ON t (c);\nCOMMIT;", Options{});
  for (const auto& x : in_tx.findings)
    for (const auto& fix : x.fixes) CHECK_FALSE(fix.drop_in);
}

TEST_CASE("missing lock_timeout offers an insertion that silences it", "[recipes]") {
  std::string sql = "-- migration 7\nALTER TABLE t ADD COLUMN c int;";
  Analysis a = analyze(sql, Options{});
  const Finding* f = nullptr;
  for (const auto& x : a.findings)
    if (x.rule == "missing-lock-timeout") f = &x;
  REQUIRE(f);
  REQUIRE_FALSE(f->fixes.empty());
  std::string fixed = apply_fix(sql, f->fixes[0]);
  CHECK(fixed == "-- migration 7\nSET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c int;");
  CHECK_FALSE(lockward::test::has_rule(analyze(fixed, Options{}), "missing-lock-timeout"));
}
