// read_json_tree must give what nlohmann::json::parse gives, type for type: the parse tree it
// reads decides every lock lockward reports.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/catalog/catalogue.h"
#include "analysis/syntax/json_tree.h"
#include "analysis/syntax/parser.h"
#include "analysis/syntax/splitter.h"
#include "bench/generate.h"

using namespace lockward::analysis;
using Json = nlohmann::json;

namespace {

// Equal values of equal types all the way down (== alone calls 5 and 5u equal).
bool same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y)
      if (x.key() != y.key() || !same(x.value(), y.value())) return false;
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

// Read by both; when the fast reader takes the text, the values must be the same.
void check_text(const std::string& text, bool expect_read) {
  INFO(text);
  Json fast;
  const bool read = read_json_tree(text, fast);
  CHECK(read == expect_read);
  if (!read) return;
  Json reference = Json::parse(text, nullptr, false);
  REQUIRE_FALSE(reference.is_discarded());
  CHECK(same(fast, reference));
}

void check_sql(const std::string& sql) {
  ParseOutcome fast = parse_statement(sql, TreeReader::Fast);
  ParseOutcome reference = parse_statement(sql, TreeReader::Nlohmann);
  INFO(sql);
  REQUIRE(fast.error.has_value() == reference.error.has_value());
  REQUIRE(fast.nodes.size() == reference.nodes.size());
  for (std::size_t i = 0; i < fast.nodes.size(); ++i) {
    CHECK(fast.nodes[i].type == reference.nodes[i].type);
    CHECK(fast.nodes[i].begin == reference.nodes[i].begin);
    CHECK(fast.nodes[i].end == reference.nodes[i].end);
    CHECK(same(fast.nodes[i].body, reference.nodes[i].body));
  }
}

void check_file(const std::string& text) {
  for (const Piece& piece : split_statements(text).pieces)
    if (piece.kind != PieceKind::PsqlMeta) check_sql(std::string(piece.code.slice(text)));
}

}  // namespace

TEST_CASE("json tree reader: the same values as nlohmann, or declines", "[parser][json_tree]") {
  check_text(R"({"a":1,"b":[true,false,null],"c":{"d":"e"},"e":[],"f":{}})", true);
  check_text(R"( { "a" : [ 1 , -2 , 0 , -0 , 123456789012345678 ] } )", true);
  check_text(R"({"s":"quote \" backslash \\ slash \/ \b\f\n\r\t"})", true);
  check_text(R"({"u":"\u0041\u00e9\u20ac\ud83d\ude00 \u0000 end"})", true);
  check_text("{\"raw\":\"é€😀 ünïcödé\"}", true);
  check_text(R"({"k":1,"k":2})", true);  // the last wins, as in nlohmann
  check_text(R"("top")", true);
  check_text("42", true);
  // Left to nlohmann: floats, long integers, lone surrogates, bad UTF-8, malformed text.
  check_text(R"({"f":1.5})", false);
  check_text(R"({"f":1e3})", false);
  check_text(R"({"n":1234567890123456789})", false);
  check_text(R"({"s":"\ud83d"})", false);
  check_text(R"({"s":"\ude00"})", false);
  check_text("{\"s\":\"\xC0\xAF\"}", false);
  check_text("{\"s\":\"\xED\xA0\x80\"}", false);
  check_text("{\"s\":\"a\x01\"}", false);
  check_text(R"({"a":01})", false);
  check_text(R"({"a":1,})", false);
  check_text(R"([1,])", false);
  check_text(R"({"a" 1})", false);
  check_text(R"({"a":1} x)", false);
  check_text(R"({"a":tru})", false);
  check_text(R"({"s":"\x"})", false);
  check_text(R"({"s":"open)", false);
  check_text(R"({"a":[1,2)", false);
  check_text("", false);
}

TEST_CASE("json tree reader: every catalogue example, the examples and a generated migration parse the same",
          "[parser][json_tree]") {
  for (const CatalogueRow& row : catalogue()) {
    if (!row.setup.empty()) check_file(std::string(row.setup));
    if (!row.example.empty()) check_file(std::string(row.example));
  }
  for (const auto& entry : std::filesystem::directory_iterator(LOCKWARD_SOURCE_DIR "/examples")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    check_file(text.str());
  }
  check_file(lockward::bench::generate_migration(500));
  // Strings that libpg_query escapes: quotes, backslashes, control characters, non-ASCII.
  check_sql(R"(INSERT INTO t VALUES ('a "quoted" \ back\slash', E'tab\there\nnew\x01line', 'é€😀', U&'\00e9\+01F600');)");
  check_sql(R"(ALTER TABLE "tä""ble" ADD COLUMN "cölumn" numeric(10,2) DEFAULT -1.5e3 CHECK (x > -9223372036854775808);)");
  check_sql("SELECT 99999999999999999999999, 1.5, -0.0, 'x' || $1;");
}
