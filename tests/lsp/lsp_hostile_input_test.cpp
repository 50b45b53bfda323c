// End-to-end: whatever a client sends, the real `lockward lsp` answers each request exactly
// once, replies to no notification, and stays up (issue 11, "Hostile input").
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "tests/support/lsp_process.h"

using lockward::test::Json;
using lockward::test::LspProcess;

namespace {

const char* kUri = "file:///tmp/lockward-hostile/001_hostile.sql";

Json open_params(const std::string& text) {
  return Json{{"textDocument", {{"uri", kUri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}};
}

// Enough statements that the analysis is still running when the next request arrives.
std::string large_migration() {
  std::string text;
  for (int i = 0; i < 4000; ++i) text += "CREATE INDEX i" + std::to_string(i) + " ON t (c);\n";
  return text;
}

Json send_request(LspProcess& lsp, long id, const std::string& method, const Json& params) {
  lsp.send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
  return id;
}

Json hover_at(std::size_t line, std::size_t character) {
  return Json{{"textDocument", {{"uri", kUri}}}, {"position", {{"line", line}, {"character", character}}}};
}

// No further message answers `id` within a short while (each request gets exactly one).
bool answered_once_more(LspProcess& lsp, const Json& id) {
  return lsp.wait_response(id, 300).has_value();
}

}  // namespace

TEST_CASE("lsp: malformed requests waiting for an analysis get InvalidParams naming the field",
          "[lsp][e2e][robustness]") {
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen", open_params(large_migration()));
  // At once, while the first analysis runs: each of these would have had to wait for it.
  Json doc{{"uri", kUri}};
  send_request(lsp, 1, "textDocument/hover", Json{{"textDocument", doc}, {"position", nullptr}});
  send_request(lsp, 2, "textDocument/codeAction", Json{{"textDocument", doc}, {"range", nullptr}, {"context", Json::object()}});
  send_request(lsp, 3, "textDocument/codeAction", Json{{"textDocument", doc}, {"range", Json::object()}, {"context", Json::object()}});
  send_request(lsp, 4, "textDocument/inlayHint", Json{{"textDocument", doc}, {"range", Json::object()}});
  send_request(lsp, 5, "textDocument/inlayHint",
               Json{{"textDocument", doc}, {"range", {{"start", {{"line", -1}, {"character", 0}}}, {"end", {{"line", 1}, {"character", 0}}}}}});
  send_request(lsp, 6, "textDocument/hover", Json{{"textDocument", doc}, {"position", {{"line", "2"}, {"character", 0}}}});
  const std::pair<long, std::string> expected[] = {
      {1, "`position`"}, {2, "`range`"}, {3, "`range.start`"}, {4, "`range.start`"}, {5, "`range.start.line`"},
      {6, "`position.line`"}};
  for (const auto& [id, field] : expected) {
    auto response = lsp.wait_response(id, 20000);
    REQUIRE(response);
    INFO("request " << id << ": " << response->dump());
    CHECK((*response)["error"]["code"] == -32602);
    CHECK((*response)["error"]["message"].get<std::string>().find(field) != std::string::npos);
  }
  // The server lives, and answers the next hover once the analysis is done.
  Json hover = lsp.request("textDocument/hover", hover_at(2, 3), 20000);
  CHECK(hover["result"]["contents"]["value"].get<std::string>().find("SHARE") != std::string::npos);
  for (long id = 1; id <= 6; ++id) CHECK_FALSE(answered_once_more(lsp, id));
  CHECK(lsp.request("shutdown", nullptr)["result"].is_null());
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}

TEST_CASE("lsp: JSON nested 100,000 deep is a parse error, and the server lives", "[lsp][e2e][robustness]") {
  LspProcess lsp;
  lsp.initialize();
  std::string arrays = R"({"jsonrpc":"2.0","id":9,"method":"textDocument/hover","params":)" + std::string(100000, '[') +
                       std::string(100000, ']') + "}";
  lsp.send_raw("Content-Length: " + std::to_string(arrays.size()) + "\r\n\r\n" + arrays);
  auto error = lsp.wait_response(nullptr);
  REQUIRE(error);
  CHECK((*error)["error"]["code"] == -32700);
  std::string objects = R"({"jsonrpc":"2.0","method":"workspace/didChangeConfiguration","params":)";
  for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(100000, '}') + "}";
  lsp.send_raw("Content-Length: " + std::to_string(objects.size()) + "\r\n\r\n" + objects);
  auto second = lsp.wait_response(nullptr);
  REQUIRE(second);
  CHECK((*second)["error"]["code"] == -32700);
  CHECK(lsp.request("shutdown", nullptr)["result"].is_null());
}

TEST_CASE("lsp: a Content-Length of 2^63-1 is refused and the next message answered", "[lsp][e2e][robustness]") {
  LspProcess lsp;
  lsp.initialize();
  lsp.send_raw("Content-Length: 9223372036854775807\r\n\r\n");
  auto refused = lsp.wait_response(nullptr);
  REQUIRE(refused);
  CHECK((*refused)["error"]["code"] == -32700);
  CHECK(lsp.request("shutdown", nullptr, 5000)["result"].is_null());
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}

TEST_CASE("lsp: notifications with bad params get no reply", "[lsp][e2e][robustness]") {
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen", Json(5));                               // params neither object nor array
  lsp.notify("textDocument/didOpen", Json{{"textDocument", 5}});
  lsp.notify("textDocument/didOpen", open_params("SELECT 1;"));
  lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", kUri}, {"version", 2}}},
                                            {"contentChanges", Json::array({Json{{"range", {{"start", nullptr}}},
                                                                                 {"text", "x"}}})}});
  lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", kUri}}}, {"contentChanges", "x"}});
  lsp.notify("$/setTrace", nullptr);
  lsp.notify("window/workDoneProgress/cancel", Json::array());
  lsp.notify("textDocument/didSave", Json::object());
  Json response = lsp.request("textDocument/hover", hover_at(0, 1));
  CHECK(response.contains("result"));
  // Everything before the answer was a notification from the server, never a response.
  for (auto m = lsp.receive(300); m; m = lsp.receive(300)) {
    INFO(m->dump());
    CHECK(m->contains("method"));
  }
  // The bad change was not applied: the text is still "SELECT 1;".
  Json symbols = lsp.request("textDocument/documentSymbol", Json{{"textDocument", {{"uri", kUri}}}});
  REQUIRE(symbols["result"].size() == 1);
  CHECK(symbols["result"][0]["range"]["end"] == Json{{"line", 0}, {"character", 8}});
}

TEST_CASE("lsp: CR-only and CRLF texts get diagnostics on the right lines", "[lsp][e2e][robustness]") {
  for (std::string eol : {"\r", "\r\n", "\n"}) {
    INFO("line break " << Json(eol).dump());
    LspProcess lsp;
    lsp.initialize();
    std::string text = "SET lock_timeout = '2s';" + eol + "-- the users' emails" + eol + "CREATE INDEX users_email_idx" +
                       eol + "  ON users (email);" + eol;
    lsp.notify("textDocument/didOpen", open_params(text));
    auto published = lsp.wait_notification("textDocument/publishDiagnostics");
    REQUIRE(published);
    bool found = false;
    for (const auto& d : (*published)["params"]["diagnostics"]) {
      if (d["code"] != "create-index") continue;
      found = true;
      CHECK(d["range"]["start"] == Json{{"line", 2}, {"character", 0}});
      CHECK(d["range"]["end"]["line"] == 3);
    }
    CHECK(found);
    Json hover = lsp.request("textDocument/hover", hover_at(3, 4));
    REQUIRE(hover["result"].is_object());
    CHECK(hover["result"]["contents"]["value"].get<std::string>().find("`SHARE` on table `users`") != std::string::npos);
  }
}

TEST_CASE("lsp: exit ends the process at once while a huge one-line document is analysed", "[lsp][e2e][robustness]") {
  LspProcess lsp;
  lsp.initialize(Json::object(), Json{{"debounceMs", 0}, {"maxDiagnostics", 0}});
  std::string text;
  while (text.size() < 10'000'000) text += "CREATE INDEX i ON t (c); ALTER TABLE t ADD COLUMN c integer NOT NULL; ";
  lsp.notify("textDocument/didOpen", open_params(text));
  // The server reads the 10 MB, and starts analysing: still answering on its event loop.
  CHECK(lsp.request("shutdown", nullptr, 20000)["result"].is_null());
  const auto sent = std::chrono::steady_clock::now();
  lsp.notify("exit", nullptr);
  // Within a second of `exit` by the server's own limit; more here only for a loaded machine.
  CHECK(lsp.wait_exit(5000) == 0);
  INFO("exit took " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent).count()
                    << " ms");
}

TEST_CASE("lsp: exit while a request waits for an analysis answers it and ends cleanly", "[lsp][e2e][robustness]") {
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen", open_params(large_migration() + large_migration()));
  // All at once: the hover waits for the first analysis, and the server is torn down while it
  // does. Its reply used to destroy the cancel entry that owned it: a double free.
  send_request(lsp, 2, "textDocument/hover", hover_at(2, 3));
  send_request(lsp, 3, "shutdown", nullptr);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit(5000) == 0);
  INFO(lsp.stderr_text());
  CHECK(lsp.stderr_text().find("double free") == std::string::npos);
}
