// `lockward trace` of the last migration of each tool's fixture (tests/fixtures/tools) on a real
// PostgreSQL: its history is replayed in the tool's order, up parts only, with no error; and
// `lockward check` says which tool it assumed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/run_binary.h"

namespace fs = std::filesystem;
using lockward::test::run_lockward;

namespace {

const fs::path kFixtures = fs::path(LOCKWARD_SOURCE_DIR) / "tests/fixtures/tools";

}  // namespace

TEST_CASE("lockward trace of each tool's last migration replays its history with no error", "[trace][cli][migration-set]") {
  const std::vector<std::pair<std::string, std::string>> last = {
      {"goose", "goose/migrations/11_email_lower.sql"},
      {"dbmate", "dbmate/db/migrations/20240103120000_index_email.sql"},
      {"flyway", "flyway/sql/R__order_totals.sql"},
      {"golang-migrate", "golang-migrate/migrations/11_orders.up.sql"},
      {"sqlx", "sqlx/migrations/20240103000000_index_email.up.sql"},
      {"prisma", "prisma/prisma/migrations/20240103120000_post_published/migration.sql"},
      {"diesel", "diesel/migrations/2024-01-03-120000_posts_author/up.sql"},
      {"supabase", "supabase/supabase/migrations/20240103120000_profiles_website.sql"},
      {"drizzle", "drizzle/drizzle/0002_tall_oak.sql"},
      {"sqitch", "sqitch/deploy/orders.sql"},
      {"atlas", "atlas/migrations/20240103120000_orders.sql"},
      {"none", "none/migrations/003_index_email.sql"},
      {"sql-migrate", "configs/sql-migrate/migrations/postgres/10_index.sql"},
      {"sqitch", "sqitch-rework/deploy/users.sql"},
      {"diesel", "configs/diesel-toml/db/changes/2024-01-02-000000_index_email/up.sql"},
  };
  for (const auto& [tool, file] : last) {
    SECTION(file) {
      const std::string path = (kFixtures / file).string();
      auto r = run_lockward("trace --pg-version 15 '" + path + "'");
      INFO(r.output);
      CHECK(r.code == 0);
      CHECK(r.output.find("replaying") == std::string::npos);  // no replay error
      CHECK(r.output.find(" 0 errors") != std::string::npos);
      auto c = run_lockward("check --format json '" + path + "'", false);
      INFO(c.output);
      auto j = nlohmann::json::parse(c.output);
      CHECK(j["files"][0]["migration"]["tool"] == tool);
      CHECK(j["files"][0]["migration"]["part"] == "up");
    }
  }
}

TEST_CASE("lockward trace of a folder runs its up parts in the tool's order, never a down part", "[trace][cli][migration-set]") {
  // Name order would run 10_ before 2_ (no email column yet) and the down files as migrations.
  auto r = run_lockward("trace --pg-version 15 '" + (kFixtures / "golang-migrate/migrations").string() + "'");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(r.output.find("a down migration") != std::string::npos);
  CHECK(r.output.find(" 0 errors") != std::string::npos);
  // goose: each file's Down section is not run after its Up.
  auto g = run_lockward("trace --pg-version 15 '" + (kFixtures / "goose/migrations").string() + "'");
  INFO(g.output);
  CHECK(g.code == 0);
  CHECK(g.output.find(" 0 errors") != std::string::npos);
  CHECK(g.output.find("DROP TABLE") == std::string::npos);
}
