// Converts between byte offsets in a UTF-8 text and LSP positions (line, character), where
// character counts UTF-16 code units (the LSP default) or bytes (positionEncoding utf-8).
// The only place such conversion happens. Immutable after construction; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace lockward::protocol {

enum class PositionEncoding { Utf16, Utf8 };

struct Position {
  std::size_t line = 0;
  std::size_t character = 0;
  friend bool operator==(const Position&, const Position&) = default;
};

class LineIndex {
 public:
  explicit LineIndex(std::string_view text);

  Position position(std::size_t offset, PositionEncoding encoding) const;
  // Out-of-range positions clamp: a line past the end → end of text; a character past the
  // end of its line → end of that line (before its line break).
  std::size_t offset(Position position, PositionEncoding encoding) const;
  std::size_t line_count() const { return line_starts_.size(); }

 private:
  std::string_view text_;
  std::vector<std::size_t> line_starts_;
  std::size_t line_end(std::size_t line) const;  // offset of the line break (or text end)
};

}  // namespace lockward::protocol
