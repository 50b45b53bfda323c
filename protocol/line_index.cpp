#include "protocol/line_index.h"

#include <algorithm>

namespace lockward::protocol {
namespace {

// Length in bytes of the UTF-8 sequence starting with `lead`; invalid bytes count as one.
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

}  // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  // find() is memchr: this runs on every keystroke over the whole document.
  for (std::size_t i = text.find('\n'); i != std::string_view::npos; i = text.find('\n', i + 1))
    line_starts_.push_back(i + 1);
}

std::size_t LineIndex::line_end(std::size_t line) const {
  std::size_t end = line + 1 < line_starts_.size() ? line_starts_[line + 1] - 1 : text_.size();
  if (end > line_starts_[line] && text_[end - 1] == '\r') --end;
  return end;
}

Position LineIndex::position(std::size_t offset, PositionEncoding encoding) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  std::size_t line = static_cast<std::size_t>(it - line_starts_.begin()) - 1;
  std::size_t start = line_starts_[line];
  if (encoding == PositionEncoding::Utf8) return {line, offset - start};
  std::size_t units = 0;
  for (std::size_t i = start; i < offset;) {
    std::size_t len = sequence_length(static_cast<unsigned char>(text_[i]));
    units += len == 4 ? 2 : 1;
    i += len;
  }
  return {line, units};
}

std::size_t LineIndex::offset(Position position, PositionEncoding encoding) const {
  if (position.line >= line_starts_.size()) return text_.size();
  std::size_t start = line_starts_[position.line];
  std::size_t end = line_end(position.line);
  if (encoding == PositionEncoding::Utf8) return std::min(start + position.character, end);
  std::size_t units = 0, i = start;
  while (i < end && units < position.character) {
    std::size_t len = sequence_length(static_cast<unsigned char>(text_[i]));
    std::size_t add = len == 4 ? 2 : 1;
    if (units + add > position.character) break;  // inside a surrogate pair: stay before it
    units += add;
    i = std::min(i + len, end);
  }
  return i;
}

}  // namespace lockward::protocol
