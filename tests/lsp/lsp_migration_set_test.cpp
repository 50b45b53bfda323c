// The language server reads an open document as its migration tool runs it: its history in
// the tool's order (other open buffers in place of their files) and its Down section as the
// rollback. Through the real binary.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/support/lsp_process.h"
#include "tests/support/run_binary.h"

using lockward::test::Json;
using lockward::test::LspProcess;
using lockward::test::TempDir;

namespace {

std::string message_of(const Json& diagnostics, const std::string& code, bool rollback) {
  for (const auto& d : diagnostics) {
    const std::string m = d["message"];
    if (d["code"] == code && (m.starts_with("rollback (down migration): ") == rollback)) return m;
  }
  return "";
}

}  // namespace

TEST_CASE("lsp: a goose document's history and its Down section as the rollback", "[lsp][e2e][migration-set]") {
  TempDir dir;
  // Name order would put 10_ first: its history would then be empty.
  dir.write("1_create_users.sql",
            "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
            "CREATE INDEX users_email_idx ON users (email);\n-- +goose Down\nDROP TABLE users;\n");
  const std::string text =
      "-- +goose Up\nSET lock_timeout = '2s';\nDROP INDEX users_email_idx;\n"
      "-- +goose Down\nCREATE INDEX users_email_idx ON users (email);\n";
  const std::string file = dir.write("10_drop_index.sql", text);
  const std::string uri = "file://" + file;
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  auto published = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(published);
  const Json& diags = (*published)["params"]["diagnostics"];
  INFO(diags.dump(2));
  // The history says which table the index is on.
  CHECK(message_of(diags, "drop-index", false).find("on table users") != std::string::npos);
  // The Down section is its own run: the rollback's, without the Up part's lock_timeout.
  CHECK_FALSE(message_of(diags, "create-index", true).empty());
  CHECK_FALSE(message_of(diags, "missing-lock-timeout", true).empty());
  CHECK(message_of(diags, "missing-lock-timeout", false).empty());

  // An edit to the document: the history still holds (it is not re-read, and still right).
  const std::string edited = text + "\n";
  lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", uri}, {"version", 2}}},
                                            {"contentChanges", Json::array({Json{{"text", edited}}})}});
  auto after = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(after);
  CHECK(message_of((*after)["params"]["diagnostics"], "drop-index", false).find("on table users") != std::string::npos);

  // The earlier migration open with other text: its buffer counts, not the file.
  const std::string first_uri = "file://" + (dir.path / "1_create_users.sql").string();
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument",
                   {{"uri", first_uri}, {"languageId", "sql"}, {"version", 1},
                    {"text", "-- +goose Up\nCREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n"
                             "CREATE INDEX users_email_idx ON accounts (email);\n"}}}});
  lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", uri}, {"version", 3}}},
                                            {"contentChanges", Json::array({Json{{"text", text}}})}});
  auto moved = lsp.wait_for(
      [&](const Json& m) {
        return m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri &&
               m["params"].value("version", 0) == 3;
      },
      10000);
  REQUIRE(moved);
  CHECK(message_of((*moved)["params"]["diagnostics"], "drop-index", false).find("on table accounts") != std::string::npos);
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}

TEST_CASE("lsp: a migration created on disk is history of the open document after it", "[lsp][e2e][migration-set][watch]") {
  TempDir dir;
  dir.write("V1__init.sql", "SELECT 1;\n");
  const std::string text = "SET lock_timeout = '2s';\nDROP INDEX users_email_idx;\n";
  const std::string file = dir.write("V10__drop_index.sql", text);
  const std::string uri = "file://" + file;
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  auto first = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(first);
  INFO((*first)["params"]["diagnostics"].dump(2));
  CHECK(message_of((*first)["params"]["diagnostics"], "drop-index", false).find("on table users") == std::string::npos);
  // V2 appears on disk (a git pull, a generator): Flyway runs it before V10.
  const std::string v2 = dir.write("V2__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
                                                    "CREATE INDEX users_email_idx ON users (email);\n");
  lsp.notify("workspace/didChangeWatchedFiles",
             Json{{"changes", Json::array({Json{{"uri", "file://" + v2}, {"type", 1}}})}});
  auto found = lsp.wait_for(
      [&](const Json& m) {
        return m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri &&
               message_of(m["params"]["diagnostics"], "drop-index", false).find("on table users") != std::string::npos;
      },
      10000);
  CHECK(found);
  // Deleted again: the history no longer has the table.
  std::filesystem::remove(v2);
  lsp.notify("workspace/didChangeWatchedFiles",
             Json{{"changes", Json::array({Json{{"uri", "file://" + v2}, {"type", 3}}})}});
  auto gone = lsp.wait_for(
      [&](const Json& m) {
        return m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri &&
               message_of(m["params"]["diagnostics"], "drop-index", false).find("on table users") == std::string::npos;
      },
      10000);
  CHECK(gone);
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}

TEST_CASE("lsp: a Down section sees its history and its own Up part, as check does", "[lsp][e2e][migration-set]") {
  TempDir dir;
  dir.write("1_accounts.sql", "-- +goose Up\nCREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n"
                              "-- +goose Down\nDROP TABLE accounts;\n");
  const std::string up = "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
                         "CREATE INDEX users_email_idx ON users (email);\n";
  const std::string text = up + "-- +goose Down\nDROP INDEX users_email_idx;\n";
  const std::string file = dir.write("2_users.sql", text);
  const std::string uri = "file://" + file;
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument", {{"uri", uri}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  auto published = lsp.wait_notification("textDocument/publishDiagnostics");
  REQUIRE(published);
  {
    const Json& diags = (*published)["params"]["diagnostics"];
    INFO(diags.dump(2));
    // The rollback's finding, on the index its own Up part created.
    CHECK(message_of(diags, "drop-index", true).find("on table users") != std::string::npos);
    CHECK(message_of(diags, "drop-index", false).empty());
  }
  auto version = [&](int v) {
    return lsp.wait_for(
        [&](const Json& m) {
          return m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri &&
                 m["params"].value("version", 0) == v;
        },
        10000);
  };
  // Keystrokes in the Down section: the same schema.
  const std::string typed = text + "DROP INDEX accounts_email_idx;\n";
  lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", uri}, {"version", 2}}},
                                            {"contentChanges", Json::array({Json{{"text", typed}}})}});
  auto after = version(2);
  REQUIRE(after);
  CHECK(message_of((*after)["params"]["diagnostics"], "drop-index", true).find("on table users") != std::string::npos);
  // The Up part changes: the Down section sees the new one (and still the history).
  const std::string moved = "-- +goose Up\nCREATE INDEX users_email_idx ON accounts (email);\n"
                            "-- +goose Down\nDROP INDEX users_email_idx;\n";
  lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", uri}, {"version", 3}}},
                                            {"contentChanges", Json::array({Json{{"text", moved}}})}});
  auto changed = version(3);
  REQUIRE(changed);
  INFO((*changed)["params"]["diagnostics"].dump(2));
  CHECK(message_of((*changed)["params"]["diagnostics"], "drop-index", true).find("on table accounts") !=
        std::string::npos);
  lsp.request("shutdown", nullptr);
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}
