// Language-server latency through the real binary over pipes. Reports numbers; asserts none.
// Targets: first diagnostics under 100 ms for 2,000 statements; under 20 ms per keystroke at
// any size (debounce excluded: debounceMs = 0); hover p95 under 5 ms; under 100 MB RSS with
// the 20,000-statement document open; `--history`: a keystroke in the last file of a
// 1,000-file folder costs what it costs in the same file alone (its history is not re-read).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/generate.h"
#include "tests/support/lsp_process.h"

using lockward::test::Json;
using lockward::test::LspProcess;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

long peak_rss_kb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// An empty folder of the bench's own for the documents: in /tmp itself, every .sql file there
// would be their migration history.
const std::string& bench_folder() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/lockward-lsp-bench-XXXXXX";
    const char* made = mkdtemp(tmpl);
    return std::string(made ? made : "/nonexistent-lockward-bench");
  }();
  return dir;
}

// `all`: maxDiagnostics 0, every finding published (tens of MB of JSON per keystroke at
// 20,000 statements); otherwise the default limit.
void run(std::size_t statements, bool all) {
  const std::string uri = "file://" + bench_folder() + "/lockward-bench.sql";
  std::string text = lockward::bench::generate_migration(statements);
  std::size_t diagnostics_published = 0;
  LspProcess lsp;
  Json options{{"debounceMs", 0}};
  if (all) options["maxDiagnostics"] = 0;
  lsp.initialize(Json::object(), options);

  auto t0 = Clock::now();
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  double open_first_byte_ms = 0, open_received_ms = 0;
  for (;;) {
    std::optional<std::string> body = lsp.read_body(60000);
    if (!body) break;
    if (body->find("\"textDocument/publishDiagnostics\"") > 64) continue;
    open_first_byte_ms = std::chrono::duration<double, std::milli>(lsp.first_byte() - t0).count();
    open_received_ms = ms_since(t0);
    diagnostics_published = Json::parse(*body)["params"]["diagnostics"].size();
    break;
  }
  double open_ms = ms_since(t0);

  // Keystrokes: type one character inside a statement near the middle, one edit at a time.
  std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  // Keystroke to diagnostics, three ways: until the first byte of the publishDiagnostics frame
  // (the server's work), until the whole frame arrived (plus writing and reading ~20 MB at
  // 20,000 statements), and until the client parsed it (the target's definition).
  std::vector<double> keystrokes, first_bytes, received;
  for (int k = 0; k < 20; ++k) {
    Json change{{"range", {{"start", {{"line", lines / 2}, {"character", 0}}}, {"end", {{"line", lines / 2}, {"character", 0}}}}},
                {"text", k % 2 == 0 ? " " : ""}};
    if (k % 2 == 1) change["range"]["end"]["character"] = 1;  // delete it again
    auto t = Clock::now();
    lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", uri}, {"version", 2 + k}}},
                                              {"contentChanges", Json::array({change})}});
    for (;;) {
      std::optional<std::string> body = lsp.read_body(60000);
      if (!body) break;
      if (body->find("\"textDocument/publishDiagnostics\"") > 64) continue;  // not that notification
      first_bytes.push_back(std::chrono::duration<double, std::milli>(lsp.first_byte() - t).count());
      received.push_back(ms_since(t));
      if (Json::parse(*body)["params"]["diagnostics"].empty()) std::printf("no diagnostics?\n");
      break;
    }
    keystrokes.push_back(ms_since(t));
  }

  // Scrolling where findings are hidden (past maxDiagnostics): from the inlay-hint request for
  // the visible lines to the diagnostics moved there, parsed.
  std::vector<double> scrolls;
  for (std::size_t k = 0; k < 20 && !all; ++k) {
    const std::size_t top = k % 2 == 0 ? 0 : lines - 40;
    auto t = Clock::now();
    lsp.request("textDocument/inlayHint", Json{{"textDocument", {{"uri", uri}}},
                                               {"range", {{"start", {{"line", top}, {"character", 0}}},
                                                          {"end", {{"line", top + 40}, {"character", 0}}}}}});
    // A document whose findings all fit under maxDiagnostics has none hidden: nothing moves,
    // nothing is published. Scrolling is then not measured, rather than waited for.
    if (!lsp.wait_notification("textDocument/publishDiagnostics", 5000)) break;
    scrolls.push_back(ms_since(t));
  }

  std::vector<double> hovers;
  for (std::size_t k = 0; k < 200; ++k) {
    auto t = Clock::now();
    lsp.request("textDocument/hover", Json{{"textDocument", {{"uri", uri}}},
                                           {"position", {{"line", (k * 7919) % lines}, {"character", 3}}}});
    hovers.push_back(ms_since(t));
  }
  long rss = peak_rss_kb(lsp.pid());
  std::printf("%6zu statements%s\n", statements, all ? ", maxDiagnostics 0 (all published)" : ", default maxDiagnostics");
  std::printf("%6zu statements  first diagnostics %8.1f ms  keystroke p50 %7.1f ms  p95 %7.1f ms  "
              "hover p50 %6.2f ms  p95 %6.2f ms  peak RSS %6.1f MB\n",
              statements, open_ms, percentile(keystrokes, 0.5), percentile(keystrokes, 0.95), percentile(hovers, 0.5),
              percentile(hovers, 0.95), static_cast<double>(rss) / 1024.0);
  std::printf("%6s             first diagnostics to first byte %7.1f ms  to whole frame %7.1f ms  (%zu diagnostics)\n",
              "", open_first_byte_ms, open_received_ms, diagnostics_published);
  std::printf("%6s             keystroke to first byte p50 %7.1f ms  p95 %7.1f ms  to whole frame p50 %7.1f ms  "
              "p95 %7.1f ms\n",
              "", percentile(first_bytes, 0.5), percentile(first_bytes, 0.95), percentile(received, 0.5),
              percentile(received, 0.95));
  if (scrolls.empty() && !all)
    std::printf("%6s             scroll: every finding is shown (none hidden past maxDiagnostics)\n", "");
  if (!scrolls.empty())
    std::printf("%6s             scroll to hidden findings, moved diagnostics parsed p50 %7.1f ms  p95 %7.1f ms\n", "",
                percentile(scrolls, 0.5), percentile(scrolls, 0.95));
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  lsp.wait_exit();
}

// The same statements on one line (issue 11): first diagnostics, a keystroke in the middle of
// the line, hovers along it, and how long the process outlives shutdown + exit sent while an
// analysis runs.
void run_one_line(std::size_t statements, bool all) {
  const std::string uri = "file://" + bench_folder() + "/lockward-bench-one-line.sql";
  std::string text = lockward::bench::generate_migration(statements);
  const std::string comment = "-- a comment about the next statement\n";
  for (std::size_t p = text.find(comment); p != std::string::npos; p = text.find(comment, p))
    text.replace(p, comment.size(), "/* a comment about the next statement */ ");
  std::replace(text.begin(), text.end(), '\n', ' ');
  LspProcess lsp;
  Json options{{"debounceMs", 0}};
  if (all) options["maxDiagnostics"] = 0;
  lsp.initialize(Json::object(), options);
  auto t0 = Clock::now();
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  const bool published = lsp.wait_notification("textDocument/publishDiagnostics", 600000).has_value();
  double open_ms = ms_since(t0);
  auto t1 = Clock::now();
  lsp.notify("textDocument/didChange",
             Json{{"textDocument", {{"uri", uri}, {"version", 2}}},
                  {"contentChanges", Json::array({Json{{"range", {{"start", {{"line", 0}, {"character", text.size() / 2}}},
                                                                  {"end", {{"line", 0}, {"character", text.size() / 2}}}}},
                                                       {"text", " "}}})}});
  lsp.wait_notification("textDocument/publishDiagnostics", 600000);
  double keystroke_ms = ms_since(t1);
  std::vector<double> hovers;
  for (std::size_t k = 0; k < 50; ++k) {
    auto t = Clock::now();
    lsp.request("textDocument/hover", Json{{"textDocument", {{"uri", uri}}},
                                           {"position", {{"line", 0}, {"character", (k * 7919 * 131) % text.size()}}}});
    hovers.push_back(ms_since(t));
  }
  long rss = peak_rss_kb(lsp.pid());
  // Exit while the whole file is analysed again (a configuration change).
  lsp.notify("workspace/didChangeConfiguration", Json{{"settings", {{"lockward", options}}}});
  lsp.request("shutdown", nullptr);
  auto t2 = Clock::now();
  lsp.notify("exit", nullptr);
  lsp.wait_exit(600000);
  std::printf("%6zu statements on one line (%.1f MB)%s  first diagnostics %8.1f ms%s  keystroke %7.1f ms  "
              "hover p50 %6.2f ms  p95 %6.2f ms  peak RSS %6.1f MB  exit %6.1f ms\n",
              statements, static_cast<double>(text.size()) / 1e6, all ? ", maxDiagnostics 0" : "", open_ms,
              published ? "" : " (none)", keystroke_ms, percentile(hovers, 0.5), percentile(hovers, 0.95),
              static_cast<double>(rss) / 1024.0, ms_since(t2));
}

// One file opened from disk: time to its first diagnostics, then keystroke latencies (a space
// typed and deleted inside its middle statement, 20 times).
struct FileTimes {
  double open_ms = 0;
  std::vector<double> keystrokes;
  std::size_t diagnostics = 0;
};

FileTimes open_and_type(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string uri = "file://" + path.string();
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"debounceMs", 0}});
  FileTimes out;
  auto t0 = Clock::now();
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  if (auto published = lsp.wait_notification("textDocument/publishDiagnostics", 600000))
    out.diagnostics = (*published)["params"]["diagnostics"].size();
  out.open_ms = ms_since(t0);
  const std::size_t line = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) / 2;
  for (int k = 0; k < 20; ++k) {
    Json change{{"range", {{"start", {{"line", line}, {"character", 0}}}, {"end", {{"line", line}, {"character", k % 2}}}}},
                {"text", k % 2 == 0 ? " " : ""}};
    auto t = Clock::now();
    lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", uri}, {"version", 2 + k}}},
                                              {"contentChanges", Json::array({change})}});
    lsp.wait_notification("textDocument/publishDiagnostics", 60000);
    out.keystrokes.push_back(ms_since(t));
  }
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  lsp.wait_exit();
  return out;
}

// The last file of a 1,000-file folder (999 files of history) against the same file alone.
void run_history() {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/lockward-lsp-bench-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const std::size_t files = lockward::bench::write_migration_folder(dir / "folder");
  const std::string last = lockward::bench::migration_folder_file(files);
  fs::create_directories(dir / "alone");
  fs::copy_file(dir / "folder" / last, dir / "alone" / last);
  const FileTimes with = open_and_type(dir / "folder" / last);
  const FileTimes alone = open_and_type(dir / "alone" / last);
  auto line = [](const char* what, const FileTimes& t) {
    std::printf("  %-34s first diagnostics %8.1f ms (%zu)  keystroke p50 %6.2f ms  p95 %6.2f ms\n", what, t.open_ms,
                t.diagnostics, percentile(t.keystrokes, 0.5), percentile(t.keystrokes, 0.95));
  };
  std::printf("the last of %zu files (20 statements)\n", files);
  line("with its 999 predecessors as history", with);
  line("alone in its folder", alone);
  fs::remove_all(dir);
}

}  // namespace

// Sizes to run, in statements (default: 2000 20000), e.g. `lsp_bench 2000` while profiling;
// `--all` adds runs that publish every finding; `--one-line` puts each document on one line;
// `--history` times the last file of a 1,000-file folder with and without its history.
int main(int argc, char** argv) {
  std::vector<std::size_t> sizes;
  bool all = false, one_line = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--history") {
      run_history();
      return 0;
    }
    if (std::string(argv[i]) == "--all") all = true;
    else if (std::string(argv[i]) == "--one-line") one_line = true;
    else sizes.push_back(std::stoul(argv[i]));
  }
  if (sizes.empty()) sizes = {2000, 20000};
  for (std::size_t statements : sizes) {
    if (one_line) run_one_line(statements, false);
    else run(statements, false);
    if (all) one_line ? run_one_line(statements, true) : run(statements, true);
  }
  std::filesystem::remove_all(bench_folder());  // the documents were never written there
}
