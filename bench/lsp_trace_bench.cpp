// Trace from the editor: time from the lockward.trace command to the upgraded diagnostics,
// cold (cluster start included: a state directory of its own, so no warm cluster is reused)
// and warm, for the bundled examples and a 200-statement migration; the time to the first
// progress report (target < 50 ms); and how long a cancel takes to be answered, sent while the
// cluster starts and while a statement runs (target < 100 ms). Drives the real binary;
// reports numbers, asserts none.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>

#include "tests/support/lsp_process.h"

using lockward::test::Json;
using lockward::test::LspProcess;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

// Sends the command, answers the client requests it makes, returns when the diagnostics that
// carry the evidence arrive.
long next_id = 1;

double since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// A state directory of our own: the first trace starts a cluster.
struct ColdState {
  std::string dir;
  ColdState() {
    char tmpl[] = "/tmp/lockward-bench-state-XXXXXX";
    dir = mkdtemp(tmpl);
    setenv("LOCKWARD_STATE_DIR", dir.c_str(), 1);
  }
  ~ColdState() {
    unsetenv("LOCKWARD_STATE_DIR");
    fs::remove_all(dir);
  }
};

void send_trace(LspProcess& lsp, const std::string& uri, long id) {
  lsp.send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "workspace/executeCommand"},
                {"params", {{"command", "lockward.trace"}, {"arguments", Json::array({uri})}, {"workDoneToken", "b"}}}});
}

bool is_report(const Json& m, std::string_view starting = "") {
  return m.value("method", "") == "$/progress" && m["params"]["value"]["kind"] == "report" &&
         m["params"]["value"].value("message", "").rfind(starting, 0) == 0;
}

// Sends the command, answers the client requests it makes, returns when the diagnostics that
// carry the evidence arrive; `first_report` gets the time to the first progress report.
double trace_to_diagnostics(LspProcess& lsp, const std::string& uri, double* first_report = nullptr) {
  long id = ++next_id;
  auto t = Clock::now();
  send_trace(lsp, uri, id);
  bool replied = false;
  for (;;) {
    auto m = lsp.read_next(120000);
    if (!m) return -1;
    if (first_report && *first_report < 0 && is_report(*m)) *first_report = since(t);
    if (m->value("method", "") == "textDocument/publishDiagnostics" && replied) break;
    if (m->contains("id") && (*m)["id"] == id && !m->contains("method")) replied = true;
  }
  return since(t);
}

// Starts a trace, waits for the progress report starting with `at` (plus `delay_ms`), cancels
// with $/cancelRequest and returns how long the answer took.
double cancel_latency(LspProcess& lsp, const std::string& uri, std::string_view at, int delay_ms) {
  long id = ++next_id;
  send_trace(lsp, uri, id);
  for (;;) {
    auto m = lsp.read_next(120000);
    if (!m) return -1;
    if (m->contains("id") && (*m)["id"] == id && !m->contains("method")) return -1;  // done before the cancel
    if (is_report(*m, at)) break;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  auto t = Clock::now();
  lsp.notify("$/cancelRequest", Json{{"id", id}});
  auto reply = lsp.wait_response(id, 120000);
  return reply ? since(t) : -1;
}

void measure(const std::string& label, const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  ColdState state;
  LspProcess lsp;
  lsp.initialize(Json{{"window", {{"workDoneProgress", true}}}}, Json{{"pgVersion", 15}, {"debounceMs", 0}});
  std::string uri = "file://" + fs::absolute(file).string();
  lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1},
                                                            {"text", text.str()}}}});
  lsp.wait_notification("textDocument/publishDiagnostics", 60000);
  double first_cold = -1, first_warm = -1;
  double cold = trace_to_diagnostics(lsp, uri, &first_cold);
  double warm = trace_to_diagnostics(lsp, uri, &first_warm);
  std::printf("%-34s cold %7.0f ms   warm %7.0f ms   first progress report: cold %5.1f ms, warm %5.1f ms\n",
              label.c_str(), cold, warm, first_cold, first_warm);
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
  // Cancel latency: during the cluster's start (cold), then during a running statement.
  std::ofstream(dir / "003_sleep.sql") << "SELECT pg_sleep(30);\n";
  {
    ColdState state;
    LspProcess lsp;
    lsp.initialize(Json{{"window", {{"workDoneProgress", true}}}}, Json{{"pgVersion", 15}, {"debounceMs", 0}});
    std::string uri = "file://" + (dir / "003_sleep.sql").string();
    lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1},
                                                              {"text", "SELECT pg_sleep(30);\n"}}}});
    double starting = cancel_latency(lsp, uri, "starting", 5);
    double statement = cancel_latency(lsp, uri, "statement", 200);
    std::printf("cancel answered: during cluster start %.1f ms, during a statement %.1f ms\n", starting, statement);
    lsp.request("shutdown", nullptr);
    lsp.notify("exit", nullptr);
    lsp.wait_exit(10000);
  }
  fs::remove_all(dir);
}
