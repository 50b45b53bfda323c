#include <catch2/catch.hpp>

#include "protocol/line_index.h"

using namespace lockward::protocol;

TEST_CASE("UTF-16 positions count surrogate pairs as two", "[protocol][positions]") {
  std::string text = "a😀b\n漢字x\ne\u0301z\r\nlast";
  LineIndex idx(text);
  // 😀 is 4 bytes, 2 UTF-16 units.
  CHECK(idx.position(text.find('b'), PositionEncoding::Utf16) == Position{0, 3});
  CHECK(idx.position(text.find('b'), PositionEncoding::Utf8) == Position{0, 5});
  // CJK: 3 bytes, 1 unit each.
  CHECK(idx.position(text.find('x'), PositionEncoding::Utf16) == Position{1, 2});
  // Combining mark: its own code unit.
  CHECK(idx.position(text.find('z'), PositionEncoding::Utf16) == Position{2, 2});
  for (std::size_t off : {text.find('b'), text.find('x'), text.find('z'), text.find("last")}) {
    CHECK(idx.offset(idx.position(off, PositionEncoding::Utf16), PositionEncoding::Utf16) == off);
    CHECK(idx.offset(idx.position(off, PositionEncoding::Utf8), PositionEncoding::Utf8) == off);
  }
}

TEST_CASE("out-of-range positions clamp", "[protocol][positions]") {
  std::string text = "ab\r\ncd";
  LineIndex idx(text);
  CHECK(idx.offset({0, 99}, PositionEncoding::Utf16) == 2);  // before \r\n
  CHECK(idx.offset({7, 0}, PositionEncoding::Utf16) == text.size());
  CHECK(idx.position(999, PositionEncoding::Utf16) == Position{1, 2});
  // A position inside a surrogate pair stays before the pair.
  std::string emoji = "😀";
  CHECK(LineIndex(emoji).offset({0, 1}, PositionEncoding::Utf16) == 0);
}
