// Trace from the editor: time from the lockward.trace command to the upgraded diagnostics,
// cold (cluster start included) and warm, for the bundled examples and a 200-statement
// migration. Drives the real binary; reports numbers, asserts none.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/lsp_process.h"

using lockward::test::Json;
using lockward::test::LspProcess;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

// Sends the command, answers the client requests it makes, returns when the diagnostics that
// carry the evidence arrive.
double trace_to_diagnostics(LspProcess& lsp, const std::string& uri) {
  static long id = 1;
  auto t = Clock::now();
  lsp.send(Json{{"jsonrpc", "2.0"}, {"id", ++id}, {"method", "workspace/executeCommand"},
                {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})}}}});
  bool replied = false;
  for (;;) {
    auto m = lsp.read_next(120000);
    if (!m) return -1;
    if (m->value("method", "") == "textDocument/publishDiagnostics" && replied) break;
    if (m->contains("id") && (*m)["id"] == id && !m->contains("method")) replied = true;
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

void measure(const std::string& label, const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"pgVersion", 15}, {"debounceMs", 0}});
  std::string uri = "file://" + fs::absolute(file).string();
  lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1},
                                                            {"text", text.str()}}}});
  lsp.wait_notification("textDocument/publishDiagnostics", 60000);
  double cold = trace_to_diagnostics(lsp, uri);
  double warm = trace_to_diagnostics(lsp, uri);
  std::printf("%-34s cold %7.0f ms   warm %7.0f ms\n", label.c_str(), cold, warm);
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  lsp.wait_exit(10000);
}

}  // namespace

int main() {
  fs::path examples = fs::path(LOCKWARD_SOURCE_DIR) / "examples";
  for (const auto& name : {"003_risky_changes.sql", "004_safe_index.sql", "005_not_null.sql"})
    measure(std::string("examples/") + name, examples / name);
  // 200 statements on 20 tables, in transactions of 10, after a migration creating them.
  fs::path dir = fs::temp_directory_path() / "lockward-lsp-trace-bench";
  fs::create_directories(dir);
  std::ofstream setup(dir / "001_tables.sql");
  for (int t = 0; t < 20; ++t) setup << "CREATE TABLE t" << t << " (id bigint PRIMARY KEY, a int, b text);\n";
  setup.close();
  std::ofstream big(dir / "002_changes.sql");
  big << "SET lock_timeout = '5s';\n";
  for (int i = 0; i < 200; ++i) {
    if (i % 10 == 0) big << "BEGIN;\n";
    int t = i % 20;
    switch (i % 4) {
      case 0: big << "ALTER TABLE t" << t << " ADD COLUMN c" << i << " int;\n"; break;
      case 1: big << "CREATE INDEX t" << t << "_i" << i << " ON t" << t << " (a);\n"; break;
      case 2: big << "ALTER TABLE t" << t << " ALTER COLUMN b SET DEFAULT 'x';\n"; break;
      default: big << "UPDATE t" << t << " SET a = 1 WHERE id = " << i << ";\n"; break;
    }
    if (i % 10 == 9) big << "COMMIT;\n";
  }
  big.close();
  measure("200-statement migration", dir / "002_changes.sql");
  fs::remove_all(dir);
}
