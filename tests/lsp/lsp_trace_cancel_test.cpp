// Cancelling an editor trace cancels the statement that is running (PQcancel), instead of
// waiting for it: the real `lockward lsp`, a real local cluster, `SELECT pg_sleep(5)`.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/lsp_process.h"
#include "tests/support/run_binary.h"
#include "trace/pg_connection.h"

using lockward::test::Json;
using lockward::test::LspProcess;
namespace fs = std::filesystem;

namespace {

// Processes whose command line mentions `needle` (a keeper names its state directory; the
// postmaster its data directory in it).
std::size_t processes_mentioning(const std::string& needle) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(needle) != std::string::npos) ++n;
  }
  return n;
}

bool nothing_left(const std::string& state_dir) {
  for (int i = 0; i < 300; ++i) {
    if (processes_mentioning(state_dir) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Sends lockward.trace and reads until the trace reports it runs the first statement.
void start_trace_and_wait_for_statement(LspProcess& lsp, const std::string& uri, long id) {
  lsp.send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "workspace/executeCommand"},
                {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})}}}});
  for (;;) {
    auto m = lsp.read_next(60000);
    REQUIRE(m);
    if (m->value("method", "") == "window/workDoneProgress/create") {
      lsp.send(Json{{"jsonrpc", "2.0"}, {"id", (*m)["id"]}, {"result", nullptr}});
    } else if (m->value("method", "") == "$/progress" && (*m)["params"]["value"]["kind"] == "report" &&
               (*m)["params"]["value"].value("message", "").rfind("statement ", 0) == 0) {
      return;  // "statement 1 of 1": sent just before it is sent to the server
    }
    REQUIRE_FALSE((m->contains("id") && (*m)["id"] == id));  // answered before it ran: no cancel to test
  }
}

}  // namespace

TEST_CASE("lsp trace: $/cancelRequest cancels the running statement and is answered at once",
          "[lsp][trace][e2e][cancel]") {
  lockward::test::TempDir folder, state;
  setenv("LOCKWARD_STATE_DIR", state.path.c_str(), 1);  // a cluster of our own, stopped at exit
  std::string path = folder.write("001_sleep.sql", "SELECT pg_sleep(5);\n");
  std::string uri = "file://" + path;
  {
    LspProcess lsp;
    lsp.initialize(Json{{"window", {{"workDoneProgress", true}}}}, Json{{"pgVersion", 15}});
    lsp.notify("textDocument/didOpen",
               Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", "SELECT pg_sleep(5);\n"}}}});
    start_trace_and_wait_for_statement(lsp, uri, 501);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // pg_sleep is running now
    auto cancelled_at = std::chrono::steady_clock::now();
    lsp.notify("$/cancelRequest", Json{{"id", 501}});
    auto reply = lsp.wait_response(501, 30000);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - cancelled_at).count();
    std::printf("lsp trace cancel answered in %.1f ms\n", ms);
    REQUIRE(reply);
    CHECK((*reply)["error"]["code"] == -32800);
    CHECK(ms < 2000);  // generous: without PQcancel it is the rest of pg_sleep(5)

    // The cluster is still good for the next trace.
    std::string quick = "SELECT 1;\n";
    lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", uri}, {"version", 2}}},
                                              {"contentChanges", Json::array({Json{{"text", quick}}})}});
    lsp.send(Json{{"jsonrpc", "2.0"}, {"id", 502}, {"method", "workspace/executeCommand"},
                  {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})}}}});
    for (;;) {
      auto m = lsp.read_next(30000);
      REQUIRE(m);
      if (m->value("method", "") == "window/workDoneProgress/create")
        lsp.send(Json{{"jsonrpc", "2.0"}, {"id", (*m)["id"]}, {"result", nullptr}});
      if (m->contains("id") && (*m)["id"] == 502 && !m->contains("method")) {
        INFO(m->dump());
        CHECK(m->contains("result"));
        break;
      }
    }
    lsp.request("shutdown", nullptr);
    lsp.notify("exit", nullptr);
    CHECK(lsp.wait_exit(15000) == 0);
  }
  unsetenv("LOCKWARD_STATE_DIR");
}

TEST_CASE("lsp trace: a cold trace reports progress before the cluster is up, and a cancel during the cluster's "
          "start is answered at once and leaves no cluster", "[lsp][trace][e2e][cancel]") {
  lockward::test::TempDir folder, state;
  setenv("LOCKWARD_STATE_DIR", state.path.c_str(), 1);  // cold: no warm cluster to reuse
  std::string path = folder.write("001_index.sql", "CREATE TABLE t (id int);\n");
  std::string uri = "file://" + path;
  {
    LspProcess lsp;
    lsp.initialize(Json{{"window", {{"workDoneProgress", true}}}}, Json{{"pgVersion", 15}});
    lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1},
                                                              {"text", "CREATE TABLE t (id int);\n"}}}});
    auto sent = std::chrono::steady_clock::now();
    lsp.send(Json{{"jsonrpc", "2.0"}, {"id", 601}, {"method", "workspace/executeCommand"},
                  {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})}}}});
    std::vector<std::string> reports;
    double first_report_ms = -1;
    for (;;) {
      auto m = lsp.read_next(30000);
      REQUIRE(m);
      REQUIRE_FALSE((m->contains("id") && (*m)["id"] == 601));  // answered before the cancel
      if (m->value("method", "") == "window/workDoneProgress/create") {
        lsp.send(Json{{"jsonrpc", "2.0"}, {"id", (*m)["id"]}, {"result", nullptr}});
      } else if (m->value("method", "") == "$/progress" && (*m)["params"]["value"]["kind"] == "report") {
        if (first_report_ms < 0)
          first_report_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count();
        reports.push_back((*m)["params"]["value"].value("message", ""));
        if (reports.back().find("starting") != std::string::npos) break;  // the keeper runs initdb now
      }
    }
    std::printf("lsp cold trace: first progress report after %.1f ms\n", first_report_ms);
    CHECK(reports.front().find("finding PostgreSQL 15") != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto cancelled_at = std::chrono::steady_clock::now();
    lsp.notify("$/cancelRequest", Json{{"id", 601}});
    auto reply = lsp.wait_response(601, 30000);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - cancelled_at).count();
    std::printf("lsp trace cancel during cluster start answered in %.1f ms\n", ms);
    REQUIRE(reply);
    CHECK((*reply)["error"]["code"] == -32800);
    CHECK(ms < 1000);  // generous: bench/lsp_trace_bench reports the number
    // The keeper, finding nobody waiting, stops the cluster it was starting: while the server
    // still runs, nothing of the trace is left.
    CHECK(nothing_left(state.path.string()));
    lsp.request("shutdown", nullptr);
    lsp.notify("exit", nullptr);
    CHECK(lsp.wait_exit(15000) == 0);
  }
  unsetenv("LOCKWARD_STATE_DIR");
}

TEST_CASE("lsp trace: a work-done-progress cancel during a long statement ends the trace, and exit "
          "leaves nothing", "[lsp][trace][e2e][cancel]") {
  lockward::test::TempDir folder, state;
  setenv("LOCKWARD_STATE_DIR", state.path.c_str(), 1);
  // The second statement runs for 10 s unless cancelled.
  std::string text = "CREATE TABLE t (id int);\nSELECT pg_sleep(10);\n";
  std::string path = folder.write("001_wait.sql", text);
  std::string uri = "file://" + path;
  {
    LspProcess lsp;
    lsp.initialize(Json{{"window", {{"workDoneProgress", true}}}}, Json{{"pgVersion", 15}});
    lsp.notify("textDocument/didOpen",
               Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
    lsp.send(Json{{"jsonrpc", "2.0"}, {"id", 701}, {"method", "workspace/executeCommand"},
                  {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})},
                              {"workDoneToken", "w701"}}}});
    for (;;) {
      auto m = lsp.read_next(60000);
      REQUIRE(m);
      REQUIRE_FALSE((m->contains("id") && (*m)["id"] == 701));
      if (m->value("method", "") == "$/progress" && (*m)["params"]["value"].value("message", "") == "statement 2 of 2")
        break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // pg_sleep runs
    auto cancelled_at = std::chrono::steady_clock::now();
    lsp.notify("window/workDoneProgress/cancel", Json{{"token", "w701"}});
    auto reply = lsp.wait_response(701, 30000);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - cancelled_at).count();
    std::printf("lsp trace work-done cancel during a statement answered in %.1f ms\n", ms);
    REQUIRE(reply);
    CHECK((*reply)["error"]["code"] == -32800);
    CHECK(ms < 1000);
    lsp.request("shutdown", nullptr);
    lsp.notify("exit", nullptr);
    CHECK(lsp.wait_exit(15000) == 0);
  }
  CHECK(nothing_left(state.path.string()));
  unsetenv("LOCKWARD_STATE_DIR");
}

TEST_CASE("lsp trace: a cancel while the replay template is built is answered at once and leaves no database",
          "[lsp][trace][e2e][cancel]") {
  lockward::test::TempDir folder, state;
  setenv("LOCKWARD_STATE_DIR", state.path.c_str(), 1);
  folder.write("001_slow.sql", "CREATE TABLE t (id int);\nSELECT pg_sleep(20);\n");
  std::string path = folder.write("002_index.sql", "CREATE INDEX t_id ON t (id);\n");
  std::string uri = "file://" + path;
  {
    LspProcess lsp;
    lsp.initialize(Json{{"window", {{"workDoneProgress", true}}}}, Json{{"pgVersion", 15}});
    lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1},
                                                              {"text", "CREATE INDEX t_id ON t (id);\n"}}}});
    lsp.send(Json{{"jsonrpc", "2.0"}, {"id", 801}, {"method", "workspace/executeCommand"},
                  {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})},
                              {"workDoneToken", "w801"}}}});
    for (;;) {
      auto m = lsp.read_next(60000);
      REQUIRE(m);
      REQUIRE_FALSE((m->contains("id") && (*m)["id"] == 801));
      if (m->value("method", "") == "$/progress" &&
          (*m)["params"]["value"].value("message", "").rfind("replaying 1 earlier file", 0) == 0)
        break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // pg_sleep(20) in the replay
    auto cancelled_at = std::chrono::steady_clock::now();
    lsp.notify("window/workDoneProgress/cancel", Json{{"token", "w801"}});
    auto reply = lsp.wait_response(801, 30000);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - cancelled_at).count();
    std::printf("lsp trace cancel during the template's replay answered in %.1f ms\n", ms);
    REQUIRE(reply);
    CHECK((*reply)["error"]["code"] == -32800);
    CHECK(ms < 1000);
    // The cluster stays warm for the next trace, without a half-built template or a trace database.
    std::string dir;
    for (const auto& e : fs::directory_iterator(state.path / "clusters")) {
      if (e.path().extension() == ".keep") continue;
      std::ifstream registered(e.path());
      std::getline(registered, dir);
    }
    REQUIRE_FALSE(dir.empty());
    // Dropped after the answer: give it a moment.
    lockward::trace::PgConnection admin("host=" + dir + " user=postgres dbname=postgres");
    lockward::trace::QueryResult left;
    for (int i = 0; i < 100; ++i) {
      left = admin.exec("SELECT datname FROM pg_catalog.pg_database WHERE datname LIKE 'lockward%'");
      REQUIRE(left.ok());
      if (left.rows.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::string names;
    for (std::size_t i = 0; i < left.rows.size(); ++i) names += left.value(i, 0) + " ";
    INFO(names);
    CHECK(left.rows.empty());
    lsp.request("shutdown", nullptr);
    lsp.notify("exit", nullptr);
    CHECK(lsp.wait_exit(15000) == 0);
  }
  CHECK(nothing_left(state.path.string()));
  unsetenv("LOCKWARD_STATE_DIR");
}
