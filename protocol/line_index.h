// Converts between byte offsets in a UTF-8 text and LSP positions (line, character), where
// character counts UTF-16 code units (the LSP default) or bytes (positionEncoding utf-8).
// Lines end at "\n", "\r\n" or "\r" alone (the LSP's three line terminators).
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

  // Time per call is bounded by a small constant times log(lines), however long the line.
  Position position(std::size_t offset, PositionEncoding encoding) const;
  // Out-of-range positions clamp: a line past the end → end of text; a character past the
  // end of its line → end of that line (before its line break).
  std::size_t offset(Position position, PositionEncoding encoding) const;
  std::size_t line_count() const { return line_starts_.size(); }
  // Byte offset where `line` begins, and where its text ends (before its line break); a line
  // past the end → the end of the text.
  std::size_t line_start(std::size_t line) const;
  std::size_t line_end(std::size_t line) const;

 private:
  // A place in a long line where UTF-16 counting can resume: `byte` starts a UTF-8 sequence
  // and `units` code units precede it on its line.
  struct Checkpoint {
    std::size_t byte;
    std::size_t units;
  };
  // A line longer than kLongLine bytes: ASCII (a column is a byte count), or with checkpoints
  // every kCheckpointEvery bytes, so no position walks more than that from one.
  struct LongLine {
    std::size_t line;
    bool ascii;
    std::size_t first, count;  // its checkpoints in checkpoints_
  };
  static constexpr std::size_t kLongLine = 1024;
  static constexpr std::size_t kCheckpointEvery = 64;

  void index_long_line(std::size_t line);
  // Where UTF-16 counting on `line` can start for `offset` (or for `character` units when
  // `by_units`): the line start or the nearest checkpoint before.
  Checkpoint resume_point(std::size_t line, std::size_t target, bool by_units) const;

  std::string_view text_;
  std::vector<std::size_t> line_starts_;
  std::vector<LongLine> long_lines_;  // ordered by line
  std::vector<Checkpoint> checkpoints_;
};

}  // namespace lockward::protocol
