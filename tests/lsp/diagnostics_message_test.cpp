// The published diagnostics, kept as per-finding fragments across edits and written in
// chunks, must be byte for byte what converting the whole analysis again writes.
#include <catch2/catch.hpp>

#include <random>

#include "analysis/document_analysis.h"
#include "bench/generate.h"
#include "server/lsp/diagnostics_cache.h"

using namespace lockward;
using namespace lockward::server::lsp;

namespace {

std::string written(const DiagnosticsMessage& m) {
  std::string out;
  std::size_t chunks = 0;
  m.write([&](std::string_view s) {
    REQUIRE(s.size() <= 64 * 1024);
    out.append(s);
    ++chunks;
  });
  CHECK(chunks >= out.size() / (64 * 1024));
  return out;
}

}  // namespace

TEST_CASE("diagnostics fragments moved across edits equal a fresh conversion", "[lsp][diagnostics]") {
  const std::string uri = "file:///tmp/d.sql";
  const std::vector<std::string> insertions = {" ", "\n", "\n\n", ";", "x", "BEGIN;\n", "COMMIT;\n",
                                               "CREATE INDEX i ON t4 (a);\n", "ALTER TABLE t1 ADD COLUMN q int;\n"};
  std::string text = bench::generate_migration(300);
  analysis::DocumentAnalysis doc;
  DiagnosticsCache cache;
  FeatureSettings settings{"https://example.com/rules"};
  std::mt19937 random(3);
  int reused = 0;
  for (int edit = 0; edit < 60; ++edit) {
    if (edit > 0) {
      std::size_t at = random() % (text.size() + 1);
      if (random() % 3 == 0 && at < text.size()) text.erase(at, std::min<std::size_t>(1 + random() % 40, text.size() - at));
      else text.insert(at, insertions[random() % insertions.size()]);
    }
    INFO("edit " << edit);
    // Each version's text lives as long as its line index, as a document's does.
    auto version = std::make_shared<const std::string>(text);
    auto lines = std::make_shared<const protocol::LineIndex>(*version);
    auto a = doc.update(text, {});
    // Every other run shows only a window of the findings, around a random place: the
    // findings outside it are written later, when a window reaches them.
    const std::size_t focus = random() % (text.size() + 1), limit = edit % 2 == 0 ? 0 : 1 + random() % 120;
    const DiagnosticsWindow window = diagnostics_window(a->findings, focus, limit);
    auto message = cache.update(uri, version, lines, *a, doc.change(), protocol::PositionEncoding::Utf16, settings,
                                window, "<", ">");
    const std::string expected =
        diagnostics_json(uri, *lines, text, *a, protocol::PositionEncoding::Utf16, settings, nullptr, &window);
    const std::string out = written(*message);
    REQUIRE(out.size() == message->size());
    REQUIRE(out == "<" + expected + ">");
    REQUIRE(message->array() == expected);
    reused += doc.change().full ? 0 : 1;
  }
  CHECK(reused > 50);
}

TEST_CASE("a diagnostics message around an already written array", "[lsp][diagnostics]") {
  for (std::string array : {"[]", "[{\"a\":1}]", "[{\"a\":1},{\"b\":2}]"}) {
    DiagnosticsMessage m("<", array, ">");
    CHECK(written(m) == "<" + array + ">");
    CHECK(m.size() == array.size() + 2);
    CHECK(m.array() == array);
  }
}
