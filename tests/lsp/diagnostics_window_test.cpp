// Past maxDiagnostics the editor sees the findings around the last edit and a note on the
// rest; the pool that spreads whole-file parsing runs every item once.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>

#include "analysis/analyze.h"
#include "bench/generate.h"
#include "protocol/json_writer.h"
#include "server/lsp/convert.h"
#include "server/lsp/diagnostics_window.h"
#include "server/pool_parallel_for.h"

using namespace lockward;
using namespace lockward::server::lsp;
using lockward::server::PoolParallelFor;

TEST_CASE("the diagnostics window holds the findings nearest the focus", "[lsp][diagnostics]") {
  const std::string text = bench::generate_migration(400);
  const analysis::Analysis a = analysis::analyze(text, {});
  REQUIRE(a.findings.size() > 300);

  SECTION("no limit, or fewer findings than the limit: everything") {
    for (std::size_t limit : {std::size_t{0}, a.findings.size(), a.findings.size() + 5}) {
      DiagnosticsWindow w = diagnostics_window(a.findings, text.size() / 2, limit);
      CHECK(w.begin == 0);
      CHECK(w.end == a.findings.size());
      CHECK_FALSE(w.limited());
    }
  }
  SECTION("a focus in the middle: the window is around it, and the hidden ones are counted") {
    const std::size_t focus = a.findings[200].range.begin;
    DiagnosticsWindow w = diagnostics_window(a.findings, focus, 50);
    CHECK(w.end - w.begin == 50);
    CHECK(a.findings[w.begin].range.begin <= focus);
    CHECK(a.findings[w.end - 1].range.end >= focus);
    CHECK(w.begin >= 170);
    CHECK(w.end <= 230);
    std::size_t hidden = 0;
    for (std::size_t n : w.hidden) hidden += n;
    CHECK(hidden == a.findings.size() - 50);
  }
  SECTION("a focus at either end: the window stays full") {
    DiagnosticsWindow top = diagnostics_window(a.findings, 0, 50);
    CHECK(top.begin == 0);
    CHECK(top.end == 50);
    DiagnosticsWindow bottom = diagnostics_window(a.findings, text.size(), 50);
    CHECK(bottom.end == a.findings.size());
    CHECK(bottom.begin == a.findings.size() - 50);
  }
  SECTION("the note names the lines shown, what is hidden, and the setting") {
    protocol::LineIndex lines(text);
    DiagnosticsWindow w = diagnostics_window(a.findings, a.findings[200].range.begin, 50);
    Json note = Json::parse(diagnostics_limit_json(w, a.findings, Converter{lines, protocol::PositionEncoding::Utf16}));
    CHECK(note["code"] == "diagnostics-limit");
    CHECK(note["severity"] == 3);
    CHECK(note["range"]["start"]["line"] == 0);
    const std::string message = note["message"];
    CHECK(message.find("shows 50 of " + std::to_string(a.findings.size())) != std::string::npos);
    const std::size_t first_line = lines.position(a.findings[w.begin].range.begin, protocol::PositionEncoding::Utf16).line + 1;
    CHECK(message.find("lines " + std::to_string(first_line)) != std::string::npos);
    CHECK(message.find("warnings") != std::string::npos);
    CHECK(message.find("lockward.maxDiagnostics") != std::string::npos);
  }
}

TEST_CASE("the parsing pool runs every item exactly once and passes errors on", "[lsp][parallel]") {
  for (unsigned helpers : {0u, 1u, 3u}) {
    PoolParallelFor pool(helpers);
    std::vector<std::atomic<int>> runs(1000);
    pool(runs.size(), [&](std::size_t i) { ++runs[i]; });
    for (const auto& r : runs) REQUIRE(r == 1);
    pool(0, [](std::size_t) { FAIL("no items"); });
    CHECK_THROWS_WITH(pool(500, [](std::size_t i) {
                        if (i == 321) throw std::runtime_error("item 321");
                      }),
                      "item 321");
    std::atomic<int> after{0};
    pool(10, [&](std::size_t) { ++after; });  // still usable
    CHECK(after == 10);
  }
}

TEST_CASE("trace evidence is found for every statement in one pass, repeated texts by occurrence", "[lsp][trace]") {
  const std::string text = "BEGIN;\nCREATE INDEX i ON t (c);\nCOMMIT;\nBEGIN;\nALTER TABLE t ADD COLUMN d int;\nCOMMIT;\n";
  const analysis::Analysis a = analysis::analyze(text, {});
  REQUIRE(a.statements.size() == 6);
  TraceResults trace;
  trace.by_statement[{"COMMIT", 1}].detail = "second commit";
  trace.by_statement[{"CREATE INDEX i ON t (c)", 0}].detail = "index";
  trace.by_statement[{"BEGIN", 2}].detail = "no third BEGIN";
  const std::vector<const StatementEvidence*> all = evidence_by_statement(&trace, text, a);
  REQUIRE(all.size() == a.statements.size());
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i] == evidence_for(&trace, text, a, i));
  REQUIRE(all[5]);
  CHECK(all[5]->detail == "second commit");
  CHECK(all[1]->detail == "index");
  CHECK_FALSE(all[2]);
  CHECK(evidence_by_statement(nullptr, text, a) == std::vector<const StatementEvidence*>(6, nullptr));
}
