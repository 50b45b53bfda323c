// End-to-end: the real `lockward lsp` binary over pipes.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "analysis/analyze.h"
#include "tests/support/lsp_process.h"

using lockward::test::Json;
using lockward::test::LspProcess;

namespace {

const char* kUri = "file:///tmp/lockward-e2e/001_add_index.sql";

Json open_params(const std::string& text, long version = 1) {
  return Json{{"textDocument", {{"uri", kUri}, {"languageId", "sql"}, {"version", version}, {"text", text}}}};
}

std::vector<std::string> codes(const Json& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics) out.push_back(d["code"].get<std::string>());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Applies a WorkspaceEdit's edits for kUri to `text` (UTF-16 = bytes for ASCII texts).
std::string apply_edit(std::string text, const Json& edit) {
  std::vector<Json> edits(edit["changes"][kUri].begin(), edit["changes"][kUri].end());
  auto offset = [&](const Json& pos) {
    std::size_t line = pos["line"], ch = pos["character"], off = 0;
    for (std::size_t l = 0; l < line; ++l) off = text.find('\n', off) + 1;
    return off + ch;
  };
  std::sort(edits.begin(), edits.end(), [&](const Json& a, const Json& b) {
    return offset(a["range"]["start"]) > offset(b["range"]["start"]);
  });
  for (const auto& e : edits) {
    std::size_t b = offset(e["range"]["start"]), en = offset(e["range"]["end"]);
    text.replace(b, en - b, e["newText"].get<std::string>());
  }
  return text;
}

}  // namespace

TEST_CASE("lsp: lifecycle, shutdown then exit is code 0", "[lsp][e2e]") {
  LspProcess lsp;
  Json early = lsp.request("textDocument/hover", Json{{"textDocument", {{"uri", kUri}}}, {"position", {{"line", 0}, {"character", 0}}}});
  CHECK(early["error"]["code"] == -32002);
  Json init = lsp.initialize();
  CHECK(init["result"]["serverInfo"]["name"] == "lockward");
  CHECK(init["result"]["capabilities"]["positionEncoding"] == "utf-16");
  CHECK(init["result"]["capabilities"]["hoverProvider"] == true);
  CHECK(lsp.request("unknown/method", Json::object())["error"]["code"] == -32601);
  CHECK(lsp.request("shutdown", nullptr)["result"].is_null());
  CHECK(lsp.request("textDocument/hover", Json::object())["error"]["code"] == -32600);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}

TEST_CASE("lsp: exit without shutdown is code 1, closed stdin ends the server", "[lsp][e2e]") {
  {
    LspProcess lsp;
    lsp.initialize();
    lsp.notify("exit", nullptr);
    CHECK(lsp.wait_exit() == 1);
  }
  {
    LspProcess lsp;
    lsp.initialize();
    lsp.close_stdin();
    CHECK(lsp.wait_exit() == 1);
  }
}

TEST_CASE("lsp: open, diagnose, hover, fix, and the diagnostic is gone", "[lsp][e2e]") {
  LspProcess lsp;
  lsp.initialize();
  std::string text = "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\nCREATE INDEX users_email_idx ON users (email);\n";
  lsp.notify("textDocument/didOpen", open_params(text));
  auto published = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(published);
  Json diags = (*published)["params"]["diagnostics"];
  REQUIRE(contains(codes(diags), "create-index"));
  CHECK((*published)["params"]["version"] == 1);
  Json index_diag;
  for (const auto& d : diags)
    if (d["code"] == "create-index") index_diag = d;
  CHECK(index_diag["range"]["start"] == Json{{"line", 2}, {"character", 0}});
  CHECK(index_diag["source"] == "lockward");
  CHECK(index_diag["message"].get<std::string>().find("SHARE on table users") != std::string::npos);

  Json hover = lsp.request("textDocument/hover",
                           Json{{"textDocument", {{"uri", kUri}}}, {"position", {{"line", 2}, {"character", 5}}}});
  std::string md = hover["result"]["contents"]["value"];
  CHECK(md.find("`SHARE` on table `users`") != std::string::npos);
  CHECK(md.find("CONCURRENTLY") != std::string::npos);
  // Hover on a statement that is not flagged still explains it.
  Json hover_set = lsp.request("textDocument/hover",
                               Json{{"textDocument", {{"uri", kUri}}}, {"position", {{"line", 0}, {"character", 2}}}});
  CHECK(hover_set["result"]["contents"]["value"].get<std::string>().find("SET lock_timeout") != std::string::npos);

  Json actions = lsp.request("textDocument/codeAction",
                             Json{{"textDocument", {{"uri", kUri}}},
                                  {"range", index_diag["range"]},
                                  {"context", {{"diagnostics", Json::array({index_diag})}}}});
  Json fix;
  for (const auto& a : actions["result"])
    if (a["title"] == "Use CONCURRENTLY") fix = a;
  REQUIRE(fix.is_object());
  CHECK(fix["isPreferred"] == true);
  std::string fixed = apply_edit(text, fix["edit"]);
  CHECK(lockward::analysis::analyze(fixed, {}).coverage.parse_errors == 0);
  lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", kUri}, {"version", 2}}},
                                            {"contentChanges", Json::array({Json{{"text", fixed}}})}});
  auto after = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(after);
  CHECK((*after)["params"]["version"] == 2);
  CHECK_FALSE(contains(codes((*after)["params"]["diagnostics"]), "create-index"));
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}

TEST_CASE("lsp: incremental edits and UTF-8 position encoding", "[lsp][e2e]") {
  LspProcess lsp;
  Json init = lsp.initialize(Json{{"general", {{"positionEncodings", Json::array({"utf-8", "utf-16"})}}}});
  CHECK(init["result"]["capabilities"]["positionEncoding"] == "utf-8");
  std::string text = "-- héllo 😀\nSELECT 1;\n";
  lsp.notify("textDocument/didOpen", open_params(text));
  REQUIRE(lsp.wait_notification("textDocument/publishDiagnostics"));
  // Replace "SELECT 1" (line 1, bytes 0..8) with an index build.
  lsp.notify("textDocument/didChange",
             Json{{"textDocument", {{"uri", kUri}, {"version", 2}}},
                  {"contentChanges", Json::array({Json{{"range", {{"start", {{"line", 1}, {"character", 0}}},
                                                                  {"end", {{"line", 1}, {"character", 8}}}}},
                                                       {"text", "CREATE INDEX i ON t (c)"}}})}});
  auto published = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(published);
  CHECK((*published)["params"]["version"] == 2);
  CHECK(contains(codes((*published)["params"]["diagnostics"]), "create-index"));
}

TEST_CASE("lsp: configuration changes re-analyse open documents", "[lsp][e2e]") {
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"rules", {{"missing-lock-timeout", "off"}}}});
  lsp.notify("textDocument/didOpen", open_params("CREATE INDEX i ON t (c);"));
  auto first = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(first);
  CHECK_FALSE(contains(codes((*first)["params"]["diagnostics"]), "missing-lock-timeout"));
  CHECK(contains(codes((*first)["params"]["diagnostics"]), "create-index"));
  lsp.notify("workspace/didChangeConfiguration",
             Json{{"settings", {{"lockward", {{"rules", {{"create-index", "off"}}}}}}}});
  auto second = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(second);
  CHECK_FALSE(contains(codes((*second)["params"]["diagnostics"]), "create-index"));
  // Keys removed from the settings go back to their defaults.
  CHECK(contains(codes((*second)["params"]["diagnostics"]), "missing-lock-timeout"));
}

TEST_CASE("lsp: past maxDiagnostics the editor sees the findings around the last edit", "[lsp][e2e]") {
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"debounceMs", 0}, {"maxDiagnostics", 10}});
  std::string text;
  for (int i = 0; i < 40; ++i) text += "CREATE INDEX i" + std::to_string(i) + " ON t (c);\n";
  lsp.notify("textDocument/didOpen", open_params(text));
  auto opened = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(opened);
  const Json& first = (*opened)["params"]["diagnostics"];
  REQUIRE(first.size() == 11);
  CHECK(first[0]["code"] == "diagnostics-limit");
  CHECK(first[0]["message"].get<std::string>().find("shows 10 of") != std::string::npos);
  CHECK(first[1]["range"]["start"]["line"] == 0);  // nothing edited yet: the top of the file
  // An edit on line 30: its diagnostics are shown, the top of the file's are not.
  lsp.notify("textDocument/didChange",
             Json{{"textDocument", {{"uri", kUri}, {"version", 2}}},
                  {"contentChanges", Json::array({Json{{"range", {{"start", {{"line", 30}, {"character", 13}}},
                                                                  {"end", {{"line", 30}, {"character", 15}}}}},
                                                       {"text", "x30"}}})}});
  auto edited = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(edited);
  const Json& after = (*edited)["params"]["diagnostics"];
  REQUIRE(after.size() == 11);
  std::set<long> shown_lines;
  for (std::size_t i = 1; i < after.size(); ++i) shown_lines.insert(after[i]["range"]["start"]["line"].get<long>());
  CHECK(shown_lines.count(30) == 1);
  CHECK(shown_lines.count(0) == 0);
  // Scrolling back to the top (the client asks for the visible range's inlay hints) moves the
  // diagnostics there, without an edit; a cursor inside what is shown moves nothing.
  auto lines_of = [](const Json& diagnostics) {
    std::set<long> out;
    for (std::size_t i = 1; i < diagnostics.size(); ++i) out.insert(diagnostics[i]["range"]["start"]["line"].get<long>());
    return out;
  };
  lsp.request("textDocument/inlayHint", Json{{"textDocument", {{"uri", kUri}}},
                                            {"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 4}, {"character", 0}}}}}});
  auto scrolled = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(scrolled);
  CHECK((*scrolled)["params"]["version"] == 2);
  CHECK(lines_of((*scrolled)["params"]["diagnostics"]).count(0) == 1);
  CHECK(lines_of((*scrolled)["params"]["diagnostics"]).count(30) == 0);
  auto code_actions_at = [&](int line) {
    lsp.request("textDocument/codeAction",
                Json{{"textDocument", {{"uri", kUri}}},
                     {"range", {{"start", {{"line", line}, {"character", 3}}}, {"end", {{"line", line}, {"character", 3}}}}},
                     {"context", {{"diagnostics", Json::array()}}}});
  };
  code_actions_at(1);
  CHECK_FALSE(lsp.wait_notification("textDocument/publishDiagnostics", 300));
  // Hovering is not working there: the mouse only passes by.
  lsp.request("textDocument/hover", Json{{"textDocument", {{"uri", kUri}}}, {"position", {{"line", 38}, {"character", 3}}}});
  CHECK_FALSE(lsp.wait_notification("textDocument/publishDiagnostics", 300));
  // The cursor far below (the client asks for its code actions) moves them again.
  code_actions_at(38);
  auto hovered = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(hovered);
  CHECK(lines_of((*hovered)["params"]["diagnostics"]).count(38) == 1);
  // 0: everything.
  lsp.notify("workspace/didChangeConfiguration", Json{{"settings", {{"lockward", {{"debounceMs", 0}, {"maxDiagnostics", 0}}}}}});
  auto all = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(all);
  CHECK((*all)["params"]["diagnostics"].size() > 40);
  CHECK_FALSE(contains(codes((*all)["params"]["diagnostics"]), "diagnostics-limit"));
}

TEST_CASE("lsp: a configuration change during an analysis is not lost", "[lsp][e2e]") {
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"debounceMs", 0}, {"maxDiagnostics", 0}});
  std::string text;
  for (int i = 0; i < 6000; ++i) text += "CREATE INDEX i" + std::to_string(i) + " ON t (c);\n";
  lsp.notify("textDocument/didOpen", open_params(text));
  // The first analysis takes a while; the new settings arrive while it runs.
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  lsp.notify("workspace/didChangeConfiguration",
             Json{{"settings", {{"lockward", {{"debounceMs", 0}, {"maxDiagnostics", 0}, {"rules", {{"create-index", "off"}}}}}}}});
  bool current = false;
  for (int i = 0; i < 3 && !current; ++i) {
    auto published = lsp.wait_notification("textDocument/publishDiagnostics", 20000);
    REQUIRE(published);
    current = !contains(codes((*published)["params"]["diagnostics"]), "create-index");
  }
  CHECK(current);
}

TEST_CASE("lsp: pull diagnostics with result ids", "[lsp][e2e]") {
  LspProcess lsp;
  lsp.initialize(Json{{"textDocument", {{"diagnostic", Json::object()}}}});
  lsp.notify("textDocument/didOpen", open_params("CREATE INDEX i ON t (c);"));
  Json full = lsp.request("textDocument/diagnostic", Json{{"textDocument", {{"uri", kUri}}}});
  CHECK(full["result"]["kind"] == "full");
  CHECK(contains(codes(full["result"]["items"]), "create-index"));
  Json again = lsp.request("textDocument/diagnostic",
                           Json{{"textDocument", {{"uri", kUri}}}, {"previousResultId", full["result"]["resultId"]}});
  CHECK(again["result"]["kind"] == "unchanged");
}

TEST_CASE("lsp: a client that pulls is asked to refresh when shown diagnostics change without an edit", "[lsp][e2e]") {
  LspProcess lsp;
  lsp.initialize(Json{{"textDocument", {{"diagnostic", Json::object()}}},
                      {"workspace", {{"diagnostics", {{"refreshSupport", true}}}}}},
                 Json{{"debounceMs", 0}, {"maxDiagnostics", 3}});
  std::string text;
  for (int i = 0; i < 30; ++i) text += "CREATE INDEX i" + std::to_string(i) + " ON t (c);\n";
  lsp.notify("textDocument/didOpen", open_params(text));
  Json first = lsp.request("textDocument/diagnostic", Json{{"textDocument", {{"uri", kUri}}}});
  REQUIRE(first["result"]["items"].size() == 4);
  CHECK(first["result"]["items"][1]["range"]["start"]["line"] == 0);
  // The cursor goes to line 25, where findings are hidden.
  lsp.request("textDocument/codeAction",
              Json{{"textDocument", {{"uri", kUri}}},
                   {"range", {{"start", {{"line", 25}, {"character", 2}}}, {"end", {{"line", 25}, {"character", 2}}}}},
                   {"context", {{"diagnostics", Json::array()}}}});
  auto refresh = lsp.wait_for([](const Json& m) { return m.value("method", "") == "workspace/diagnostic/refresh"; }, 5000);
  REQUIRE(refresh);
  CHECK_FALSE(refresh->contains("params"));
  lsp.send(Json{{"jsonrpc", "2.0"}, {"id", (*refresh)["id"]}, {"result", nullptr}});
  Json again = lsp.request("textDocument/diagnostic",
                           Json{{"textDocument", {{"uri", kUri}}}, {"previousResultId", first["result"]["resultId"]}});
  REQUIRE(again["result"]["kind"] == "full");
  CHECK(again["result"]["items"][1]["range"]["start"]["line"] >= 23);
}

TEST_CASE("lsp: bad input never takes the server down", "[lsp][e2e][robustness]") {
  LspProcess lsp({"--max-message-bytes", "100000"});
  lsp.initialize();
  lsp.send_raw("Content-Length: 9\r\n\r\n{invalid}");
  auto parse_error = lsp.receive();
  REQUIRE(parse_error);
  CHECK((*parse_error)["error"]["code"] == -32700);
  lsp.send_raw("Content-Type: nothing\r\n\r\n");
  auto header_error = lsp.receive();
  REQUIRE(header_error);
  CHECK((*header_error)["error"]["code"] == -32700);
  lsp.send_raw("Content-Length: 5000000\r\n\r\n" + std::string(5000000, ' '));  // over the cap, skipped
  auto big = lsp.receive();
  REQUIRE(big);
  CHECK((*big)["error"]["message"].get<std::string>().find("exceeds the limit") != std::string::npos);
  // Wrong types and out-of-range positions.
  CHECK(lsp.request("textDocument/hover", Json{{"textDocument", 5}})["error"]["code"] == -32602);
  lsp.notify("textDocument/didOpen", open_params("SELECT 1;"));
  Json far = lsp.request("textDocument/hover", Json{{"textDocument", {{"uri", kUri}}},
                                                    {"position", {{"line", 999999}, {"character", 999999}}}});
  CHECK(far.contains("result"));
  lsp.notify("textDocument/didChange",
             Json{{"textDocument", {{"uri", kUri}, {"version", 2}}},
                  {"contentChanges", Json::array({Json{{"range", {{"start", {{"line", 50}, {"character", 3}}},
                                                                  {"end", {{"line", 2}, {"character", 0}}}}},
                                                       {"text", "x"}}})}});
  // Invalid UTF-8 inside a message body.
  std::string bad = "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"textDocument/hover\",\"params\":{\"x\":\"\xff\xfe\"}}";
  lsp.send_raw("Content-Length: " + std::to_string(bad.size()) + "\r\n\r\n" + bad);
  auto utf8 = lsp.wait_response(nullptr);  // unparseable JSON: the id cannot be known
  REQUIRE(utf8);
  CHECK(utf8->contains("error"));
  // Still answering.
  CHECK(lsp.request("shutdown", nullptr)["result"].is_null());
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}

TEST_CASE("lsp: inlay hints, code lens, symbols and folding", "[lsp][e2e]") {
  LspProcess lsp;
  lsp.initialize();
  std::string text =
      "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE orders\n  ADD COLUMN note text;\nCREATE INDEX i ON users (email);\nCOMMIT;\n";
  lsp.notify("textDocument/didOpen", open_params(text));
  Json doc{{"uri", kUri}};
  Json hints = lsp.request("textDocument/inlayHint",
                           Json{{"textDocument", doc}, {"range", {{"start", {{"line", 0}, {"character", 0}}},
                                                                  {"end", {{"line", 6}, {"character", 0}}}}}})["result"];
  REQUIRE(hints.size() == 2);
  CHECK(hints[0]["label"] == "ACCESS EXCLUSIVE orders");
  CHECK(hints[0]["position"] == Json{{"line", 3}, {"character", 23}});
  CHECK(hints[1]["label"].get<std::string>().rfind("SHARE users", 0) == 0);

  Json lenses = lsp.request("textDocument/codeLens", Json{{"textDocument", doc}})["result"];
  REQUIRE(lenses.size() == 1);
  CHECK(lenses[0]["range"]["start"]["line"] == 1);
  CHECK(lenses[0]["command"]["title"] == "holds until COMMIT: ACCESS EXCLUSIVE orders, SHARE users");

  Json symbols = lsp.request("textDocument/documentSymbol", Json{{"textDocument", doc}})["result"];
  REQUIRE(symbols.size() == 5);
  CHECK(symbols[2]["name"] == "ALTER TABLE orders");
  CHECK(symbols[2]["detail"] == "ACCESS EXCLUSIVE on orders");

  Json folds = lsp.request("textDocument/foldingRange", Json{{"textDocument", doc}})["result"];
  bool transaction_fold = false, statement_fold = false;
  for (const auto& f : folds) {
    if (f["startLine"] == 1 && f["endLine"] == 5) transaction_fold = true;
    if (f["startLine"] == 2 && f["endLine"] == 3) statement_fold = true;
  }
  CHECK(transaction_fold);
  CHECK(statement_fold);
}

TEST_CASE("lsp: documents that are not SQL are left alone", "[lsp][e2e]") {
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", "file:///tmp/readme.md"}, {"languageId", "markdown"},
                                                            {"version", 1}, {"text", "CREATE INDEX i ON t (c);"}}}});
  Json hover = lsp.request("textDocument/hover", Json{{"textDocument", {{"uri", "file:///tmp/readme.md"}}},
                                                      {"position", {{"line", 0}, {"character", 1}}}});
  CHECK(hover["result"].is_null());
  // pgsql language id without a .sql extension is analysed.
  lsp.notify("textDocument/didOpen", Json{{"textDocument", {{"uri", "untitled:Untitled-1"}, {"languageId", "pgsql"},
                                                            {"version", 1}, {"text", "CREATE INDEX i ON t (c);"}}}});
  auto published = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(published);
  CHECK((*published)["params"]["uri"] == "untitled:Untitled-1");
}

TEST_CASE("lsp: codeActionKinds lists every kind of action the server offers", "[lsp][e2e]") {
  LspProcess lsp;
  Json init = lsp.initialize();
  std::set<std::string> advertised;
  for (const auto& k : init["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"]) advertised.insert(k);
  // A file whose actions include quick fixes, the fix-all source action and the trace.
  lsp.notify("textDocument/didOpen", open_params("CREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN d int NOT NULL;\n"));
  REQUIRE(lsp.wait_notification("textDocument/publishDiagnostics"));
  Json actions = lsp.request("textDocument/codeAction",
                             Json{{"textDocument", {{"uri", kUri}}},
                                  {"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 2}, {"character", 0}}}}},
                                  {"context", {{"diagnostics", Json::array()}}}});
  std::set<std::string> offered;
  for (const auto& a : actions["result"]) offered.insert(a["kind"].get<std::string>());
  CHECK(offered.count("quickfix"));
  CHECK(offered.count("source.fixAll.lockward"));
  CHECK(offered.count("source.lockward.trace"));
  for (const auto& kind : offered) {
    INFO(kind);
    CHECK(advertised.count(kind));
  }
}

TEST_CASE("lsp: stderr carries warnings and errors only unless --log-level asks for more", "[lsp][e2e]") {
  auto session = [](std::vector<std::string> args) {
    auto lsp = std::make_unique<LspProcess>(std::move(args));
    lsp->initialize();
    lsp->notify("textDocument/didOpen", open_params("CREATE INDEX i ON t (c);"));
    lsp->wait_notification("textDocument/publishDiagnostics");
    lsp->request("shutdown", nullptr);
    lsp->notify("exit", nullptr);
    CHECK(lsp->wait_exit() == 0);
    return lsp;
  };
  // No level given: a normal session writes nothing to stderr (Neovim logs stderr as errors).
  CHECK(session({"--log-level", "default"})->stderr_text().empty());
  // Asked for: the informational lines are there.
  CHECK(session({"--log-level", "info"})->stderr_text().find("language server started") != std::string::npos);
  // A log file gets info by default; stderr stays quiet.
  char tmpl[] = "/tmp/lockward-lsp-log-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  auto in_file = session({"--log-level", "default", "--log-file", tmpl});
  CHECK(in_file->stderr_text().empty());
  std::ifstream log(tmpl);
  std::string content((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(content.find("language server started") != std::string::npos);
  std::remove(tmpl);
}

TEST_CASE("lsp: a document too large to check its fixes gets only the ignore comments", "[lsp][e2e][fixes]") {
  LspProcess lsp;
  lsp.initialize();
  std::string text;
  for (int i = 0; text.size() <= (512u << 10); ++i) text += "CREATE INDEX i" + std::to_string(i) + " ON t (c);\n";
  lsp.notify("textDocument/didOpen", open_params(text));
  REQUIRE(lsp.wait_notification("textDocument/publishDiagnostics", 30000));
  Json actions = lsp.request("textDocument/codeAction",
                             Json{{"textDocument", {{"uri", kUri}}},
                                  {"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}}},
                                  {"context", {{"diagnostics", Json::array()}, {"only", Json::array({"quickfix"})}}}},
                             30000);
  REQUIRE(actions["result"].is_array());
  std::size_t ignores = 0;
  for (const auto& a : actions["result"]) {
    INFO(a["title"]);
    CHECK(a["title"].get<std::string>().starts_with("Ignore "));
    ++ignores;
  }
  CHECK(ignores > 0);
}

TEST_CASE("lsp: a code action request the editor makes by itself gets no fix-all", "[lsp][e2e][fixes]") {
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen", open_params("CREATE INDEX i ON t (c);\n"));
  REQUIRE(lsp.wait_notification("textDocument/publishDiagnostics"));
  auto kinds = [&](const Json& context) {
    Json actions = lsp.request("textDocument/codeAction",
                               Json{{"textDocument", {{"uri", kUri}}},
                                    {"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}}},
                                    {"context", context}});
    std::set<std::string> out;
    for (const auto& a : actions["result"]) out.insert(a["kind"].get<std::string>());
    return out;
  };
  // VS Code's light bulb (triggerKind 2, Automatic) shows no source actions.
  CHECK(kinds(Json{{"diagnostics", Json::array()}, {"triggerKind", 2}}) ==
        std::set<std::string>{"quickfix", "source.lockward.trace"});
  CHECK(kinds(Json{{"diagnostics", Json::array()}, {"triggerKind", 1}}).count("source.fixAll.lockward"));
  CHECK(kinds(Json{{"diagnostics", Json::array()}, {"triggerKind", 2}, {"only", Json::array({"source"})}})
            .count("source.fixAll.lockward"));
}

TEST_CASE("lsp: a statement whose locks are unknown is a warning, and hover says to trace it", "[lsp][e2e][coverage]") {
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen", open_params("SET lock_timeout = '2s';\nDO $$ BEGIN EXECUTE 'LOCK TABLE ' || 't'; END $$;\n"));
  auto published = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(published);
  Json unknown;
  for (const auto& d : (*published)["params"]["diagnostics"])
    if (d["code"] == "unknown-lock") unknown = d;
  REQUIRE(unknown.is_object());
  CHECK(unknown["severity"] == 2);  // Warning
  CHECK(unknown["message"].get<std::string>().find("UNKNOWN") != std::string::npos);
  Json hover = lsp.request("textDocument/hover",
                           Json{{"textDocument", {{"uri", kUri}}}, {"position", {{"line", 1}, {"character", 1}}}});
  std::string md = hover["result"]["contents"]["value"];
  CHECK(md.find("unknown** — trace it to learn") != std::string::npos);
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}

TEST_CASE("lsp: a DO block's diagnostics are at the statements inside it", "[lsp][e2e][do]") {
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen",
             open_params("SET lock_timeout = '2s';\n"
                         "DO $$\n"
                         "BEGIN\n"
                         "  ALTER TABLE t ALTER COLUMN c TYPE bigint;\n"
                         "  EXECUTE 'LOCK TABLE ' || quote_ident('u');\n"
                         "END $$;\n"));
  auto published = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(published);
  Json type, unknown;
  for (const auto& d : (*published)["params"]["diagnostics"]) {
    if (d["code"] == "alter-column-type") type = d;
    if (d["code"] == "unknown-lock") unknown = d;
  }
  REQUIRE(type.is_object());
  CHECK(type["range"]["start"] == Json{{"line", 3}, {"character", 16}});  // ALTER COLUMN c TYPE bigint
  CHECK(type["range"]["end"]["line"] == 3);
  REQUIRE(unknown.is_object());
  CHECK(unknown["range"]["start"] == Json{{"line", 4}, {"character", 10}});  // the dynamic string
  CHECK(unknown["message"].get<std::string>().find("EXECUTE of a dynamic string at line 4 of the block") !=
        std::string::npos);
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}
