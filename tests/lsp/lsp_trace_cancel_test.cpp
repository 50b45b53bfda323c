// Cancelling an editor trace cancels the statement that is running (PQcancel), instead of
// waiting for it: the real `lockward lsp`, a real local cluster, `SELECT pg_sleep(5)`.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "tests/support/lsp_process.h"
#include "tests/support/run_binary.h"

using lockward::test::Json;
using lockward::test::LspProcess;
namespace fs = std::filesystem;

namespace {

// Sends lockward.trace and reads until the trace reports it runs the first statement.
void start_trace_and_wait_for_statement(LspProcess& lsp, const std::string& uri, long id) {
  lsp.send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "workspace/executeCommand"},
                {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})}}}});
  for (;;) {
    auto m = lsp.read_next(60000);
    REQUIRE(m);
    if (m->value("method", "") == "window/workDoneProgress/create") {
      lsp.send(Json{{"jsonrpc", "2.0"}, {"id", (*m)["id"]}, {"result", nullptr}});
    } else if (m->value("method", "") == "$/progress" && (*m)["params"]["value"]["kind"] == "report") {
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
