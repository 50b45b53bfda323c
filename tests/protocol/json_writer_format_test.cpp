// The reports and the LSP's diagnostics are written without a DOM; their text must stay what
// nlohmann's dump(2) and dump() print, byte for byte, escapes and invalid UTF-8 included.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "protocol/json_writer.h"

using lockward::protocol::JsonWriter;
using nlohmann::json;

TEST_CASE("protocol::JsonWriter prints what nlohmann's dump(2) prints", "[report][json]") {
  const std::vector<std::string> strings{
      "plain",      "quote \" and \\ backslash", "line\nbreak\ttab\rreturn", std::string("nul \0 bell \a", 12),
      "\b and \f",  "caf\xC3\xA9 \xE2\x80\xA6 \xF0\x9F\x94\x92",      "bad \xC3 lead", "cut \xE2\x82",
      "\xFF\xFE",   "overlong \xC0\xAF",         "",                                 "\x7F del"};
  json expected = json::object();
  std::ostringstream text;
  {
    JsonWriter w(text);
    w.begin_object();
    w.key("a_empty_array").begin_array().end_array();
    w.key("b_empty_object").begin_object().end_object();
    w.key("c_numbers").begin_array().number(0).number(-12).number(std::size_t{18446744073709551615u}).end_array();
    w.key("d_reals").begin_array().real(0.1).real(2.0).real(1e-7).real(12.345678).end_array();
    w.key("e_strings").begin_array();
    for (const auto& s : strings) w.string(s);
    w.end_array();
    w.key("f_nested").begin_array().begin_object().key("x").null().key("y").boolean(true).end_object().begin_array().end_array().end_array();
    w.end_object().finish();
  }
  expected["a_empty_array"] = json::array();
  expected["b_empty_object"] = json::object();
  expected["c_numbers"] = {0, -12, std::size_t{18446744073709551615u}};
  expected["d_reals"] = {0.1, 2.0, 1e-7, 12.345678};
  expected["e_strings"] = strings;
  expected["f_nested"] = json::array({json{{"x", nullptr}, {"y", true}}, json::array()});
  CHECK(text.str() == expected.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

TEST_CASE("protocol::JsonWriter escapes a special byte wherever it falls in an 8-byte block", "[report][json]") {
  // Long runs are checked 8 bytes at a time; each special byte at each position of a block.
  const std::vector<std::string> specials{"\"", "\\", "\n", "\x1f", std::string(1, '\0'), "\x7f", " ",
                                          "~",  "\xC3\xA9", "\xE2\x80\xA6", "\xF0\x9F\x94\x92", "\xFF", "\xC3"};
  std::vector<std::string> strings;
  for (const auto& special : specials)
    for (std::size_t at = 0; at < 20; ++at)
      strings.push_back(std::string(at, 'a') + special + std::string(19 - at, 'b'));
  std::ostringstream text;
  {
    JsonWriter w(text);
    w.begin_array();
    for (const auto& s : strings) w.string(s);
    w.end_array().finish();
  }
  CHECK(text.str() == json(strings).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

TEST_CASE("JsonWriter compact prints what nlohmann's dump() prints", "[protocol][json]") {
  JsonWriter w;
  w.begin_object()
      .key("a").begin_array().number(1).begin_object().key("k").string("v\b\x01 \xC3 caf\xC3\xA9").end_object().raw("[2]").end_array()
      .key("b").boolean(true).key("e").begin_object().end_object().key("n").number(-42).key("r").real(0.25).key("z").null()
      .end_object();
  json expected{{"a", json::array({1, json{{"k", "v\b\x01 \xC3 caf\xC3\xA9"}}, json::array({2})})},
                {"b", true}, {"e", json::object()}, {"n", -42}, {"r", 0.25}, {"z", nullptr}};
  CHECK(w.str() == expected.dump(-1, ' ', false, json::error_handler_t::replace));
}
