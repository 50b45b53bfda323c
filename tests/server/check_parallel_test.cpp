// `lockward check` analyses files (and a large file's statements) on several threads; what it
// prints must not depend on how many.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "bench/generate.h"
#include "tests/support/run_binary.h"

using lockward::test::TempDir;

namespace {

lockward::test::CommandResult check(const std::string& args) { return lockward::test::run_lockward("check " + args, false); }

}  // namespace

TEST_CASE("check prints the same report, files in name order, whatever the number of threads", "[cli][parallel]") {
  TempDir d;
  // Files of different sizes finish in another order than they start; one is large enough to
  // have its statements parsed in parallel, one cannot be read.
  const std::string text = lockward::bench::generate_migration(400);
  for (int i = 0; i < 60; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "m/%03d_step.sql", i);
    d.write(name, text.substr(0, static_cast<std::size_t>(200 + (i * 977) % 20000)));
  }
  d.write("m/030_large.sql", lockward::bench::generate_migration(8000));
  d.write("m/031_broken.sql", "ALTER TABLE t ADD COLUMN (;\nCREATE INDEX i ON t (c);\n");
  const std::string folder = (d.path / "m").string();

  for (const char* format : {"text", "json", "sarif", "gitlab", "github", "github-actions"}) {
    INFO(format);
    auto one = check(std::string("--format ") + format + " -j 1 " + folder);
    auto four = check(std::string("--format ") + format + " -j 4 " + folder);
    CHECK(one.code == four.code);
    CHECK(one.output.size() > 1000);
    CHECK(one.output == four.output);
  }
  auto j = nlohmann::json::parse(check("--format json -j 4 " + folder).output);
  REQUIRE(j["files"].size() == 62);
  for (std::size_t i = 1; i < j["files"].size(); ++i)
    CHECK(j["files"][i - 1]["path"].get<std::string>() < j["files"][i]["path"].get<std::string>());
}
