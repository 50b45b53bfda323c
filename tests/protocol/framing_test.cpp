#include <catch2/catch.hpp>

#include "protocol/framing.h"
#include "protocol/jsonrpc.h"

using namespace lockward::protocol;

namespace {
std::vector<FrameEvent> drain(FrameReader& r) {
  std::vector<FrameEvent> out;
  for (FrameEvent e = r.next(); !std::holds_alternative<std::monostate>(e); e = r.next()) out.push_back(e);
  return out;
}
}  // namespace

TEST_CASE("frames: CRLF, LF, two in one buffer, split across feeds", "[protocol][framing]") {
  FrameReader r;
  r.feed("Content-Length: 2\r\n\r\n{}Content-Length: 3\n\n[1]");
  auto events = drain(r);
  REQUIRE(events.size() == 2);
  CHECK(std::get<std::string>(events[0]) == "{}");
  CHECK(std::get<std::string>(events[1]) == "[1]");

  r.feed("Content-Len");
  CHECK(drain(r).empty());
  r.feed("gth: 4\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\nab");
  CHECK(drain(r).empty());
  r.feed("cd");
  auto e = drain(r);
  REQUIRE(e.size() == 1);
  CHECK(std::get<std::string>(e[0]) == "abcd");
}

TEST_CASE("frames: bad headers are errors and the stream goes on", "[protocol][framing]") {
  FrameReader r;
  r.feed("Content-Type: x\r\n\r\nContent-Length: abc\r\n\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"
         "Content-Length: 2\r\n\r\n{}");
  auto events = drain(r);
  REQUIRE(events.size() == 4);
  CHECK(std::get<FrameError>(events[0]).message == "missing Content-Length header");
  CHECK(std::get<FrameError>(events[1]).message == "invalid Content-Length");
  CHECK(std::get<FrameError>(events[2]).message == "conflicting Content-Length headers");
  CHECK(std::get<std::string>(events[3]) == "{}");
}

TEST_CASE("frames: an oversized body is skipped without buffering it", "[protocol][framing]") {
  FrameReader r(10);
  r.feed("Content-Length: 1000000\r\n\r\n");
  auto events = drain(r);
  REQUIRE(events.size() == 1);
  CHECK(std::get<OversizedFrame>(events[0]).length == 1000000);
  r.feed(std::string(999'999, 'x'));
  CHECK(drain(r).empty());
  CHECK(r.pending() == 0);
  r.feed("xContent-Length: 2\r\n\r\n{}");
  auto after = drain(r);
  REQUIRE(after.size() == 1);
  CHECK(std::get<std::string>(after[0]) == "{}");
}

TEST_CASE("frames: an impossible Content-Length is refused, not skipped", "[protocol][framing]") {
  FrameReader r(100);
  r.feed("Content-Length: 9223372036854775807\r\n\r\nContent-Length: 2\r\n\r\n{}");
  auto events = drain(r);
  REQUIRE(events.size() == 2);
  CHECK(std::get<FrameError>(events[0]).message.find("9223372036854775807") != std::string::npos);
  CHECK(std::get<std::string>(events[1]) == "{}");
  // Past 64 bits it is no number at all.
  r.feed("Content-Length: 99999999999999999999999\r\n\r\nContent-Length: 2\r\n\r\n[]");
  auto more = drain(r);
  REQUIRE(more.size() == 2);
  CHECK(std::get<FrameError>(more[0]).message == "invalid Content-Length");
  CHECK(std::get<std::string>(more[1]) == "[]");
}

TEST_CASE("JSON-RPC: nesting is capped before parsing", "[protocol][jsonrpc]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto arrays = decode_message(deep);
  REQUIRE(arrays.error);
  CHECK(arrays.error->code == error_code::kParseError);
  CHECK(arrays.error->message.find("nested deeper") != std::string::npos);
  std::string objects = R"({"jsonrpc":"2.0","id":1,"method":"x","params":)";
  for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(100000, '}') + "}";
  CHECK(decode_message(objects).error->code == error_code::kParseError);
  // At the limit it parses; brackets inside strings are text.
  std::string at_limit = R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"s":"[[[[{{{{\"[[[[","a":)" +
                         std::string(kMaxJsonDepth - 2, '[') + std::string(kMaxJsonDepth - 2, ']') + "}}";
  auto ok = decode_message(at_limit);
  CHECK_FALSE(ok.error);
  CHECK(nested_deeper_than("[[[]]]", 2));
  CHECK_FALSE(nested_deeper_than("[[]][[]]", 2));
  CHECK_FALSE(nested_deeper_than(R"(["\\", "[[[[["])", 1));
}

TEST_CASE("JSON-RPC: a notification's errors are not to be answered", "[protocol][jsonrpc]") {
  auto notification = decode_message(R"({"jsonrpc":"2.0","method":"textDocument/didOpen","params":5})");
  REQUIRE(notification.error);
  CHECK_FALSE(notification.error->reply);
  auto request = decode_message(R"({"jsonrpc":"2.0","id":4,"method":"textDocument/hover","params":5})");
  REQUIRE(request.error);
  CHECK(request.error->reply);
  CHECK(request.error->id == 4);
}

TEST_CASE("JSON-RPC decoding", "[protocol][jsonrpc]") {
  auto req = decode_message(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})");
  REQUIRE(req.message);
  CHECK(req.message->kind == Message::Kind::Request);
  auto note = decode_message(R"({"jsonrpc":"2.0","method":"initialized"})");
  REQUIRE(note.message);
  CHECK(note.message->kind == Message::Kind::Notification);
  auto resp = decode_message(R"({"jsonrpc":"2.0","id":"a","result":null})");
  REQUIRE(resp.message);
  CHECK(resp.message->kind == Message::Kind::Response);

  auto bad = decode_message("{not json");
  REQUIRE(bad.error);
  CHECK(bad.error->code == error_code::kParseError);
  auto bad_utf8 = decode_message("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"a\":\"\xff\"}}");
  CHECK(bad_utf8.error);
  auto bad_params = decode_message(R"({"jsonrpc":"2.0","id":3,"method":"x","params":5})");
  REQUIRE(bad_params.error);
  CHECK(bad_params.error->code == error_code::kInvalidParams);
  CHECK(bad_params.error->id == 3);
}
