// The language server survives statements nested too deep to parse (its analysis worker and
// the pool threads that parse large files in batches): the deep statement gets one
// statement-too-complex diagnostic, the others their usual ones, and the server keeps answering.
#include <catch2/catch.hpp>

#include "tests/support/deep_sql.h"
#include "tests/support/lsp_process.h"

using lockward::test::Json;
using lockward::test::LspProcess;

namespace {

const char* kUri = "file:///tmp/lockward-e2e/002_deep.sql";

// 100 ordinary statements (enough for a whole-file run to parse on the pool threads), then
// the deep one on line 100, then one more CREATE INDEX on line 101.
std::string file_with(const std::string& deep) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "CREATE INDEX i" + std::to_string(i) + " ON t (c);\n";
  return text + deep + ";\nCREATE INDEX last ON t (d);\n";
}

// The diagnostics' (line, code) pairs of one publication.
std::vector<std::pair<int, std::string>> lines_and_codes(const Json& published) {
  std::vector<std::pair<int, std::string>> out;
  for (const auto& d : published["params"]["diagnostics"])
    out.emplace_back(d["range"]["start"]["line"].get<int>(), d["code"].get<std::string>());
  return out;
}

void check_published(LspProcess& lsp, long version) {
  auto published = lsp.wait_for(
      [&](const Json& m) {
        return m.value("method", "") == "textDocument/publishDiagnostics" && m["params"].value("version", 0L) == version;
      },
      60000);
  REQUIRE(published);
  auto found = lines_and_codes(*published);
  CHECK(std::count(found.begin(), found.end(), std::pair<int, std::string>{100, "statement-too-complex"}) == 1);
  CHECK(std::count_if(found.begin(), found.end(), [](const auto& p) { return p.second == "statement-too-complex"; }) == 1);
  CHECK(std::count(found.begin(), found.end(), std::pair<int, std::string>{101, "create-index"}) == 1);
  CHECK(std::count(found.begin(), found.end(), std::pair<int, std::string>{0, "create-index"}) == 1);
}

}  // namespace

TEST_CASE("lsp: deeply nested statements are one diagnostic each, and the server lives on", "[lsp][e2e][deep]") {
  LspProcess lsp;
  lsp.initialize();
  const std::vector<std::string> deep = {lockward::test::plus_chain(25'000), lockward::test::plus_chain(200'000),
                                         lockward::test::nested_parens(100'000),
                                         lockward::test::nested_subqueries(5'000), lockward::test::nested_case(3'000)};
  lsp.notify("textDocument/didOpen",
             Json{{"textDocument", {{"uri", kUri}, {"languageId", "sql"}, {"version", 1}, {"text", file_with(deep[0])}}}});
  check_published(lsp, 1);
  for (std::size_t i = 1; i < deep.size(); ++i) {
    long version = static_cast<long>(i) + 1;
    lsp.notify("textDocument/didChange", Json{{"textDocument", {{"uri", kUri}, {"version", version}}},
                                              {"contentChanges", Json::array({Json{{"text", file_with(deep[i])}}})}});
    check_published(lsp, version);
  }
  Json hover = lsp.request("textDocument/hover",
                           Json{{"textDocument", {{"uri", kUri}}}, {"position", {{"line", 100}, {"character", 3}}}});
  CHECK(hover["result"]["contents"]["value"].get<std::string>().find("nested too deep") != std::string::npos);
  CHECK(lsp.request("shutdown", nullptr)["result"].is_null());
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}
