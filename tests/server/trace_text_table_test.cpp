// The trace's text table: a statement cell is cut by display width, never inside a UTF-8
// character, and a gap always separates it from the next column.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/analyze.h"
#include "server/report/trace_report.h"

using namespace lockward;
using server::display_width;

namespace {

// Display columns from the start of `line` to the first byte of `needle`.
std::size_t column_of(const std::string& line, const std::string& needle) {
  const std::size_t at = line.find(needle);
  REQUIRE(at != std::string::npos);
  return display_width(std::string_view(line).substr(0, at));
}

std::string row(const std::string& report, const std::string& starts_with) {
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(starts_with, 0) == 0) return line;
  FAIL("no row starting with " << starts_with);
  return "";
}

}  // namespace

TEST_CASE("trace text table: statements cut by display width with a gap before the next column", "[report][trace]") {
  server::TraceFileReport file;
  file.path = "001.sql";
  file.text =
      "ALTER TABLE users ADD COLUMN verified boolean DEFAULT false NOT NULL;\n"
      "ALTER TABLE \"usuários\" ADD COLUMN \"endereço_eletrônico\" text;\n"
      "ALTER TABLE \"顧客\" ADD COLUMN \"電子メールアドレス\" text NOT NULL DEFAULT '';\n"
      "ALTER TABLE t ADD COLUMN é int;\n";
  file.analysis = analysis::analyze(file.text, analysis::Options{});
  REQUIRE(file.analysis.statements.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    trace::StatementTrace t;
    t.statement = i;
    t.executed = true;
    t.duration_ms = 1.5;
    file.trace.statements.push_back(t);
    trace::StatementVerification v;
    v.statement = i;
    v.status = trace::Verification::Confirmed;
    v.locks.push_back({analysis::ObjectName{"", "users"}, analysis::LockMode::AccessExclusive,
                       analysis::LockMode::AccessExclusive});
    file.merged.statements.push_back(v);
  }
  server::TraceReport report;
  report.files.push_back(file);
  std::ostringstream out;
  server::write_trace_text(out, report);
  const std::string text = out.str();

  const std::string header = row(text, "#");
  const std::size_t predicted = column_of(header, "predicted");
  for (const char* number : {"1 ", "2 ", "3 ", "4 "}) {
    INFO(text);
    const std::string line = row(text, number);
    // The lock columns start where the header says, whatever the statement's bytes.
    CHECK(column_of(line, "ACCESS EXCLUSIVE users") == predicted);
    // Two spaces before them: the statement never runs into its neighbour.
    const std::size_t at = line.find("ACCESS EXCLUSIVE users");
    CHECK(line.substr(at - 2, 2) == "  ");
  }
  // Cut with an ellipsis at a character boundary: the result is valid UTF-8 of 42 columns.
  const std::string japanese = row(text, "3 ");
  CHECK(japanese.find("…") != std::string::npos);
  const std::string cell = japanese.substr(4, japanese.find("…") + 3 - 4);
  CHECK(display_width(cell) <= 42);
  CHECK_NOTHROW(nlohmann::json(cell).dump());  // strict: throws on a half character
  // A short statement with a multi-byte character is padded by columns, not bytes.
  CHECK(row(text, "4 ").find("ALTER TABLE t ADD COLUMN é int  ") != std::string::npos);
}

TEST_CASE("one_line cuts at a whole character and counts wide ones twice", "[report][trace]") {
  CHECK(server::one_line("abcdef", 6) == "abcdef");
  CHECK(server::one_line("abcdefg", 6) == "abcde…");
  CHECK(server::one_line("a\nb\tc", 5) == "a b c");
  CHECK(server::one_line("ééééééé", 6) == "ééééé…");
  CHECK(server::one_line("顧客顧客", 6) == "顧客…");  // 4 columns + the ellipsis
  CHECK(display_width("顧客") == 4);
  CHECK(display_width("e\xCC\x81") == 1);  // e + combining acute
}
