#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "protocol/json_writer.h"

using lockward::protocol::JsonWriter;

TEST_CASE("JsonWriter output parses back to the same values", "[protocol][json]") {
  JsonWriter w;
  w.begin_object()
      .key("s").string("quote \" backslash \\ newline \n tab \t ctrl \x01 é 😀")
      .key("n").number(-42)
      .key("b").boolean(true)
      .key("z").null()
      .key("a").begin_array().number(1).begin_object().key("k").string("v").end_object().raw("[2]").end_array()
      .end_object();
  auto j = nlohmann::json::parse(w.str());
  CHECK(j["s"] == "quote \" backslash \\ newline \n tab \t ctrl \x01 é 😀");
  CHECK(j["n"] == -42);
  CHECK(j["b"] == true);
  CHECK(j["z"].is_null());
  CHECK(j["a"] == nlohmann::json::parse(R"([1, {"k": "v"}, [2]])"));
}

TEST_CASE("JsonWriter replaces invalid UTF-8", "[protocol][json]") {
  JsonWriter w;
  w.string("a\xff" "b\xc3");
  auto j = nlohmann::json::parse(w.str());
  CHECK(j == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
}
