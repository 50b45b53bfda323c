// The editor's trace runs the migration as lockward_migrator too, and the error of a statement
// that needs a superuser names the setting that allows it (the real `lockward lsp`).
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/lsp_process.h"
#include "tests/support/run_binary.h"

using lockward::test::Json;
using lockward::test::LspProcess;
namespace fs = std::filesystem;

namespace {

// Runs lockward.trace on `uri` and returns the reply, answering progress requests meanwhile.
Json trace_once(LspProcess& lsp, const std::string& uri) {
  lsp.send(Json{{"jsonrpc", "2.0"}, {"id", 601}, {"method", "workspace/executeCommand"},
                {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})}}}});
  auto reply = lsp.wait_response(601, 60000);
  REQUIRE(reply);
  return *reply;
}

// The message of the first diagnostic with `code` in the next publication that has one.
std::string published_message(LspProcess& lsp, const std::string& code) {
  for (int i = 0; i < 5; ++i) {
    auto m = lsp.wait_notification("textDocument/publishDiagnostics", 10000);
    if (!m) break;
    for (const auto& d : (*m)["params"]["diagnostics"])
      if (d.value("code", "") == code) return d["message"];
  }
  return {};
}

}  // namespace

TEST_CASE("lsp trace: COPY TO PROGRAM fails as lockward_migrator unless traceSuperuser", "[lsp][trace][e2e][privilege]") {
  lockward::test::TempDir folder;
  fs::path marker = fs::temp_directory_path() / ("lockward-lsp-program-" + std::to_string(getpid()));
  fs::remove(marker);
  std::string text = "COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; touch " + marker.string() + "';\n";
  std::string uri = "file://" + folder.write("001_evil.sql", text);
  for (bool superuser : {false, true}) {
    // A cluster of its own for each run: nothing of the first run's keeper reaches the second.
    lockward::test::TempDir state;
    setenv("LOCKWARD_STATE_DIR", state.path.c_str(), 1);
    LspProcess lsp;
    lsp.initialize(Json::object(), Json{{"pgVersion", 15}, {"traceSuperuser", superuser}});
    lsp.notify("textDocument/didOpen",
               Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
    Json reply = trace_once(lsp, uri);
    INFO(reply.dump());
    REQUIRE(reply.contains("result"));
    if (!superuser) {
      CHECK(reply["result"]["errors"] == 1);
      CHECK(published_message(lsp, "trace-error").find("lockward.traceSuperuser") != std::string::npos);
      CHECK_FALSE(fs::exists(marker));
    } else {
      if (reply["result"]["errors"] != 0) FAIL_CHECK("trace error: " << published_message(lsp, "trace-error"));
      CHECK(fs::exists(marker));
    }
    lsp.request("shutdown", nullptr);
    lsp.notify("exit", nullptr);
    CHECK(lsp.wait_exit(15000) == 0);
  }
  fs::remove(marker);
  unsetenv("LOCKWARD_STATE_DIR");
}
