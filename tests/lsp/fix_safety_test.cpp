// Every quick fix the language server offers, applied to every example, fixture and catalogue
// example (bare, inside BEGIN … COMMIT, under a migration tool that wraps files), leaves a
// file that is no worse: every statement that parsed still parses, and no rule reports more
// error-severity findings. The check here is written apart from analysis/rewrite/fix_check.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "analysis/analyze.h"
#include "analysis/catalog/catalogue.h"
#include "bench/generate.h"
#include "server/lsp/convert.h"
#include "tests/support/run_binary.h"

using namespace lockward;
using server::lsp::Document;
using server::lsp::Json;

namespace {

struct Case {
  std::string name;
  std::string text;
};

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<Case> cases() {
  std::vector<Case> out;
  const std::filesystem::path root = LOCKWARD_SOURCE_DIR;
  for (const char* dir : {"examples", "tests/editors"}) {
    for (const auto& entry : std::filesystem::directory_iterator(root / dir)) {
      if (entry.path().extension() == ".sql") out.push_back({entry.path().filename().string(), read(entry.path())});
    }
  }
  for (const analysis::CatalogueRow& row : analysis::catalogue()) {
    if (row.example.empty()) continue;
    std::string example(row.example);
    out.push_back({std::string(row.id) + " (bare)", example + ";\n"});
    out.push_back({std::string(row.id) + " (in BEGIN)", "BEGIN;\nSET LOCAL lock_timeout = '2s';\n" + example + ";\nCOMMIT;\n"});
  }
  out.push_back({"generated migration", bench::generate_migration(80)});
  return out;
}

// Rule → error-severity findings; the statements that failed to parse.
std::map<std::string, int> errors(const analysis::Analysis& a) {
  std::map<std::string, int> out;
  for (const auto& f : a.findings)
    if (f.severity == analysis::Severity::Error) ++out[f.rule];
  out["(parse errors)"] = static_cast<int>(a.coverage.parse_errors);
  return out;
}

std::string apply_edit(const Document& doc, const Json& edit) {
  std::string text = *doc.text();
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::vector<std::string> texts;
  for (const auto& e : edit["changes"][doc.uri()]) {
    auto at = [&](const Json& p) {
      return doc.lines().offset(protocol::Position{p["line"].get<std::size_t>(), p["character"].get<std::size_t>()},
                                protocol::PositionEncoding::Utf8);
    };
    ranges.emplace_back(at(e["range"]["start"]), at(e["range"]["end"]));
    texts.push_back(e["newText"]);
  }
  std::vector<std::size_t> order(ranges.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return ranges[a].first > ranges[b].first; });
  for (std::size_t i : order) text.replace(ranges[i].first, ranges[i].second - ranges[i].first, texts[i]);
  return text;
}

}  // namespace

TEST_CASE("every offered fix leaves every example no worse", "[lsp][fixes]") {
  std::size_t offered = 0, edits = 0;
  for (const std::string tool : {"", "goose"}) {
    for (int pg : {11, 14, 17}) {
      analysis::Options options;
      options.pg_version = pg;
      options.migration_tool = tool;
      for (const Case& c : cases()) {
        const analysis::Analysis before = analysis::analyze(c.text, options);
        Document doc("file:///tmp/fixes/001.sql", "sql", 1, c.text);
        const Json actions = server::lsp::code_actions(doc, before, options, protocol::PositionEncoding::Utf8,
                                                       {0, c.text.size()}, Json(), false);
        const auto had = errors(before);
        for (const Json& action : actions) {
          if (!action.contains("edit")) continue;
          ++offered;
          const std::string fixed = apply_edit(doc, action["edit"]);
          edits += fixed != c.text;
          const auto now = errors(analysis::analyze(fixed, options));
          for (const auto& [rule, count] : now) {
            auto it = had.find(rule);
            INFO(c.name << ", PostgreSQL " << pg << ", tool '" << tool << "': " << action["title"] << "\n" << fixed);
            CHECK(count <= (it == had.end() ? 0 : it->second));
          }
        }
      }
    }
  }
  // Not vacuous: many fixes were offered and applied.
  CHECK(offered > 500);
  CHECK(edits == offered);
}

TEST_CASE("CONCURRENTLY is not offered where it would run inside a transaction", "[lsp][fixes]") {
  auto titles = [](const std::string& text, const std::string& tool) {
    analysis::Options options;
    options.pg_version = 17;
    options.migration_tool = tool;
    const analysis::Analysis a = analysis::analyze(text, options);
    Document doc("file:///tmp/fixes/001.sql", "sql", 1, text);
    std::vector<std::string> out;
    for (const Json& action : server::lsp::code_actions(doc, a, options, protocol::PositionEncoding::Utf8,
                                                        {0, text.size()}, Json(), false)) {
      out.push_back(action["title"]);
    }
    return out;
  };
  auto has = [](const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); };
  const std::string index = "CREATE INDEX users_created_at_idx ON users (created_at);\n";
  // examples/003_risky_changes.sql: the index is built inside BEGIN … COMMIT.
  CHECK_FALSE(has(titles(read(std::filesystem::path(LOCKWARD_SOURCE_DIR) / "examples/003_risky_changes.sql"), ""),
                  "Use CONCURRENTLY"));
  CHECK_FALSE(has(titles("BEGIN;\n" + index + "COMMIT;\n", ""), "Use CONCURRENTLY"));
  CHECK_FALSE(has(titles(index, "goose"), "Use CONCURRENTLY"));  // goose wraps the file
  CHECK(has(titles(index, ""), "Use CONCURRENTLY"));
  CHECK(has(titles("-- +goose NO TRANSACTION\n" + index, "goose"), "Use CONCURRENTLY"));
  // The ignore comments stay: they never make a file worse.
  CHECK(has(titles("BEGIN;\n" + index + "COMMIT;\n", ""), "Ignore create-index for this statement"));
}

TEST_CASE("a fix that must leave the tool's transaction turns the tool's transaction off", "[lsp][fixes]") {
  auto action = [](const std::string& text, const std::string& tool, const std::string& title) {
    analysis::Options options;
    options.pg_version = 17;
    options.migration_tool = tool;
    const analysis::Analysis a = analysis::analyze(text, options);
    Document doc("file:///tmp/fixes/001.sql", "sql", 1, text);
    for (const Json& act : server::lsp::code_actions(doc, a, options, protocol::PositionEncoding::Utf8,
                                                     {0, text.size()}, Json(), false)) {
      if (act["title"] == title) {
        const std::string fixed = apply_edit(doc, act["edit"]);
        const analysis::Analysis after = analysis::analyze(fixed, options);
        for (const auto& f : after.findings) CHECK(f.rule != "concurrently-in-transaction");
        CHECK_FALSE(after.statements.back().tx.in_transaction);
        return std::optional<std::string>(fixed);
      }
    }
    return std::optional<std::string>();
  };
  const std::string index = "SET lock_timeout = '2s';\nCREATE INDEX users_created_at_idx ON users (created_at);\n";
  CHECK(action(index, "goose", "Use CONCURRENTLY, with -- +goose NO TRANSACTION") ==
        "-- +goose NO TRANSACTION\nSET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY users_created_at_idx ON users (created_at);\n");
  CHECK(action("-- migrate:up\n" + index, "dbmate", "Use CONCURRENTLY, with dbmate's transaction:false") ==
        "-- migrate:up transaction:false\nSET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY users_created_at_idx ON users (created_at);\n");
  // Another statement would lose its transaction: not offered at all.
  CHECK_FALSE(action(index + "ALTER TABLE users ADD COLUMN x int;\n", "goose", "Use CONCURRENTLY, with -- +goose NO TRANSACTION"));
  CHECK_FALSE(action(index + "ALTER TABLE users ADD COLUMN x int;\n", "goose", "Use CONCURRENTLY"));
  // SET LOCAL needs the transaction.
  CHECK_FALSE(action("SET LOCAL lock_timeout = '2s';\nCREATE INDEX i ON users (created_at);\n", "goose",
                     "Use CONCURRENTLY, with -- +goose NO TRANSACTION"));
  // The file's own BEGIN: lockward does not restructure it.
  CHECK_FALSE(action("BEGIN;\nCREATE INDEX i ON users (created_at);\nCOMMIT;\n", "goose",
                     "Use CONCURRENTLY, with -- +goose NO TRANSACTION"));
}

namespace {

// The number of statements `lockward trace` reports failed for `file`.
int trace_errors(const std::string& file, const std::string& args) {
  auto r = lockward::test::run_lockward("trace --pg-version 15 " + args + " " + file);
  INFO(r.output);
  const std::size_t at = r.output.find(" errors\n");
  REQUIRE(at != std::string::npos);
  const std::size_t start = r.output.rfind(' ', at - 1) + 1;
  return std::stoi(r.output.substr(start, at - start));
}

}  // namespace

TEST_CASE("every offered fix of the examples traces on PostgreSQL with no new failure", "[trace][fixes]") {
  lockward::test::TempDir dir;
  const std::filesystem::path examples = std::filesystem::path(LOCKWARD_SOURCE_DIR) / "examples";
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(examples)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) dir.write(name, read(examples / name));
  analysis::Options options;
  options.pg_version = 15;
  std::size_t traced = 0;
  for (const std::string& name : names) {
    const std::string text = read(examples / name);
    const std::string file = dir.write(name, text);
    const int before = trace_errors(file, "");
    const analysis::Analysis a = analysis::analyze(text, options);
    Document doc("file://" + file, "sql", 1, text);
    for (const Json& action : server::lsp::code_actions(doc, a, options, protocol::PositionEncoding::Utf8,
                                                        {0, text.size()}, Json(), false)) {
      if (!action.contains("edit") || action["title"].get<std::string>().starts_with("Ignore ")) continue;
      dir.write(name, apply_edit(doc, action["edit"]));
      INFO(name << ": " << action["title"]);
      CHECK(trace_errors(file, "") <= before);
      ++traced;
    }
    dir.write(name, text);
  }
  CHECK(traced >= 4);
  // The fix that leaves goose's transaction runs where the plain one would fail.
  const std::string goose = "SET lock_timeout = '2s';\nCREATE INDEX users_goose_idx ON users (created_at);\n";
  const std::string file = dir.write("006_goose_index.sql", goose);
  options.migration_tool = "goose";
  const analysis::Analysis a = analysis::analyze(goose, options);
  Document doc("file://" + file, "sql", 1, goose);
  for (const Json& action : server::lsp::code_actions(doc, a, options, protocol::PositionEncoding::Utf8,
                                                      {0, goose.size()}, Json(), false)) {
    if (action["title"] != "Use CONCURRENTLY, with -- +goose NO TRANSACTION") continue;
    dir.write("006_goose_index.sql", apply_edit(doc, action["edit"]));
    CHECK(trace_errors(file, "--migration-tool goose") == 0);
    ++traced;
  }
  CHECK(traced >= 5);
}
