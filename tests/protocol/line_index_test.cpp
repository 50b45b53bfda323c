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

TEST_CASE("\\n, \\r\\n and \\r alone each end a line", "[protocol][positions]") {
  std::string text = "a\nb\r\nc\rd\r\re";
  LineIndex idx(text);
  REQUIRE(idx.line_count() == 6);
  CHECK(idx.position(text.find('b'), PositionEncoding::Utf16) == Position{1, 0});
  CHECK(idx.position(text.find('c'), PositionEncoding::Utf16) == Position{2, 0});
  CHECK(idx.position(text.find('d'), PositionEncoding::Utf16) == Position{3, 0});
  CHECK(idx.position(text.find('e'), PositionEncoding::Utf16) == Position{5, 0});
  CHECK(idx.offset({2, 0}, PositionEncoding::Utf16) == text.find('c'));
  CHECK(idx.offset({2, 9}, PositionEncoding::Utf16) == text.find('c') + 1);  // clamps before the \r
  CHECK(idx.offset({4, 9}, PositionEncoding::Utf8) == text.find('e') - 1);   // the empty line between two \r
  CHECK(idx.line_start(1) == 2);
  CHECK(idx.line_end(1) == 3);  // before \r\n
  CHECK(idx.line_end(5) == text.size());
  CHECK(idx.line_start(9) == text.size());
}

namespace {

// Position and offset by walking from the line start: what LineIndex must agree with.
Position naive_position(const std::string& text, std::size_t offset) {
  Position p;
  std::size_t start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++p.line;
      start = i + 1;
    }
  }
  for (std::size_t i = start; i < offset;) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    p.character += len == 4 ? 2 : 1;
    i += len;
  }
  return p;
}

}  // namespace

TEST_CASE("positions on long lines agree with counting from the line start", "[protocol][positions]") {
  // Lines of thousands of bytes: ASCII, mixed 2-, 3- and 4-byte sequences, and invalid bytes.
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "x";
  text += "\n";
  const char* pieces[] = {"a", "é", "漢", "😀", "\xff", "b;", "\xe2\x82", " "};
  for (int i = 0; i < 5000; ++i) text += pieces[(i * 7 + i / 3) % 8];
  text += "\r\nshort\n";
  for (int i = 0; i < 2000; ++i) text += pieces[(i * 5) % 4];
  LineIndex idx(text);
  for (std::size_t off = 0; off <= text.size(); off += 1 + off % 5) {
    const Position expected = naive_position(text, off);
    REQUIRE(idx.position(off, PositionEncoding::Utf16) == expected);
    // Back again: an offset on a sequence boundary comes back exactly.
    const std::size_t back = idx.offset(expected, PositionEncoding::Utf16);
    REQUIRE(naive_position(text, back) == expected);
  }
}
