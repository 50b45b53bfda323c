// `lockward trace --format …` as a CI job reads it: every check format plus each statement's
// verdict, the trace's own findings and errors at their lines, and the run's coverage.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/run_binary.h"

using lockward::test::run_lockward;
using lockward::test::TempDir;
using nlohmann::json;

namespace {

// A confirmed CREATE INDEX, then an INSERT whose trigger takes an EXCLUSIVE lock on u no
// prediction covers (a DO block or a SELECT of the function would not do: their locks are UNKNOWN, and
// the trace's verdict "observed").
std::string write_mixed(const TempDir& dir) {
  dir.write("m/001_t.sql",
            "CREATE TABLE t (c int);\nCREATE TABLE u (c int);\n"
            "CREATE FUNCTION lock_t() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN LOCK TABLE u IN EXCLUSIVE MODE; "
            "RETURN NEW; END $$;\n"
            "CREATE TRIGGER t_lock BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION lock_t();\n");
  return dir.write("m/002_index.sql",
                   "SET lock_timeout = '2s';\n"
                   "CREATE INDEX t_c_idx ON t (c);\n"
                   "INSERT INTO t VALUES (1);\n");
}

// Statement 3 fails at `nope` (line 3, column 8).
std::string write_failing(const TempDir& dir) {
  return dir.write("001.sql", "CREATE TABLE t (c int);\nALTER TABLE t ADD COLUMN d int;\nSELECT nope FROM t;\n");
}

const json* find_rule(const json& list, const std::string& key, const std::string& rule) {
  for (const auto& item : list)
    if (item.value(key, "") == rule) return &item;
  return nullptr;
}

}  // namespace

TEST_CASE("trace --format json: verdicts per statement, trace findings and the coverage block", "[trace][cli][report]") {
  TempDir dir;
  std::string file = write_mixed(dir);
  auto r = run_lockward("trace --pg-version 15 --format json " + file, false);
  INFO(r.output);
  CHECK(r.code == 0);
  json j = json::parse(r.output);
  CHECK(j["schema_version"] == 1);
  CHECK(j["kind"] == "trace");
  CHECK(j["pg_version"] == 15);
  const json& c = j["coverage"];
  CHECK(c["statements"] == 3);
  CHECK(c["verified"] == 2);
  CHECK(c["confirmed"] == 1);
  CHECK(c["mismatches"] == 1);
  CHECK(c["trace_only"] == 1);
  CHECK(c["errors"] == 0);
  CHECK(c["provider"].get<std::string>().rfind("local (", 0) == 0);
  CHECK(c["server_version"].get<std::string>().rfind("15", 0) == 0);
  CHECK(c["lifetime_seconds"].get<double>() > 0);

  REQUIRE(j["files"].size() == 1);
  const json& f = j["files"][0];
  CHECK(f["path"] == file);
  CHECK(f["max_risk"] == "HIGH");
  CHECK(f["statements"][0]["verification"]["status"] == "no-locks");
  const json& index = f["statements"][1]["verification"];
  CHECK(index["status"] == "confirmed");
  REQUIRE(index["locks"].size() == 1);
  CHECK(index["locks"][0]["object"] == "t");
  CHECK(index["locks"][0]["predicted"] == "SHARE");
  CHECK(index["locks"][0]["observed"] == "SHARE");
  CHECK(index["rewrite"]["observed"] == false);
  CHECK(index["method"] == "in-transaction");
  CHECK(index["duration_ms"].get<double>() >= 0);
  const json& lock = f["statements"][2]["verification"];
  CHECK(lock["status"] == "mismatch");
  CHECK(lock["detail"].get<std::string>().find("observed EXCLUSIVE") != std::string::npos);
  const json* on_u = nullptr;
  for (const json& l : lock["locks"])
    if (l["object"] == "u" || l["object"] == "public.u") on_u = &l;
  REQUIRE(on_u);
  CHECK((*on_u)["predicted"].is_null());
  CHECK((*on_u)["observed"] == "EXCLUSIVE");

  const json* create_index = find_rule(f["findings"], "rule", "create-index");
  REQUIRE(create_index);
  CHECK((*create_index)["source"] == "analysis");
  const json* unexpected = find_rule(f["findings"], "rule", "trace-unexpected-lock");
  REQUIRE(unexpected);
  CHECK((*unexpected)["source"] == "trace");
  CHECK((*unexpected)["risk"] == "HIGH");
  CHECK((*unexpected)["range"]["start"]["line"] == 3);
  const json* mismatch = find_rule(f["findings"], "rule", "trace-mismatch");
  REQUIRE(mismatch);
  CHECK((*mismatch)["severity"] == "error");
  CHECK((*mismatch)["statement"] == 2);

  // --ci decides on the trace, not on the format.
  for (const char* format : {"text", "json", "sarif", "github", "github-actions", "gitlab"})
    CHECK(run_lockward("trace --pg-version 15 --ci --format " + std::string(format) + " " + file).code == 1);
}

TEST_CASE("trace --format sarif: SARIF 2.1.0 with verdicts in properties and the coverage on the run", "[trace][cli][report]") {
  TempDir dir;
  std::string file = write_mixed(dir);
  auto r = run_lockward("trace --pg-version 15 --format sarif " + file, false);
  INFO(r.output);
  CHECK(r.code == 0);
  json s = json::parse(r.output);
  CHECK(s["version"] == "2.1.0");
  CHECK(s.contains("$schema"));
  REQUIRE(s["runs"].size() == 1);
  const json& run0 = s["runs"][0];
  CHECK(run0["tool"]["driver"]["name"] == "lockward");
  CHECK(find_rule(run0["tool"]["driver"]["rules"], "id", "trace-mismatch"));
  CHECK(find_rule(run0["tool"]["driver"]["rules"], "id", "create-index"));
  for (const auto& result : run0["results"]) {
    CHECK(result.contains("ruleId"));
    CHECK(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file);
    CHECK(result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1);
  }
  const json* index = find_rule(run0["results"], "ruleId", "create-index");
  REQUIRE(index);
  CHECK((*index)["properties"]["verification"] == "confirmed");
  CHECK((*index)["properties"]["observedLocks"] == json::array({"SHARE t"}));
  const json* mismatch = find_rule(run0["results"], "ruleId", "trace-mismatch");
  REQUIRE(mismatch);
  CHECK((*mismatch)["level"] == "error");
  CHECK((*mismatch)["locations"][0]["physicalLocation"]["region"]["startLine"] == 3);
  CHECK((*mismatch)["properties"]["verification"] == "mismatch");
  CHECK(find_rule(run0["results"], "ruleId", "trace-unexpected-lock"));
  CHECK(run0["properties"]["pgVersion"] == 15);
  CHECK(run0["properties"]["coverage"]["mismatches"] == 1);
  CHECK(run0["properties"]["coverage"]["traceOnly"] == 1);
  CHECK(run0["properties"]["coverage"]["provider"].get<std::string>().rfind("local (", 0) == 0);
}

TEST_CASE("trace --format github and gitlab carry the verdicts and the trace findings", "[trace][cli][report]") {
  TempDir dir;
  std::string file = write_mixed(dir);
  auto md = run_lockward("trace --pg-version 15 --format github " + file, false);
  INFO(md.output);
  CHECK(md.code == 0);
  CHECK(md.output.rfind("## lockward: trace (PostgreSQL 15", 0) == 0);
  CHECK(md.output.find("| 2 | `CREATE INDEX t_c_idx ON t (c)` | SHARE t | SHARE t | ✅ Confirmed |") != std::string::npos);
  CHECK(md.output.find("❌ Mismatch") != std::string::npos);
  CHECK(md.output.find("`trace-unexpected-lock` (line 3)") != std::string::npos);
  CHECK(md.output.find("**Coverage:** 3 statements") != std::string::npos);

  auto gl = run_lockward("trace --pg-version 15 --format gitlab " + file, false);
  INFO(gl.output);
  json issues = json::parse(gl.output);
  REQUIRE(issues.is_array());
  const json* unexpected = find_rule(issues, "check_name", "trace-unexpected-lock");
  REQUIRE(unexpected);
  CHECK((*unexpected)["severity"] == "critical");
  CHECK((*unexpected)["location"]["lines"]["begin"] == 3);
  CHECK(find_rule(issues, "check_name", "create-index"));

  auto ga = run_lockward("trace --pg-version 15 --format github-actions " + file, false);
  INFO(ga.output);
  CHECK(ga.output.find("title=lockward trace-unexpected-lock::") != std::string::npos);
  const std::size_t index = ga.output.find("title=lockward create-index::");
  REQUIRE(index != std::string::npos);
  CHECK(ga.output.find("%0AConfirmed by trace on PostgreSQL 15", index) < ga.output.find('\n', index));
  CHECK(ga.output.find("lockward trace: ") != std::string::npos);
}

TEST_CASE("a statement PostgreSQL rejects is reported at its line in every format", "[trace][cli][report]") {
  TempDir dir;
  std::string file = write_failing(dir);

  auto text = run_lockward("trace --pg-version 15 " + file, false);
  INFO(text.output);
  CHECK(text.output.find("line 3:8: column \"nope\" does not exist") != std::string::npos);
  CHECK(text.output.find("0 mismatches, 0 trace-only, 1 errors") != std::string::npos);

  json j = json::parse(run_lockward("trace --pg-version 15 --format json " + file, false).output);
  const json& v = j["files"][0]["statements"][2]["verification"];
  CHECK(v["status"] == "error");
  CHECK(v["error"]["message"] == "column \"nope\" does not exist");
  CHECK(v["error"]["sqlstate"] == "42703");
  CHECK(v["error"]["range"]["start"]["line"] == 3);
  CHECK(v["error"]["range"]["start"]["column"] == 8);
  const json* error = find_rule(j["files"][0]["findings"], "rule", "trace-error");
  REQUIRE(error);
  CHECK((*error)["range"]["start"]["line"] == 3);
  CHECK(j["coverage"]["errors"] == 1);

  json s = json::parse(run_lockward("trace --pg-version 15 --format sarif " + file, false).output);
  const json* result = find_rule(s["runs"][0]["results"], "ruleId", "trace-error");
  REQUIRE(result);
  CHECK((*result)["level"] == "error");
  CHECK((*result)["locations"][0]["physicalLocation"]["region"]["startLine"] == 3);
  CHECK((*result)["locations"][0]["physicalLocation"]["region"]["startColumn"] == 8);

  json gl = json::parse(run_lockward("trace --pg-version 15 --format gitlab " + file, false).output);
  const json* issue = find_rule(gl, "check_name", "trace-error");
  REQUIRE(issue);
  CHECK((*issue)["location"]["lines"]["begin"] == 3);

  std::string md = run_lockward("trace --pg-version 15 --format github " + file, false).output;
  CHECK(md.find("`trace-error` (line 3)") != std::string::npos);
}

TEST_CASE("trace --format refuses an unknown format before starting a cluster", "[trace][cli]") {
  TempDir dir;
  std::string file = dir.write("001.sql", "SELECT 1;\n");
  auto r = run_lockward("trace --format yaml " + file);
  CHECK(r.code == 2);
  CHECK(r.output.find("--format") != std::string::npos);
}
