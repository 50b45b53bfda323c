#include <catch2/catch.hpp>

#include "analysis/syntax/splitter.h"

using namespace lockward::analysis;

namespace {
std::vector<std::string> codes(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& p : split_statements(text).pieces) out.emplace_back(p.code.slice(text));
  return out;
}
}  // namespace

TEST_CASE("splits on semicolons outside quotes and comments", "[splitter]") {
  CHECK(codes("SELECT 1; SELECT 2") == std::vector<std::string>{"SELECT 1", "SELECT 2"});
  CHECK(codes("SELECT 'a;b'; SELECT \"x;y\"") == std::vector<std::string>{"SELECT 'a;b'", "SELECT \"x;y\""});
  CHECK(codes("SELECT E'it\\'s;'; SELECT 2") == std::vector<std::string>{"SELECT E'it\\'s;'", "SELECT 2"});
  CHECK(codes("SELECT $$a;b$$; SELECT $f$ $$; $f$") == std::vector<std::string>{"SELECT $$a;b$$", "SELECT $f$ $$; $f$"});
  CHECK(codes("/* a /* nested; */ still; */ SELECT 1;") == std::vector<std::string>{"SELECT 1"});
  CHECK(codes("SELECT 1 -- trailing; comment\n;") == std::vector<std::string>{"SELECT 1"});
  CHECK(codes(";;  ;") .empty());
  CHECK(codes("").empty());
}

TEST_CASE("BEGIN ATOMIC bodies keep their semicolons", "[splitter]") {
  auto c = codes("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3");
  REQUIRE(c.size() == 2);
  CHECK(c[1] == "SELECT 3");
}

TEST_CASE("psql meta-commands are their own pieces", "[splitter]") {
  auto r = split_statements("\\set ON_ERROR_STOP on\nSELECT 1;\n\\connect db\n");
  REQUIRE(r.pieces.size() == 3);
  CHECK(r.pieces[0].kind == PieceKind::PsqlMeta);
  CHECK(r.pieces[1].kind == PieceKind::Sql);
  CHECK(r.pieces[2].kind == PieceKind::PsqlMeta);
}

TEST_CASE("comments attach to the statement they precede, or trail on its line", "[splitter]") {
  std::string text = "SELECT 1; -- about one\n-- about two\nSELECT 2;";
  auto r = split_statements(text);
  REQUIRE(r.pieces.size() == 2);
  REQUIRE(r.pieces[0].comments.size() == 1);
  CHECK(r.pieces[0].comments[0].body.slice(text) == " about one");
  REQUIRE(r.pieces[1].comments.size() == 1);
  CHECK(r.pieces[1].comments[0].body.slice(text) == " about two");
}

TEST_CASE("BOM and CRLF", "[splitter]") {
  std::string text = "\xEF\xBB\xBFSELECT 1;\r\nSELECT 2;\r\n";
  auto c = codes(text);
  CHECK(c == std::vector<std::string>{"SELECT 1", "SELECT 2"});
}

TEST_CASE("a CR alone ends a -- comment and a line, as for PostgreSQL", "[splitter]") {
  std::string text = "SELECT 1; -- about one\r-- about two\rSELECT 2;\r\\set x 1\rSELECT 3;";
  auto r = split_statements(text);
  REQUIRE(r.pieces.size() == 4);
  CHECK(r.pieces[1].code.slice(text) == "SELECT 2");
  CHECK(r.pieces[2].kind == PieceKind::PsqlMeta);
  CHECK(r.pieces[2].code.slice(text) == "\\set x 1");
  REQUIRE(r.pieces[0].comments.size() == 1);
  CHECK(r.pieces[0].comments[0].body.slice(text) == " about one");
  REQUIRE(r.pieces[1].comments.size() == 1);
  CHECK(r.pieces[1].comments[0].body.slice(text) == " about two");
}

TEST_CASE("unterminated literal runs to the end and is flagged", "[splitter]") {
  auto r = split_statements("SELECT 1; SELECT 'oops; SELECT 2");
  REQUIRE(r.pieces.size() == 2);
  CHECK(r.pieces[1].unterminated_literal);
  CHECK_FALSE(r.pieces[1].terminated);
}
