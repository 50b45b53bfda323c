// The migration set of each tool: detection, order, up/down parts and transactions, on the
// fixture folders written from each tool's documented layout (tests/fixtures/tools), and the
// pure rules on names and texts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "analysis/analyze.h"
#include "analysis/migration_set.h"
#include "server/migrations/migration_set.h"
#include "tests/support/run_binary.h"

namespace fs = std::filesystem;
namespace analysis = lockward::analysis;
using lockward::server::MigrationSet;

namespace {

const fs::path kFixtures = fs::path(LOCKWARD_SOURCE_DIR) / "tests/fixtures/tools";

std::shared_ptr<const MigrationSet> load(const std::string& folder, const std::string& configured = "") {
  return MigrationSet::load(kFixtures / folder, configured);
}

std::vector<std::string> ups(const MigrationSet& set) {
  std::vector<std::string> out;
  for (const auto& m : set.migrations()) out.push_back(m.up);
  return out;
}

std::vector<std::string> history(const MigrationSet& set, const std::string& file) {
  std::vector<std::string> out;
  for (const auto& [name, text] : set.history_before(set.root() / file)) out.push_back(name);
  return out;
}

bool in_transaction(const std::string& text, const analysis::Options& options, std::size_t statement) {
  analysis::Analysis a = analysis::analyze(text, options);
  REQUIRE(statement < a.statements.size());
  return a.statements[statement].tx.in_transaction;
}

}  // namespace

TEST_CASE("versions compare part by part as numbers", "[migration-set]") {
  CHECK(analysis::compare_versions("2", "10") < 0);
  CHECK(analysis::compare_versions("1.10", "1.2") > 0);
  CHECK(analysis::compare_versions("2_1", "2.1") == 0);
  CHECK(analysis::compare_versions("1", "1.0") == 0);
  CHECK(analysis::compare_versions("002", "2") == 0);
  CHECK(analysis::compare_versions("20240101120000", "20240101120001") < 0);
}

TEST_CASE("goose: numeric order, Down sections never in the history", "[migration-set]") {
  auto set = load("goose/migrations");
  CHECK(set->tool().tool == "goose");
  CHECK(set->tool().reason.find("+goose Up") != std::string::npos);
  CHECK(ups(*set) == std::vector<std::string>{"1_create_users.sql", "2_add_email.sql", "10_index_email.sql",
                                              "11_email_lower.sql"});
  CHECK(history(*set, "11_email_lower.sql") ==
        std::vector<std::string>{"1_create_users.sql", "2_add_email.sql", "10_index_email.sql"});
  for (const auto& [name, text] : set->history_before(set->root() / "11_email_lower.sql")) {
    INFO(name);
    CHECK(text.find("DROP") == std::string::npos);  // the Down sections are blanked
  }
  const std::string& text = *set->text("1_create_users.sql");
  const std::string up = analysis::part_text("goose", text, analysis::Part::Up);
  const std::string down = analysis::part_text("goose", text, analysis::Part::Down);
  CHECK(up.size() == text.size());
  CHECK(up.find("CREATE TABLE users") != std::string::npos);
  CHECK(up.find("DROP TABLE") == std::string::npos);
  CHECK(down.find("DROP TABLE users") == text.find("DROP TABLE users"));  // same offsets
  CHECK(down.find("CREATE TABLE") == std::string::npos);
}

TEST_CASE("goose: the Down section is analysed as the rollback, after its own Up", "[migration-set]") {
  auto set = load("goose/migrations");
  analysis::Options options;
  options.migration_tool = "goose";
  const std::string& text = *set->text("1_create_users.sql");
  analysis::Analysis a = analysis::analyze_migration(text, options, false);
  bool rollback_drop = false;
  for (const auto& f : a.findings) {
    if (f.range.begin >= text.find("DROP TABLE")) {
      CHECK(f.message.starts_with(analysis::kRollbackPrefix));
      rollback_drop = true;
    }
  }
  CHECK(rollback_drop);
  // NO TRANSACTION covers both parts; goose wraps the others.
  const std::string& concurrent = *set->text("10_index_email.sql");
  CHECK_FALSE(in_transaction(analysis::part_text("goose", concurrent, analysis::Part::Up), options, 1));
  CHECK(in_transaction(analysis::part_text("goose", text, analysis::Part::Up), options, 0));
}

TEST_CASE("dbmate: sections and transaction:false per part", "[migration-set]") {
  auto set = load("dbmate/db/migrations");
  CHECK(set->tool().tool == "dbmate");
  CHECK(set->migrations().size() == 3);
  analysis::Options options;
  options.migration_tool = "dbmate";
  const std::string& index = *set->text("20240103120000_index_email.sql");
  CHECK_FALSE(in_transaction(analysis::part_text("dbmate", index, analysis::Part::Up), options, 1));
  CHECK_FALSE(in_transaction(analysis::part_text("dbmate", index, analysis::Part::Down), options, 0));
  const std::string& users = *set->text("20240101120000_create_users.sql");
  CHECK(in_transaction(analysis::part_text("dbmate", users, analysis::Part::Down), options, 0));
}

TEST_CASE("flyway: versions as numbers, undo files are down parts, repeatables last", "[migration-set]") {
  auto set = load("flyway/sql");
  CHECK(set->tool().tool == "flyway");
  CHECK(ups(*set) == std::vector<std::string>{"V1__init.sql", "V2__create_orders.sql", "V2_1__index_orders.sql",
                                              "V10__widen_total.sql", "R__order_totals.sql"});
  CHECK(set->migrations()[1].down == "U2__create_orders.sql");
  CHECK(set->migrations()[2].in_transaction == std::optional<bool>(false));  // V2_1__….sql.conf
  CHECK_FALSE(set->migrations()[3].in_transaction);
  const auto undo = set->place(set->root() / "U2__create_orders.sql");
  CHECK(undo.member);
  CHECK(undo.down_file);
  // The undo runs after its own migration: V1 and V2 are its history.
  CHECK(history(*set, "U2__create_orders.sql") == std::vector<std::string>{"V1__init.sql", "V2__create_orders.sql"});
}

TEST_CASE("golang-migrate and sqlx: .up.sql/.down.sql pairs, numeric versions", "[migration-set]") {
  auto gm = load("golang-migrate/migrations");
  CHECK(gm->tool().tool == "golang-migrate");
  CHECK(ups(*gm) == std::vector<std::string>{"1_create_users.up.sql", "2_add_email.up.sql", "10_index_email.up.sql",
                                             "11_orders.up.sql"});
  CHECK(gm->migrations()[2].down == "10_index_email.down.sql");
  CHECK(history(*gm, "11_orders.up.sql").size() == 3);
  // The driver sends the file as one query: several statements are one implicit transaction.
  analysis::Options options;
  options.migration_tool = "golang-migrate";
  CHECK_FALSE(in_transaction("CREATE INDEX CONCURRENTLY i ON t (c);\n", options, 0));
  CHECK(in_transaction("SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON t (c);\n", options, 1));

  auto sqlx = load("sqlx/migrations", "sqlx");
  CHECK(sqlx->tool().tool == "sqlx");
  CHECK(sqlx->tool().reason == "set by migration_tool");
  CHECK(sqlx->migrations().size() == 3);
  options.migration_tool = "sqlx";
  CHECK_FALSE(in_transaction(*sqlx->text("20240103000000_index_email.up.sql"), options, 1));
  CHECK(in_transaction(*sqlx->text("20240102000000_add_email.up.sql"), options, 0));
}

TEST_CASE("prisma and diesel: a folder per migration, read from the folder above", "[migration-set]") {
  const fs::path prisma_file = kFixtures / "prisma/prisma/migrations/20240103120000_post_published/migration.sql";
  CHECK(MigrationSet::root_of(prisma_file) == (kFixtures / "prisma/prisma/migrations").lexically_normal());
  auto prisma = MigrationSet::load(MigrationSet::root_of(prisma_file), "");
  CHECK(prisma->tool().tool == "prisma");
  CHECK(history(*prisma, "20240103120000_post_published/migration.sql") ==
        std::vector<std::string>{"20240101120000_init/migration.sql", "20240102120000_add_post/migration.sql"});

  auto diesel = load("diesel/migrations");
  CHECK(diesel->tool().tool == "diesel");
  REQUIRE(diesel->migrations().size() == 4);
  CHECK(diesel->migrations()[2].up == "2024-01-02-120000_index_title/up.sql");
  CHECK(diesel->migrations()[2].down == "2024-01-02-120000_index_title/down.sql");
  CHECK(diesel->migrations()[2].in_transaction == std::optional<bool>(false));  // metadata.toml
  CHECK(diesel->place(diesel->root() / "2024-01-03-120000_posts_author/down.sql").down_file);
}

TEST_CASE("supabase, drizzle, sqitch, atlas and a plain folder", "[migration-set]") {
  auto supabase = load("supabase/supabase/migrations");
  CHECK(supabase->tool().tool == "supabase");
  CHECK(supabase->migrations().size() == 3);

  auto drizzle = load("drizzle/drizzle");
  CHECK(drizzle->tool().tool == "drizzle");
  CHECK(ups(*drizzle) == std::vector<std::string>{"0000_brave_wolf.sql", "0001_quiet_sea.sql", "0002_tall_oak.sql"});

  const fs::path sqitch_file = kFixtures / "sqitch/deploy/orders.sql";
  CHECK(MigrationSet::root_of(sqitch_file) == (kFixtures / "sqitch").lexically_normal());
  auto sqitch = load("sqitch");
  CHECK(sqitch->tool().tool == "sqitch");
  CHECK(ups(*sqitch) == std::vector<std::string>{"deploy/appschema.sql", "deploy/users.sql", "deploy/orders.sql"});
  CHECK(sqitch->migrations()[1].down == "revert/users.sql");
  CHECK_FALSE(sqitch->place(kFixtures / "sqitch/verify/users.sql").member);  // verify scripts never deploy

  auto atlas = load("atlas/migrations");
  CHECK(atlas->tool().tool == "atlas");
  CHECK(atlas->migrations().size() == 3);
  analysis::Options options;
  options.migration_tool = "atlas";
  CHECK_FALSE(in_transaction(*atlas->text("20240102120000_index.sql"), options, 1));
  CHECK(in_transaction(*atlas->text("20240101120000_init.sql"), options, 0));

  auto plain = load("none/migrations");
  CHECK(plain->tool().tool == "none");
  CHECK(plain->tool().note.empty());
  CHECK(plain->migrations().size() == 3);
}

TEST_CASE("a mixed folder gets a note, not a guess; the setting wins", "[migration-set]") {
  std::vector<analysis::FolderEntry> entries = {
      {"1_a.sql", std::string("-- +goose Up\nCREATE TABLE a (id int);\n")},
      {"V2__b.sql", std::string("CREATE TABLE b (id int);\n")},
  };
  analysis::ToolChoice mixed = analysis::detect_migration_tool(entries, "");
  CHECK(mixed.tool == "none");
  CHECK(mixed.note.find("mixed") != std::string::npos);
  CHECK(mixed.note.find("migration_tool") != std::string::npos);
  analysis::ToolChoice set = analysis::detect_migration_tool(entries, "goose");
  CHECK(set.tool == "goose");
  CHECK(set.note.empty());
  // An ORM tool orders nothing: the folder decides, the tool only its transactions.
  CHECK(analysis::detect_migration_tool(entries, "rails").tool == "none");
}

TEST_CASE("open buffers are read instead of their files", "[migration-set]") {
  const fs::path root = kFixtures / "goose/migrations";
  auto set = MigrationSet::load(root, "", [&](const fs::path& p) -> std::optional<std::string> {
    if (p.filename() == "2_add_email.sql") return std::string("-- +goose Up\nALTER TABLE users ADD COLUMN phone text;\n");
    return std::nullopt;
  });
  bool saw = false;
  for (const auto& [name, text] : set->history_before(root / "10_index_email.sql"))
    if (name == "2_add_email.sql") saw = text.find("phone") != std::string::npos;
  CHECK(saw);
}

TEST_CASE("check --changed-since reports only the files that differ from a git ref, with their history",
          "[migration-set][cli]") {
  lockward::test::TempDir d;
  d.write("m/V1__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
  d.write("m/V2__index.sql", "CREATE INDEX users_email_idx ON users (email);\n");
  const std::string in = "cd '" + d.path.string() + "' && ";
  auto git = lockward::test::run_shell(in + "git init -q . && git add -A && git -c user.email=t@example.com "
                                            "-c user.name=t commit -q -m init 2>&1");
  REQUIRE(git.code == 0);
  d.write("m/V10__drop_index.sql", "DROP INDEX users_email_idx;\n");
  auto r = lockward::test::run_shell(in + LOCKWARD_BINARY + " check --format json --changed-since HEAD m 2>&1");
  INFO(r.output);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.output);
  REQUIRE(j["files"].size() == 1);
  CHECK(j["files"][0]["path"] == "m/V10__drop_index.sql");
  CHECK(j["files"][0]["schema"]["migrations"] == 2);  // V1 and V2, in Flyway's order
  CHECK(j["files"][0]["migration"]["tool"] == "flyway");
  auto bad = lockward::test::run_shell(in + LOCKWARD_BINARY + " check --changed-since no-such-ref m 2>&1");
  CHECK(bad.code == 2);
  CHECK(bad.output.find("--changed-since") != std::string::npos);
}

namespace {

// `lockward check` run in `dir` with `stdin_cmd` piped in (a shell command line).
lockward::test::CommandResult check_piped(const fs::path& dir, const std::string& stdin_cmd, const std::string& args) {
  return lockward::test::run_shell("cd '" + dir.string() + "' && " + stdin_cmd + " | " + LOCKWARD_BINARY + " check " +
                                   args + " 2>&1");
}

nlohmann::json findings_of(const std::string& json_output) {
  auto j = nlohmann::json::parse(json_output);
  REQUIRE(j["files"].size() == 1);
  return j["files"][0]["findings"];
}

}  // namespace

TEST_CASE("check -: piped SQL gets the findings its file gets; --stdin-filename gives it its folder's set",
          "[migration-set][cli][stdin]") {
  const fs::path dir = kFixtures / "goose/migrations";
  // Named: the same tool, history and rollback as the file itself.
  auto file = lockward::test::run_lockward("check --format json '" + (dir / "2_add_email.sql").string() + "'", false);
  REQUIRE(file.code == 0);
  auto named = check_piped(dir, "cat 2_add_email.sql", "--format json --stdin-filename 2_add_email.sql -");
  INFO(named.output);
  REQUIRE(named.code == 0);
  auto j = nlohmann::json::parse(named.output);
  CHECK(j["files"][0]["path"] == "2_add_email.sql");
  CHECK(j["files"][0]["migration"]["tool"] == "goose");
  CHECK(j["files"][0]["schema"]["migrations"] == 1);
  CHECK(findings_of(named.output) == findings_of(file.output));
  // A name not on disk yet (a migration being generated) takes its place in the set.
  auto fresh = check_piped(dir, "printf -- '-- +goose Up\\nCREATE INDEX CONCURRENTLY e ON users (email);\\n'",
                           "--format json --stdin-filename 12_new.sql -");
  INFO(fresh.output);
  REQUIRE(fresh.code == 0);
  auto f = nlohmann::json::parse(fresh.output);
  CHECK(f["files"][0]["schema"]["migrations"] == 4);
  CHECK(f["files"][0]["migration"]["tool"] == "goose");
  // goose wraps the file in a transaction: CONCURRENTLY fails there.
  CHECK(f["files"][0]["findings"].dump().find("concurrently-in-transaction") != std::string::npos);
  // Unnamed: the text alone, as "<stdin>", with no history.
  auto plain = check_piped(dir, "printf 'CREATE INDEX CONCURRENTLY e ON users (email);\\n'", "--format json -");
  INFO(plain.output);
  REQUIRE(plain.code == 0);
  auto p = nlohmann::json::parse(plain.output);
  CHECK(p["files"][0]["path"] == "<stdin>");
  CHECK(p["files"][0]["findings"].dump().find("concurrently-in-transaction") == std::string::npos);
  // Mixed with files, reported in the order given.
  auto mixed = check_piped(dir, "cat 2_add_email.sql", "--format json 1_create_users.sql - 10_index_email.sql");
  INFO(mixed.output);
  REQUIRE(mixed.code == 0);
  auto m = nlohmann::json::parse(mixed.output);
  REQUIRE(m["files"].size() == 3);
  CHECK(m["files"][1]["path"] == "<stdin>");
}

TEST_CASE("check -: empty input, binary garbage, a huge input and misuse", "[migration-set][cli][stdin]") {
  lockward::test::TempDir d;
  auto empty = check_piped(d.path, "printf ''", "--ci -");
  INFO(empty.output);
  CHECK(empty.code == 0);
  CHECK(empty.output.find("standard input is empty") != std::string::npos);
  CHECK(empty.output.find("0 findings") != std::string::npos);
  // Random bytes (NULs included): syntax errors, never a crash; --ci fails on them.
  auto garbage = check_piped(d.path, "head -c 200000 /dev/urandom", "--ci --format json -");
  CHECK(garbage.code == 1);
  CHECK(garbage.output.find("syntax-error") != std::string::npos);
  // 50,000 statements (about 2 MB), each analysed.
  auto huge = check_piped(d.path, "seq 1 50000 | awk '{print \"CREATE TABLE t\" $1 \" (id bigint PRIMARY KEY);\"}'",
                          "--ci -");
  INFO(huge.output.substr(0, 2000));
  CHECK(huge.code == 0);
  CHECK(huge.output.find("coverage: 50000/50000 statements analysed") != std::string::npos);
  // Misuse is a usage error that says what to do.
  auto twice = check_piped(d.path, "printf 'SELECT 1;'", "- -");
  CHECK(twice.code == 2);
  CHECK(twice.output.find("once") != std::string::npos);
  auto name_only = lockward::test::run_lockward("check --stdin-filename x.sql '" + d.write("a.sql", "SELECT 1;") + "'");
  CHECK(name_only.code == 2);
  CHECK(name_only.output.find("--stdin-filename") != std::string::npos);
}

TEST_CASE("a tool's configuration file names the tool and its migrations folder", "[migration-set][tool-config]") {
  const fs::path configs = kFixtures / "configs";
  struct Case {
    std::string file, tool, config;
    std::vector<std::string> history;
  };
  const std::vector<Case> cases = {
      {"flyway-conf/db/sql/V2__index.sql", "flyway", "flyway.conf", {"V1__users.sql"}},
      {"flyway-toml/sql/V10__index.sql", "flyway", "flyway.toml", {"V1__users.sql", "V2__name.sql"}},
      {"sql-migrate/migrations/postgres/10_index.sql", "sql-migrate", "dbconfig.yml", {"1_users.sql", "2_email.sql"}},
      {"atlas-hcl/schema/changes/20240102000000_index.sql", "atlas", "atlas.hcl", {"20240101000000_users.sql"}},
      {"diesel-toml/db/changes/2024-01-02-000000_index_email/up.sql", "diesel", "diesel.toml",
       {"2024-01-01-000000_create_users/up.sql"}},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    const fs::path file = configs / c.file;
    auto set = MigrationSet::load(MigrationSet::root_of(file), "");
    CHECK(set->tool().tool == c.tool);
    CHECK(set->tool().reason.find(c.config) != std::string::npos);
    std::vector<std::string> names;
    for (const auto& [name, text] : set->history_before(file)) names.push_back(name);
    CHECK(names == c.history);
    // The setting still wins.
    CHECK(MigrationSet::load(MigrationSet::root_of(file), "none")->tool().tool == "none");
  }
  // sql-migrate: Down sections are the rollback; `notransaction` on the Up marker opts out.
  auto set = MigrationSet::load(configs / "sql-migrate/migrations/postgres", "");
  const std::string& text = *set->text("10_index.sql");
  CHECK(analysis::part_text("sql-migrate", text, analysis::Part::Up).find("DROP INDEX") == std::string::npos);
  analysis::Options options;
  options.migration_tool = "sql-migrate";
  CHECK_FALSE(in_transaction(text, options, 0));
  CHECK(in_transaction(*set->text("2_email.sql"), options, 0));
}

TEST_CASE("tool configuration files: the keys read, defaults, and what is not a folder", "[migration-set][tool-config]") {
  auto dirs = [](std::string_view name, std::string_view text) {
    auto c = analysis::read_tool_config(name, text);
    REQUIRE(c);
    return c->dirs;
  };
  CHECK(dirs("flyway.conf", "flyway.locations = filesystem:a, classpath:b,filesystem:c/\n") ==
        std::vector<std::string>{"a", "c"});
  CHECK(dirs("flyway.conf", "# nothing\n") == std::vector<std::string>{"sql"});
  CHECK(dirs("flyway.toml", "[flyway]\nlocations = [\"filesystem:x\", \"y\"]\n") == std::vector<std::string>{"x", "y"});
  CHECK(dirs("dbconfig.yml", "dev:\n  dir: 'm/pg'  \n") == std::vector<std::string>{"m/pg"});
  CHECK(dirs("atlas.hcl", "env {\n migration {\n  dir = \"file://a/b\"\n }\n}\n") == std::vector<std::string>{"a/b"});
  CHECK(dirs("atlas.hcl", "env { url = \"x\" }") == std::vector<std::string>{"migrations"});
  CHECK(dirs("diesel.toml", "[print_schema]\ndir = \"no\"\n[migrations_directory]\ndir = \"yes\"\n") ==
        std::vector<std::string>{"yes"});
  CHECK_FALSE(analysis::read_tool_config("other.toml", "dir = \"x\""));
  // Garbage and binary text: defaults, never a crash.
  static const char kGarbage[] = "\0\xff[migrations_directory\ndir=";
  CHECK(dirs("diesel.toml", std::string(kGarbage, sizeof kGarbage - 1)) == std::vector<std::string>{"migrations"});
}

TEST_CASE("sqitch: a reworked change runs its pre-rework script at its first place", "[migration-set][sqitch]") {
  auto set = load("sqitch-rework");
  CHECK(set->tool().tool == "sqitch");
  CHECK(ups(*set) == std::vector<std::string>{"deploy/appschema.sql", "deploy/users@v1.0.0.sql", "deploy/orders.sql",
                                              "deploy/users.sql"});
  CHECK(history(*set, "deploy/orders.sql") ==
        std::vector<std::string>{"deploy/appschema.sql", "deploy/users@v1.0.0.sql"});
  CHECK(history(*set, "deploy/users.sql") ==
        std::vector<std::string>{"deploy/appschema.sql", "deploy/users@v1.0.0.sql", "deploy/orders.sql"});
  // Each appearance's revert script is the one of its version.
  CHECK(set->migrations()[1].down == "revert/users@v1.0.0.sql");
  CHECK(set->migrations()[3].down == "revert/users.sql");
  const auto place = set->place(set->root() / "deploy/users@v1.0.0.sql");
  CHECK(place.member);
  CHECK(place.index == 1);
  // The rework sees the table its first version created.
  auto r = lockward::test::run_lockward("check --format json '" + (set->root() / "deploy/users.sql").string() + "'", false);
  auto j = nlohmann::json::parse(r.output);
  CHECK(j["files"][0]["schema"]["migrations"] == 3);
}

TEST_CASE("drizzle: CONCURRENTLY is inside drizzle-kit's one transaction, with no switch to offer",
          "[migration-set][drizzle]") {
  analysis::Options options;
  options.migration_tool = "drizzle";
  const analysis::Analysis a = analysis::analyze("CREATE INDEX CONCURRENTLY i ON t (x);\n", options);
  const analysis::Finding* found = nullptr;
  for (const auto& f : a.findings)
    if (f.rule == "concurrently-in-transaction") found = &f;
  REQUIRE(found);
  CHECK(found->message.find("every pending migration in one transaction") != std::string::npos);
  CHECK(found->help.find("outside drizzle's migrator") != std::string::npos);
  CHECK(found->help.find("goose") == std::string::npos);
  // Other tools name their own switch.
  options.migration_tool = "dbmate";
  for (const auto& f : analysis::analyze("CREATE INDEX CONCURRENTLY i ON t (x);\n", options).findings)
    if (f.rule == "concurrently-in-transaction") CHECK(f.help.find("transaction:false") != std::string::npos);
}

TEST_CASE("check: a Down section sees its history and its own Up part, as the rollback",
          "[migration-set][cli][rollback]") {
  // The rollback runs after the Up part: the index it drops is the one the Up part created, on
  // users. Each tool with sections, through the binary.
  struct Tool {
    std::string name, up, down;
  };
  for (const Tool& tool : {Tool{"goose", "-- +goose Up\n", "-- +goose Down\n"},
                           Tool{"sql-migrate", "-- +migrate Up\n", "-- +migrate Down\n"},
                           Tool{"dbmate", "-- migrate:up\n", "-- migrate:down\n"}}) {
    INFO(tool.name);
    lockward::test::TempDir d;
    d.write("m/1_init.sql", tool.up + "CREATE TABLE accounts (id bigint PRIMARY KEY);\n" + tool.down +
                                "DROP TABLE accounts;\n");
    d.write("m/2_users.sql", tool.up + "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
                                       "CREATE INDEX users_email_idx ON users (email);\n" +
                                 tool.down + "DROP INDEX users_email_idx;\n");
    auto r = lockward::test::run_shell("cd '" + d.path.string() + "' && " + LOCKWARD_BINARY +
                                       " check --format json --migration-tool " + tool.name + " m/2_users.sql 2>&1");
    INFO(r.output);
    REQUIRE(r.code != 2);
    const nlohmann::json findings = findings_of(r.output);
    bool named = false;
    for (const auto& f : findings) {
      const std::string message = f["message"];
      if (f["rule"] != "drop-index") continue;
      CHECK(message.starts_with(analysis::kRollbackPrefix));
      named = message.find("on table users") != std::string::npos;
    }
    CHECK(named);
  }
}

TEST_CASE("drizzle: the report says each file was analysed as if it ran alone in the migrator's transaction",
          "[migration-set][drizzle][cli]") {
  const std::string file = (kFixtures / "drizzle/drizzle/0002_tall_oak.sql").string();
  auto r = lockward::test::run_shell(std::string(LOCKWARD_BINARY) + " check --format json '" + file + "' 2>&1");
  INFO(r.output);
  auto j = nlohmann::json::parse(r.output);
  REQUIRE(j["files"].size() == 1);
  CHECK(j["files"][0]["migration"]["tool"] == "drizzle");
  const std::string note = j["files"][0]["migration"].value("note", std::string());
  CHECK(note.find("every pending migration in one transaction") != std::string::npos);
  CHECK(note.find("as if this file ran alone") != std::string::npos);
  // The text report shows it too; another tool's file gets no such note.
  auto text = lockward::test::run_shell(std::string(LOCKWARD_BINARY) + " check '" + file + "' 2>&1");
  CHECK(text.output.find("note: drizzle-kit migrate runs every pending migration") != std::string::npos);
  auto goose = lockward::test::run_shell(std::string(LOCKWARD_BINARY) + " check --format json '" +
                                         (kFixtures / "goose/migrations/11_email_lower.sql").string() + "' 2>&1");
  CHECK(nlohmann::json::parse(goose.output)["files"][0]["migration"].value("note", std::string()).empty());
}
