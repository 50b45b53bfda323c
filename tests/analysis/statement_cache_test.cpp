// The statement cache must never change a result: cached and uncached analyses of the same
// text agree, across edits, including context-dependent statements.
#include <catch2/catch.hpp>

#include "analysis/analyze.h"
#include "analysis/statement_cache.h"
#include "bench/generate.h"

using namespace lockward::analysis;

namespace {

void require_same(const Analysis& a, const Analysis& b) {
  REQUIRE(a.statements.size() == b.statements.size());
  for (std::size_t i = 0; i < a.statements.size(); ++i) {
    const Statement& x = a.statements[i];
    const Statement& y = b.statements[i];
    CHECK(x.code == y.code);
    CHECK(x.summary == y.summary);
    CHECK(x.risk == y.risk);
    REQUIRE(x.effects.size() == y.effects.size());
    for (std::size_t k = 0; k < x.effects.size(); ++k) {
      CHECK(x.effects[k].row == y.effects[k].row);
      CHECK(x.effects[k].range == y.effects[k].range);
    }
  }
  REQUIRE(a.findings.size() == b.findings.size());
  for (std::size_t i = 0; i < a.findings.size(); ++i) {
    CHECK(a.findings[i].rule == b.findings[i].rule);
    CHECK(a.findings[i].range == b.findings[i].range);
    CHECK(a.findings[i].message == b.findings[i].message);
  }
}

}  // namespace

TEST_CASE("cached analysis equals uncached analysis across edits", "[cache]") {
  std::string text = lockward::bench::generate_migration(300) +
                     "ALTER TABLE u ADD CONSTRAINT u_c_nn CHECK (c IS NOT NULL);\nALTER TABLE u ALTER COLUMN c SET NOT NULL;\n"
                     "CREATE TABLE v (a json, b varchar(10));\nALTER TABLE v ADD COLUMN c int DEFAULT random();\n";
  StatementCache cache;
  Options options;
  options.pg_version = 15;
  require_same(analyze(text, options, &cache), analyze(text, options));
  CHECK(cache.size() > 0);

  // Insert a statement near the top: every later statement moves, none is re-parsed.
  std::string edited = "CREATE INDEX extra ON t1 (c);\n" + text;
  Analysis cached = analyze(edited, options, &cache);
  CHECK(cache.hits() >= cached.statements.size() - 1);
  require_same(cached, analyze(edited, options));

  // Removing the CHECK changes how the SET NOT NULL is classified, though its text is the same.
  std::string without_check = edited;
  without_check.replace(without_check.find("ALTER TABLE u ADD CONSTRAINT"), 58, "");
  require_same(analyze(without_check, options, &cache), analyze(without_check, options));

  // A different target version empties the cache rather than reuse version-specific results.
  options.pg_version = 10;
  Analysis v10 = analyze(edited, options, &cache);
  require_same(v10, analyze(edited, options));
  // Only repeated texts within this run hit (BEGIN, COMMIT, SET …), not the PG15 entries.
  CHECK(cache.hits() < v10.statements.size() / 2);
}
