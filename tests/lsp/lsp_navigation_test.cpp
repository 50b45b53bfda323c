// Go to definition, find references and hover's origin line in a folder of two migrations: a
// name jumps to the statement that created it (in the earlier file, or earlier in the open
// one); an unknown name is null / [], never an error; malformed positions do not crash.
// Through the real binary.
#include <catch2/catch.hpp>

#include <string>

#include "tests/support/lsp_process.h"
#include "tests/support/run_binary.h"

using lockward::test::Json;
using lockward::test::LspProcess;
using lockward::test::TempDir;

namespace {

// The position of the `nth` occurrence of `needle` in `text`, `into` bytes in (ASCII text).
Json position_of(const std::string& text, const std::string& needle, int nth = 0, std::size_t into = 1) {
  std::size_t at = text.find(needle);
  for (int i = 0; i < nth && at != std::string::npos; ++i) at = text.find(needle, at + 1);
  REQUIRE(at != std::string::npos);
  at += into;
  const std::size_t line_start = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  int line = 0;
  for (std::size_t i = 0; i < line_start; ++i) line += text[i] == '\n';
  return Json{{"line", line}, {"character", at - line_start}};
}

}  // namespace

TEST_CASE("lsp: definition, references and hover origin across migrations", "[lsp][e2e][navigation]") {
  TempDir dir;
  const std::string init =
      "CREATE TABLE users (\n"                                                     // 0
      "  id bigint PRIMARY KEY,\n"                                                 // 1
      "  email text NOT NULL\n"                                                    // 2
      ");\n"                                                                       // 3
      "CREATE INDEX users_email_idx ON users (email);\n"                           // 4
      "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"                                  // 5
      "ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> '');\n";  // 6
  const std::string init_path = dir.write("0001_init.sql", init);
  const std::string text =
      "ALTER TABLE users ADD COLUMN feeling mood;\n"                               // 0
      "DROP INDEX users_email_idx;\n"                                              // 1
      "ALTER TABLE users DROP CONSTRAINT users_email_check;\n"                     // 2
      "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);\n"                  // 3
      "CREATE TABLE posts (id bigint, author bigint REFERENCES users (id));\n"     // 4
      "ALTER TABLE posts ADD COLUMN title text;\n"                                 // 5
      "ALTER TABLE nosuch ADD COLUMN x int;\n";                                    // 6
  const std::string uri = "file://" + dir.write("0002_change.sql", text);
  const std::string init_uri = "file://" + init_path;
  LspProcess lsp;
  const Json init_result = lsp.initialize();
  CHECK(init_result.dump().find("\"definitionProvider\":true") != std::string::npos);
  CHECK(init_result.dump().find("\"referencesProvider\":true") != std::string::npos);
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  REQUIRE(lsp.wait_notification("textDocument/publishDiagnostics"));

  auto at = [&](const std::string& method, const Json& position) {
    Json params{{"textDocument", {{"uri", uri}}}, {"position", position}};
    if (method == "textDocument/references") params["context"] = Json{{"includeDeclaration", true}};
    return lsp.request(method, params);
  };
  auto definition_line = [&](const Json& position, const std::string& want_uri) {
    const Json response = at("textDocument/definition", position);
    INFO(response.dump());
    REQUIRE(response.contains("result"));
    REQUIRE(response["result"].is_object());
    CHECK(response["result"]["uri"] == want_uri);
    return response["result"]["range"]["start"]["line"].get<int>();
  };

  // A table, an index, a constraint, a column and a type from the earlier migration.
  CHECK(definition_line(position_of(text, "users"), init_uri) == 0);
  CHECK(definition_line(position_of(text, "users_email_idx"), init_uri) == 4);
  CHECK(definition_line(position_of(text, "users_email_check"), init_uri) == 6);
  CHECK(definition_line(position_of(text, "email TYPE"), init_uri) == 0);
  CHECK(definition_line(position_of(text, "mood"), init_uri) == 5);
  // A table created earlier in the same file, and its column added there.
  CHECK(definition_line(position_of(text, "posts", 1), uri) == 4);
  CHECK(definition_line(position_of(text, "users (id)"), init_uri) == 0);

  // A table nobody created: no definition; its references are the statements naming it.
  const Json nosuch = at("textDocument/definition", position_of(text, "nosuch"));
  CHECK(nosuch.contains("result"));
  CHECK(nosuch["result"].is_null());
  const Json nosuch_refs = at("textDocument/references", position_of(text, "nosuch"));
  REQUIRE(nosuch_refs["result"].size() == 1);
  CHECK(nosuch_refs["result"][0]["range"]["start"]["line"] == 6);
  // Keywords and built-in types: null and [], not an error.
  for (const Json& position : {position_of(text, "ALTER"), position_of(text, "varchar"), position_of(text, "bigint")}) {
    const Json response = at("textDocument/definition", position);
    INFO(response.dump());
    CHECK(response.contains("result"));
    CHECK(response["result"].is_null());
    const Json refs = at("textDocument/references", position);
    CHECK(refs["result"] == Json::array());
  }

  // References: every statement that touched users, in both files, oldest first.
  const Json refs = at("textDocument/references", position_of(text, "users"));
  INFO(refs.dump(2));
  REQUIRE(refs["result"].is_array());
  std::vector<std::pair<std::string, int>> seen;
  for (const Json& l : refs["result"]) seen.emplace_back(l["uri"], l["range"]["start"]["line"].get<int>());
  REQUIRE(seen.size() >= 5);
  CHECK(seen.front() == std::pair<std::string, int>{init_uri, 0});
  CHECK(std::find(seen.begin(), seen.end(), std::pair<std::string, int>{init_uri, 6}) != seen.end());
  CHECK(std::find(seen.begin(), seen.end(), std::pair<std::string, int>{uri, 0}) != seen.end());
  CHECK(std::find(seen.begin(), seen.end(), std::pair<std::string, int>{uri, 3}) != seen.end());
  // Without the declaration: the CREATE TABLE is left out.
  const Json no_decl = lsp.request("textDocument/references",
                                   Json{{"textDocument", {{"uri", uri}}},
                                        {"position", position_of(text, "users")},
                                        {"context", {{"includeDeclaration", false}}}});
  CHECK(no_decl["result"].size() + 1 == refs["result"].size());

  // Hover names where the object came from.
  const Json hover = at("textDocument/hover", position_of(text, "users_email_idx"));
  INFO(hover.dump(2));
  const std::string md = hover["result"]["contents"]["value"];
  CHECK(md.find("index users_email_idx on users, created in 0001_init.sql:5") != std::string::npos);
  const Json local_hover = at("textDocument/hover", position_of(text, "posts", 1));
  CHECK(local_hover["result"]["contents"]["value"].get<std::string>().find("table posts, created in line 5 of this file") !=
        std::string::npos);

  // Malformed positions: clamped or refused as invalid params; the server goes on.
  for (const Json& position : {Json{{"line", 999}, {"character", 999}}, Json{{"line", -3}, {"character", -1}},
                               Json{{"line", "x"}}, Json(nullptr)}) {
    for (const char* method : {"textDocument/definition", "textDocument/references", "textDocument/hover"}) {
      const Json response = at(method, position);
      INFO(response.dump());
      CHECK((response.contains("result") || response["error"]["code"] == -32602));
    }
  }
  CHECK(definition_line(position_of(text, "users"), init_uri) == 0);  // still answering
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}
