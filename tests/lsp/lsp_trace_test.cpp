// Trace from the editor, end to end: the real `lockward lsp` binary, a real local cluster.
#include <catch2/catch.hpp>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/lsp_process.h"
#include "tests/support/run_binary.h"
#include "trace/local_cluster.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"

using lockward::test::Json;
using lockward::test::LspProcess;
namespace trace = lockward::trace;
namespace fs = std::filesystem;

namespace {

struct Folder {
  fs::path dir;
  Folder() {
    char tmpl[] = "/tmp/lockward-lsp-trace-XXXXXX";
    dir = mkdtemp(tmpl);
    std::ofstream(dir / "001_users.sql") << "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n";
  }
  ~Folder() { fs::remove_all(dir); }
  std::string uri(const std::string& name) const { return "file://" + (dir / name).string(); }
};

std::string message_of(const Json& diagnostics, const std::string& code) {
  for (const auto& d : diagnostics)
    if (d["code"] == code) return d["message"];
  return {};
}

// Runs lockward.trace and answers the client-side requests it makes; returns the reply.
Json run_trace(LspProcess& lsp, const std::string& uri, std::vector<Json>* progress = nullptr) {
  static long id = 9000;
  long my_id = ++id;
  lsp.send(Json{{"jsonrpc", "2.0"}, {"id", my_id}, {"method", "workspace/executeCommand"},
                {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})}}}});
  std::vector<Json> others;
  for (;;) {
    auto m = lsp.read_next(30000);
    REQUIRE(m);
    if (m->contains("id") && (*m)["id"] == my_id && !m->contains("method")) {
      for (auto& o : others) lsp.keep(o);
      return *m;
    }
    if (m->value("method", "") == "window/workDoneProgress/create") {
      lsp.send(Json{{"jsonrpc", "2.0"}, {"id", (*m)["id"]}, {"result", nullptr}});
    } else if (m->value("method", "") == "$/progress" && progress) {
      progress->push_back((*m)["params"]["value"]);
    } else {
      others.push_back(*m);
    }
  }
}

}  // namespace

TEST_CASE("lsp trace: progress, upgraded diagnostics, edits, re-trace, exit", "[lsp][trace][e2e]") {
  Folder folder;
  std::string text = "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text;\nCREATE INDEX users_email_idx ON users (email);\n";
  std::string uri = folder.uri("002_change.sql");
  int postmaster = 0;
  // A state directory of our own: no warm cluster of another test is reused or stopped.
  char state_tmpl[] = "/tmp/lockward-lsp-state-XXXXXX";
  fs::path state = mkdtemp(state_tmpl);
  setenv("LOCKWARD_STATE_DIR", state.c_str(), 1);
  {
    LspProcess lsp;
    lsp.initialize(Json{{"window", {{"workDoneProgress", true}}}}, Json{{"pgVersion", 15}});
    lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
    REQUIRE(lsp.wait_notification("textDocument/publishDiagnostics"));

    std::vector<Json> progress;
    Json first = run_trace(lsp, uri, &progress);
    INFO(first.dump());
    REQUIRE(first.contains("result"));
    CHECK(first["result"]["confirmed"] == 2);
    CHECK(first["result"]["mismatches"] == 0);
    REQUIRE(progress.size() >= 3);
    CHECK(progress.front()["kind"] == "begin");
    CHECK(progress.back()["kind"] == "end");

    auto upgraded = lsp.wait_notification("textDocument/publishDiagnostics");
    REQUIRE(upgraded);
    Json diags = (*upgraded)["params"]["diagnostics"];
    CHECK(message_of(diags, "create-index").find("✓ Confirmed by trace on PostgreSQL 15") != std::string::npos);
    CHECK(message_of(diags, "add-column").find("✓ Confirmed") != std::string::npos);

    // Hover shows the evidence.
    Json hover = lsp.request("textDocument/hover", Json{{"textDocument", {{"uri", uri}}}, {"position", {{"line", 2}, {"character", 3}}}});
    CHECK(hover["result"]["contents"]["value"].get<std::string>().find("**Trace** (PostgreSQL 15") != std::string::npos);

    // Edit only the index statement: it loses its verification, the ALTER keeps it.
    lsp.notify("textDocument/didChange",
               Json{{"textDocument", {{"uri", uri}, {"version", 2}}},
                    {"contentChanges", Json::array({Json{{"range", {{"start", {{"line", 2}, {"character", 13}}},
                                                                    {"end", {{"line", 2}, {"character", 28}}}}},
                                                         {"text", "users_mail_idx"}}})}});
    auto edited = lsp.wait_notification("textDocument/publishDiagnostics");
    REQUIRE(edited);
    CHECK(message_of((*edited)["params"]["diagnostics"], "create-index").find("by trace") == std::string::npos);
    CHECK(message_of((*edited)["params"]["diagnostics"], "add-column").find("✓ Confirmed") != std::string::npos);

    // A re-trace reuses the warm cluster (its cold and warm times are bench/lsp_trace_bench's numbers).
    CHECK(first["result"]["summary"].get<std::string>().find("cluster started") != std::string::npos);
    Json second = run_trace(lsp, uri);
    CHECK(second["result"]["summary"].get<std::string>().find("cluster started") == std::string::npos);

    // The cluster is alive now; exit must stop it (no other process leases it).
    for (const auto& e : fs::directory_iterator(state / "clusters")) {
      if (e.path().extension() == ".keep") continue;
      std::ifstream registered(e.path());
      std::string dir;
      std::getline(registered, dir);
      std::ifstream pm(fs::path(dir) / "data" / "postmaster.pid");
      pm >> postmaster;
    }
    REQUIRE(postmaster > 0);
    CHECK(kill(postmaster, 0) == 0);
    lsp.request("shutdown", nullptr);
    lsp.notify("exit", nullptr);
    CHECK(lsp.wait_exit(10000) == 0);
  }
  CHECK(kill(postmaster, 0) != 0);
  unsetenv("LOCKWARD_STATE_DIR");
  fs::remove_all(state);
}

TEST_CASE("lsp trace: a missing PostgreSQL version says what to do", "[lsp][trace][e2e]") {
  Folder folder;
  std::string uri = folder.uri("002_x.sql");
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"pgVersion", 10}, {"tracePgBin", "/nonexistent/bin"}});
  lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1},
                                                            {"text", "CREATE INDEX i ON users (email);"}}}});
  Json reply = run_trace(lsp, uri);
  REQUIRE(reply.contains("error"));
  auto shown = lsp.wait_notification("window/showMessage");
  REQUIRE(shown);
  CHECK((*shown)["params"]["message"].get<std::string>().find("/nonexistent/bin") != std::string::npos);
}

TEST_CASE("lsp trace: the docker provider from the settings, and its failure's next step", "[lsp][trace][e2e]") {
  Folder folder;
  std::string uri = folder.uri("002_x.sql");
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"pgVersion", 16},
                                      {"traceProvider", "docker"},
                                      {"traceDockerImage", "postgres:16-alpine"},
                                      {"traceDockerCli", "/nonexistent/podman"}});
  lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1},
                                                            {"text", "CREATE INDEX i ON users (email);"}}}});
  Json reply = run_trace(lsp, uri);
  REQUIRE(reply.contains("error"));
  auto shown = lsp.wait_notification("window/showMessage");
  REQUIRE(shown);
  CHECK((*shown)["params"]["message"].get<std::string>().find("/nonexistent/podman") != std::string::npos);
}

TEST_CASE("lsp settings: a bad trace provider or docker image is reported, not used", "[lsp][trace]") {
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"traceProvider", "kubernetes"}, {"traceDockerImage", "postgres:16; rm -rf /"}});
  std::string all;  // settings errors go to the log as errors (type 1)
  for (int i = 0; i < 6 && (all.find("traceProvider") == std::string::npos ||
                            all.find("traceDockerImage") == std::string::npos); ++i) {
    auto m = lsp.wait_notification("window/logMessage", 2000);
    if (!m) break;
    if ((*m)["params"]["type"] == 1) all += (*m)["params"]["message"].get<std::string>() + "\n";
  }
  INFO(all);
  CHECK(all.find("traceProvider") != std::string::npos);
  CHECK(all.find("traceDockerImage") != std::string::npos);
}

TEST_CASE("lsp trace: cancelled with $/cancelRequest", "[lsp][trace][e2e]") {
  Folder folder;
  std::string uri = folder.uri("002_slow.sql");
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"pgVersion", 15}});
  std::string text = "SELECT pg_sleep(0.3);\nSELECT pg_sleep(0.3);\nSELECT pg_sleep(0.3);\nSELECT pg_sleep(0.3);\n";
  lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  lsp.send(Json{{"jsonrpc", "2.0"}, {"id", 77}, {"method", "workspace/executeCommand"},
                {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})}}}});
  auto running = lsp.wait_notification("lockward/traceStatus");
  REQUIRE(running);
  CHECK((*running)["params"]["state"] == "running");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the cluster starts, a statement runs
  lsp.notify("$/cancelRequest", Json{{"id", 77}});
  auto reply = lsp.wait_response(77, 30000);
  REQUIRE(reply);
  CHECK((*reply)["error"]["code"] == -32800);
  auto status = lsp.wait_notification("lockward/traceStatus");
  REQUIRE(status);
  CHECK((*status)["params"]["state"] == "cancelled");
}

TEST_CASE("lsp trace: the dsn provider from the settings, predicting as `lockward trace` does with the same "
          ".lockward.toml", "[lsp][trace][e2e][dsn]") {
  trace::PgSearch search;
  search.major = 15;
  trace::PgLookup lookup = trace::find_pg_binaries(search);
  REQUIRE(lookup.binaries);
  std::string error;
  auto cluster = trace::LocalCluster::start(*lookup.binaries, error);
  REQUIRE(cluster);
  {
    trace::PgConnection admin(cluster->conninfo());
    REQUIRE(admin.exec("CREATE DATABASE editor_db").ok());
    REQUIRE(admin.exec("CREATE DATABASE cli_db").ok());
  }
  Folder folder;
  // The snapshot says what the replay cannot (email's type in production, the table's size):
  // both traces predict with it, as the static analysis does.
  std::ofstream(folder.dir / "snap.json") << R"js({"version": 1, "pg_version": 15, "tables": [
    {"schema": "public", "name": "users", "rows": 50000000, "bytes": 9000000000,
     "columns": [{"name": "email", "type": "character varying(10)", "not_null": false}],
     "constraints": [], "indexes": []}]})js";
  std::ofstream(folder.dir / ".lockward.toml") << "snapshot_file = \"snap.json\"\n";
  std::string text =
      "ALTER TABLE users ALTER COLUMN email TYPE varchar(20);\nCREATE INDEX users_email_idx ON users (email);\n";
  std::ofstream(folder.dir / "002_change.sql") << text;
  std::string uri = folder.uri("002_change.sql");
  std::string dsn = "host=" + cluster->directory().string() + " user=postgres dbname=";

  LspProcess lsp;
  lsp.initialize(Json{{"window", {{"workDoneProgress", true}}}},
                 Json{{"pgVersion", 15}, {"traceProvider", "dsn"}, {"traceDsn", dsn + "editor_db"}});
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  std::vector<Json> progress;
  Json editor = run_trace(lsp, uri, &progress);
  INFO(editor.dump());
  REQUIRE(editor.contains("result"));
  CHECK(editor["result"]["summary"].get<std::string>().find("PostgreSQL 15") != std::string::npos);
  bool replayed = false;
  for (const auto& p : progress)
    if (p.value("message", "").find("replaying 001_users.sql") != std::string::npos) replayed = true;
  CHECK(replayed);  // the earlier migration, replayed into the handed-over database

  auto cli = lockward::test::run_lockward("trace --format json --provider dsn --dsn \"" + dsn + "cli_db\" " +
                                          (folder.dir / "002_change.sql").string(), false);
  INFO(cli.output);
  REQUIRE(cli.code == 0);
  Json report = Json::parse(cli.output);
  const Json& file = report["files"][0]["verification"];
  CHECK(file["confirmed"] == editor["result"]["confirmed"]);
  CHECK(file["mismatches"] == editor["result"]["mismatches"]);
  CHECK(file["errors"] == editor["result"]["errors"]);

  // The trace changed the database: a second trace refuses it rather than trace on top of it.
  Json again = run_trace(lsp, uri);
  REQUIRE(again.contains("error"));
  CHECK(again["error"]["message"].get<std::string>().find("must be a disposable, empty database") != std::string::npos);
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit(10000) == 0);
}

TEST_CASE("lsp trace: a claim the trace disproved is re-worded and re-judged; a re-trace that changed nothing publishes nothing",
          "[lsp][trace][e2e][verdict]") {
  Folder folder;
  std::ofstream(folder.dir / "001_orders.sql") << "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2));\n";
  // numeric(12,2) → numeric(14,2) keeps every value as it is: PostgreSQL rewrites nothing.
  std::string text = "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);\n"
                     "CREATE INDEX orders_total_idx ON orders (total);\nCOMMIT;\n";
  std::string uri = folder.uri("002_widen.sql");
  char state_tmpl[] = "/tmp/lockward-lsp-state-XXXXXX";
  fs::path state = mkdtemp(state_tmpl);
  setenv("LOCKWARD_STATE_DIR", state.c_str(), 1);
  {
    LspProcess lsp;
    lsp.initialize(Json{{"window", {{"workDoneProgress", true}}}}, Json{{"pgVersion", 15}});
    lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
    REQUIRE(lsp.wait_notification("textDocument/publishDiagnostics"));
    Json first = run_trace(lsp, uri);
    INFO(first.dump());
    REQUIRE(first.contains("result"));
    auto upgraded = lsp.wait_notification("textDocument/publishDiagnostics");
    REQUIRE(upgraded);
    const Json diags = (*upgraded)["params"]["diagnostics"];
    INFO(diags.dump(2));
    bool type_change = false;
    for (const auto& d : diags) {
      const std::string code = d["code"], message = d["message"];
      if (code.rfind("alter-column-type", 0) == 0) {
        type_change = true;
        // No CRITICAL "rewrites the table" beside the trace's evidence that nothing was rewritten.
        CHECK(message.find("CRITICAL") == std::string::npos);
        CHECK(d["severity"] != 1);
        CHECK(message.find("by trace on PostgreSQL 15") != std::string::npos);
      }
      if (code == "compounding-locks") {
        // A finding about the transaction gets what the transaction held, and for how long.
        CHECK(message.find("the transaction held ACCESS EXCLUSIVE on public.orders") != std::string::npos);
        CHECK(message.find("empty tables") != std::string::npos);
      }
    }
    CHECK(type_change);
    CHECK(!message_of(diags, "compounding-locks").empty());
    // The same trace again finds the same: no new diagnostics are published.
    Json second = run_trace(lsp, uri);
    REQUIRE(second.contains("result"));
    CHECK_FALSE(lsp.wait_notification("textDocument/publishDiagnostics", 1500));
    lsp.request("shutdown", nullptr);
    lsp.notify("exit", nullptr);
    CHECK(lsp.wait_exit(10000) == 0);
  }
  unsetenv("LOCKWARD_STATE_DIR");
  fs::remove_all(state);
}
