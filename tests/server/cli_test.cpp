// The CLI as a user and a CI job meet it: exit codes, report formats, configuration errors.
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/run_binary.h"
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using lockward::test::TempDir;

lockward::test::CommandResult run(const std::string& args, bool with_stderr = true) {
  return lockward::test::run_lockward(args, with_stderr);
}

const char* kRisky = "SET lock_timeout = '2s';\nCREATE INDEX users_email_idx ON users (email);\n";
const char* kClean = "SET lock_timeout = '2s';\nCREATE TABLE t (id bigint);\n";

}  // namespace

TEST_CASE("exit codes: 0 clean, 1 above --max-risk with --ci, 2 usage and I/O errors", "[cli]") {
  TempDir d;
  std::string risky = d.write("001.sql", kRisky), clean = d.write("002.sql", kClean);
  CHECK(run("check " + clean).code == 0);
  CHECK(run("check --ci " + clean).code == 0);
  CHECK(run("check " + risky).code == 0);  // findings alone do not fail without --ci
  CHECK(run("check --ci --max-risk low " + risky).code == 1);
  CHECK(run("check --ci --max-risk high " + risky).code == 0);
  CHECK(run("check --ci " + d.write("003.sql", "ALTER TABLE t ADD COLUMN (;")).code == 1);  // syntax error
  auto missing = run("check " + (d.path / "nope.sql").string());
  CHECK(missing.code == 2);
  CHECK(missing.output.find("nope.sql") != std::string::npos);
  CHECK(missing.output.find("PostgreSQL 0") == std::string::npos);  // no file analysed, no version claimed
  CHECK(run("check --format yaml " + clean).code == 2);
  CHECK(run("check --pg-version 9 " + clean).code == 2);
  CHECK(run("frobnicate").code == 2);
  CHECK(run("check " + (d.path / "*.nothing").string()).code == 2);
}

TEST_CASE("directories are checked in name order", "[cli]") {
  TempDir d;
  d.write("m/002_b.sql", kRisky);
  d.write("m/001_a.sql", kClean);
  auto r = run("check --format json " + (d.path / "m").string(), false);
  json j = json::parse(r.output);
  REQUIRE(j["files"].size() == 2);
  CHECK(j["files"][0]["path"].get<std::string>().ends_with("001_a.sql"));
  CHECK(j["files"][1]["path"].get<std::string>().ends_with("002_b.sql"));
}

TEST_CASE("json report: versioned, with statements, locks and findings", "[cli][report]") {
  TempDir d;
  std::string f = d.write("001.sql", kRisky);
  json j = json::parse(run("check --format json --pg-version 15 " + f, false).output);
  CHECK(j["schema_version"] == 1);
  CHECK(j["tool"]["name"] == "lockward");
  CHECK(j["pg_version"] == 15);
  const json& file = j["files"][0];
  CHECK(file["coverage"]["statements"] == 2);
  CHECK(file["statements"][1]["locks"][0]["mode"] == "SHARE");
  CHECK(file["statements"][1]["locks"][0]["blocks"][0] == "INSERT/UPDATE/DELETE");
  bool index = false;
  for (const auto& fd : file["findings"]) {
    if (fd["rule"] != "create-index") continue;
    index = true;
    CHECK(fd["range"]["start"]["line"] == 2);
    CHECK(fd["range"]["start"]["column"] == 1);
    CHECK(fd["fixes"][0]["new_text"] == "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)");
  }
  CHECK(index);
}

TEST_CASE("sarif report: the required 2.1.0 fields, 1-based regions", "[cli][report]") {
  TempDir d;
  std::string f = d.write("001.sql", kRisky);
  json s = json::parse(run("check --format sarif " + f, false).output);
  CHECK(s["version"] == "2.1.0");
  CHECK(s.contains("$schema"));
  REQUIRE(s["runs"].size() == 1);
  const json& run0 = s["runs"][0];
  CHECK(run0["tool"]["driver"]["name"] == "lockward");
  CHECK(run0["tool"]["driver"]["rules"].size() > 100);
  bool found = false;
  for (const auto& r : run0["results"]) {
    CHECK(r.contains("ruleId"));
    CHECK(r["message"].contains("text"));
    CHECK(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f);
    CHECK(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1);
    CHECK(r["locations"][0]["physicalLocation"]["region"]["startColumn"] >= 1);
    if (r["ruleId"] == "create-index") {
      found = true;
      CHECK(r["level"] == "warning");
      CHECK(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 2);
    }
  }
  CHECK(found);
}

TEST_CASE("gitlab and github reports", "[cli][report]") {
  TempDir d;
  std::string f = d.write("001.sql", kRisky);
  json g = json::parse(run("check --format gitlab " + f, false).output);
  REQUIRE(g.is_array());
  REQUIRE_FALSE(g.empty());
  std::set<std::string> fingerprints;
  for (const auto& issue : g) {
    CHECK(issue["location"]["path"] == f);
    CHECK(issue["location"]["lines"]["begin"] >= 1);
    CHECK(fingerprints.insert(issue["fingerprint"].get<std::string>()).second);
  }
  // Fingerprints are stable across runs.
  CHECK(json::parse(run("check --format gitlab " + f, false).output)[0]["fingerprint"] == g[0]["fingerprint"]);
  std::string md = run("check --format github " + f, false).output;
  CHECK(md.find("## lockward: migration locks (PostgreSQL 17)") != std::string::npos);
  CHECK(md.find("```sql") != std::string::npos);
  CHECK(md.find("CREATE INDEX CONCURRENTLY") != std::string::npos);
}

TEST_CASE("github-actions: one workflow command per finding, escaped, and a summary", "[cli][report]") {
  TempDir d;
  std::string f = d.write("001, first.sql", kRisky);  // a comma in the path: escaped in the property
  auto r = run("check --format github-actions '" + f + "'", false);
  INFO(r.output);
  std::istringstream lines(r.output);
  std::string line;
  std::size_t annotations = 0;
  bool warning = false, notice = false, create_index = false;
  std::string summary;
  while (std::getline(lines, line)) {
    if (line.rfind("::", 0) != 0) {
      summary = line;
      continue;
    }
    ++annotations;
    warning = warning || line.rfind("::warning file=", 0) == 0;  // MEDIUM
    notice = notice || line.rfind("::notice file=", 0) == 0;     // LOW
    CHECK(line.find("001%2C first.sql") != std::string::npos);
    CHECK(line.find(",line=") != std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    if (line.find("title=lockward create-index::") != std::string::npos) {
      create_index = true;
      CHECK(line.find("%0AUse CONCURRENTLY") != std::string::npos);  // the help on its own line
    }
  }
  CHECK(annotations == 2);
  CHECK(warning);
  CHECK(notice);
  CHECK(create_index);
  CHECK(summary == "lockward: 2 findings in 1 file, 0 above HIGH");
}

TEST_CASE("configuration: found walking up, overridden by flags, errors name file, line and key", "[cli][config]") {
  TempDir d;
  d.write(".lockward.toml", "pg_version = 12\nmigration_tool = \"goose\"\n[rules]\nmissing-statement-timeout = \"off\"\n");
  std::string f = d.write("db/migrations/001.sql", "CREATE INDEX CONCURRENTLY i ON t (c);\n");
  json j = json::parse(run("check --format json " + f, false).output);
  CHECK(j["pg_version"] == 12);
  bool in_tx = false, statement_timeout = false;
  for (const auto& fd : j["files"][0]["findings"]) {
    if (fd["rule"] == "concurrently-in-transaction") in_tx = true;  // goose wraps the file
    if (fd["rule"] == "missing-statement-timeout") statement_timeout = true;
  }
  CHECK(in_tx);
  CHECK_FALSE(statement_timeout);
  CHECK(json::parse(run("check --format json --pg-version 16 " + f, false).output)["pg_version"] == 16);

  d.write(".lockward.toml", "pg_version = \"twelve\"\nunknown_key = 1\n[rules]\nno-such-rule = \"off\"\n");
  auto bad = run("check " + f);
  CHECK(bad.code == 2);
  CHECK(bad.output.find(".lockward.toml:1:") != std::string::npos);
  CHECK(bad.output.find("key `pg_version`: expected an integer from 10 to 18") != std::string::npos);
  CHECK(bad.output.find("unknown key `unknown_key`") != std::string::npos);
  CHECK(bad.output.find("rules.no-such-rule") != std::string::npos);
  d.write(".lockward.toml", "pg_version = [\n");
  CHECK(run("check " + f).code == 2);
  CHECK(run("check --config " + (d.path / "missing.toml").string() + " " + f).code == 2);
}

TEST_CASE("stats and snapshot files raise risk and decide rewrites; bad ones name the JSON path", "[cli][config]") {
  TempDir d;
  std::string f = d.write("001.sql", "SET lock_timeout = '2s';\nCREATE INDEX i ON orders (c);\n");
  std::string stats = d.write("stats.json", R"({"tables": [{"schema": "public", "table": "orders", "rows": 50000000}]})");
  json j = json::parse(run("check --format json --stats-file " + stats + " " + f, false).output);
  bool critical = false;
  for (const auto& fd : j["files"][0]["findings"])
    if (fd["rule"] == "create-index" && fd["risk"] == "CRITICAL" && fd["base_risk"] == "MEDIUM") critical = true;
  CHECK(critical);
  std::string bad = d.write("bad.json", R"({"tables": [{"table": 5}]})");
  auto r = run("check --stats-file " + bad + " " + f);
  CHECK(r.code == 2);
  CHECK(r.output.find("$.tables[0].table: expected a string") != std::string::npos);

  std::string snap = d.write("snap.json", R"J({"version": 1, "tables": [{"schema": "public", "name": "orders",
      "columns": [{"name": "note", "type": "character varying(20)", "not_null": false}]}]})J");
  std::string widen = d.write("002.sql", "SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN note TYPE varchar(50);\n");
  std::string with = run("check --snapshot " + snap + " " + widen, false).output;
  CHECK(with.find("alter-column-type-no-rewrite") != std::string::npos);
  std::string without = run("check " + widen, false).output;
  CHECK(without.find("uncertain") != std::string::npos);
}

TEST_CASE("explain and rules", "[cli]") {
  auto e = run("explain \"CREATE INDEX i ON users (email)\"", false);
  CHECK(e.code == 0);
  CHECK(e.output.find("SHARE on table users") != std::string::npos);
  CHECK(e.output.find("CONCURRENTLY") != std::string::npos);
  auto rules = run("rules", false);
  CHECK(rules.output.find("missing-lock-timeout") != std::string::npos);
  CHECK(rules.output.find("add-column-volatile-default") != std::string::npos);
}

TEST_CASE("migration tool and assume-in-transaction flags decide the wrapping", "[cli]") {
  TempDir d;
  std::string f = d.write("001.sql", "CREATE INDEX CONCURRENTLY i ON t (c);\n");
  auto flagged = [&](const std::string& flags) {
    return run("check " + flags + " " + f, false).output.find("concurrently-in-transaction") != std::string::npos;
  };
  CHECK_FALSE(flagged(""));
  CHECK(flagged("--migration-tool goose"));
  CHECK(flagged("--assume-in-transaction"));
  CHECK_FALSE(flagged("--migration-tool goose --no-assume-in-transaction"));
  CHECK_FALSE(flagged("--migration-tool golang-migrate"));
}

TEST_CASE("check reads a file's history from its folder; a folder equals each file with its history", "[cli][schema]") {
  TempDir d;
  d.write("m/001_init.sql",
          "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(50));\n"
          "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n");
  d.write("m/002_index.sql", "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n");
  d.write("m/003_change.sql",
          "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN email TYPE varchar(200);\n"
          "DROP INDEX users_email_idx;\nDROP TABLE IF EXISTS never_created;\n");
  d.write("m/004_drop.sql", "SET lock_timeout = '2s';\nDROP TABLE orders;\n");
  d.write("m/notes.txt", "not a migration");

  auto locks_of = [](const json& file) {
    std::vector<std::string> out;
    for (const auto& s : file["statements"])
      for (const auto& l : s["locks"]) out.push_back(l["object"].get<std::string>() + " " + l["mode"].get<std::string>());
    return out;
  };
  const std::string third = (d.path / "m" / "003_change.sql").string();
  json alone = json::parse(run("check --format json " + third, false).output);
  REQUIRE(alone["files"].size() == 1);
  std::vector<std::string> locks = locks_of(alone["files"][0]);
  // DROP INDEX locks the index's table (from 002); the widening is no rewrite (the type from 001).
  CHECK(std::count(locks.begin(), locks.end(), "users ACCESS EXCLUSIVE") == 2);
  std::set<std::string> rules;
  for (const auto& f : alone["files"][0]["findings"]) rules.insert(f["rule"].get<std::string>());
  CHECK(rules.count("alter-column-type-no-rewrite") == 1);
  CHECK(rules.count("alter-column-type") == 0);
  CHECK(rules.count("drop-table") == 0);  // IF EXISTS of a table no migration created

  json fourth = json::parse(run("check --format json " + (d.path / "m" / "004_drop.sql").string(), false).output);
  std::vector<std::string> drop_locks = locks_of(fourth["files"][0]);
  CHECK(std::count(drop_locks.begin(), drop_locks.end(), "users ACCESS EXCLUSIVE") == 1);  // the referenced table

  json folder = json::parse(run("check --format json " + (d.path / "m").string(), false).output);
  REQUIRE(folder["files"].size() == 4);
  CHECK(folder["files"][2] == alone["files"][0]);
  CHECK(folder["files"][3] == fourth["files"][0]);

  json without = json::parse(run("check --no-history --format json " + third, false).output);
  std::set<std::string> without_rules;
  for (const auto& f : without["files"][0]["findings"]) without_rules.insert(f["rule"].get<std::string>());
  CHECK(without_rules.count("drop-table") == 1);  // not known to be absent
}

TEST_CASE("UNKNOWN reads the same in every format, and fails CI only when asked", "[cli][report][coverage]") {
  TempDir d;
  // A DO block's locks are unknown; nothing else in the file is risky.
  std::string f = d.write("001.sql", "SET lock_timeout = '2s';\nDO $$ BEGIN EXECUTE 'LOCK TABLE ' || 't'; END $$;\n");
  auto text = run("check --no-color " + f, false);
  CHECK(text.output.find("UNKNOWN") != std::string::npos);
  CHECK(text.output.find("unknown-lock") != std::string::npos);
  CHECK(text.output.find("SAFE") == std::string::npos);  // neither the file nor a finding reads SAFE

  json j = json::parse(run("check --format json " + f, false).output);
  const json& file = j["files"][0];
  CHECK(file["max_risk"] == "UNKNOWN");
  CHECK(file["statements"][1]["risk"] == "UNKNOWN");
  bool found = false;
  for (const auto& fd : file["findings"]) {
    if (fd["rule"] != "unknown-lock") continue;
    found = true;
    CHECK(fd["risk"] == "UNKNOWN");
    CHECK(fd["severity"] == "warning");
    CHECK(fd["help"].get<std::string>().find("lockward trace") != std::string::npos);
  }
  CHECK(found);

  json s = json::parse(run("check --format sarif " + f, false).output);
  found = false;
  for (const auto& r : s["runs"][0]["results"]) {
    if (r["ruleId"] != "unknown-lock") continue;
    found = true;
    CHECK(r["level"] == "warning");
    CHECK(r["properties"]["risk"] == "UNKNOWN");
  }
  CHECK(found);

  json g = json::parse(run("check --format gitlab " + f, false).output);
  found = false;
  for (const auto& issue : g) {
    if (issue["check_name"] != "unknown-lock") continue;
    found = true;
    CHECK(issue["severity"] == "major");
  }
  CHECK(found);

  std::string md = run("check --format github " + f, false).output;
  CHECK(md.find("**UNKNOWN** `unknown-lock`") != std::string::npos);
  std::string actions = run("check --format github-actions " + f, false).output;
  CHECK(actions.find("::warning file=") != std::string::npos);
  CHECK(actions.find("title=lockward unknown-lock::") != std::string::npos);
  CHECK(actions.find("UNKNOWN") != std::string::npos);

  // A warning, not a failure, unless asked.
  CHECK(run("check --ci " + f).code == 0);
  CHECK(run("check --ci --max-risk low " + f).code == 0);
  CHECK(run("check --ci --max-risk safe " + f).code == 1);
  CHECK(run("check --ci --fail-on-unknown " + f).code == 1);
  CHECK(run("check --ci --max-risk unknown " + f).code == 2);  // not a threshold
  d.write(".lockward.toml", "fail_on_unknown = true\n");
  CHECK(run("check --ci " + f).code == 1);
}

TEST_CASE("explain: a DO block's locks are those of the statements in its body", "[cli][do]") {
  auto e = run("explain \"DO \\$\\$ BEGIN ALTER TABLE t ALTER COLUMN c TYPE bigint; CREATE INDEX ON u (c); END \\$\\$\"", false);
  INFO(e.output);
  CHECK(e.output.find("ACCESS EXCLUSIVE on table t") != std::string::npos);
  CHECK(e.output.find("SHARE on table u") != std::string::npos);
  CHECK(e.output.find("risk CRITICAL") != std::string::npos);
  CHECK(e.output.find("[alter-column-type]") != std::string::npos);
  CHECK(e.output.find("unknown-lock") == std::string::npos);
}

TEST_CASE("explain: an unknown statement says so, a syntax error makes no lock or risk claim", "[cli][coverage]") {
  auto e = run("explain \"ALTER VIEW v RENAME TO w; DO \\$\\$BEGIN EXECUTE x; END\\$\\$; ALTER TABLE t ADD COLUMN (\"", false);
  INFO(e.output);
  CHECK(e.output.find("ACCESS EXCLUSIVE on view v") != std::string::npos);
  CHECK(e.output.find("locks unknown") != std::string::npos);
  CHECK(e.output.find("risk UNKNOWN") != std::string::npos);
  CHECK(e.output.find("not analysed: the statement does not parse") != std::string::npos);
  CHECK(e.output.find("risk SAFE") == std::string::npos);
  CHECK(e.output.find("takes no table lock") == std::string::npos);
}
