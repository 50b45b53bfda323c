// `check` and `explain` survive statements nested too deep to parse: the statement gets a
// statement-too-complex finding (which fails --ci: nothing was checked), the others theirs.
#include <catch2/catch.hpp>

#include "tests/support/deep_sql.h"
#include "tests/support/run_binary.h"

using namespace lockward::test;

TEST_CASE("check and explain report deep statements and analyse the rest", "[cli][deep]") {
  TempDir d;
  const std::vector<std::string> deep = {plus_chain(25'000), plus_chain(200'000), nested_parens(100'000),
                                         nested_subqueries(5'000), nested_case(3'000)};
  for (std::size_t i = 0; i < deep.size(); ++i) {
    INFO("deep statement " << i);
    std::string sql = "SET lock_timeout = '2s';\nCREATE INDEX i ON t (c);\n" + deep[i] + ";\nCREATE INDEX j ON t (d);\n";
    std::string file = d.write("00" + std::to_string(i) + ".sql", sql);
    CommandResult check = run_lockward("check --ci --format json " + file, false);
    CHECK(check.code == 1);  // a statement that was not checked fails CI
    CHECK(check.output.find("\"statement-too-complex\"") != std::string::npos);
    CHECK(check.output.find("\"create-index\"") != std::string::npos);
    CommandResult text = run_lockward("check " + file);
    CHECK(text.code == 0);
    // The finding is on the deep statement's line (3).
    std::size_t at = text.output.find("statement-too-complex");
    REQUIRE(at != std::string::npos);
    CHECK(text.output.substr(text.output.rfind('\n', at) + 1, 4) == "  3:");

    CommandResult explain = run_lockward("explain < " + file);
    CHECK(explain.code == 0);
    CHECK(explain.output.find("[statement-too-complex]") != std::string::npos);
    CHECK(explain.output.find("SHARE on table t") != std::string::npos);
  }
}
