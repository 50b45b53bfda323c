#include "protocol/line_index.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

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

std::size_t utf16_units(std::size_t sequence_length) { return sequence_length == 4 ? 2 : 1; }

bool is_ascii(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ull) return false;
  }
  for (; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  return true;
}

}  // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  // find() is memchr: this runs on every keystroke over the whole document. Two cursors, one
  // per terminator byte, so CRLF and CR-only texts cost the same as LF ones.
  constexpr std::size_t npos = std::string_view::npos;
  std::size_t lf = text.find('\n'), cr = text.find('\r');
  while (lf != npos || cr != npos) {
    if (cr < lf) {
      std::size_t next = cr + 1;
      if (lf == next) lf = text.find('\n', ++next);  // "\r\n" is one break
      line_starts_.push_back(next);
      cr = text.find('\r', next);
    } else {
      line_starts_.push_back(lf + 1);
      lf = text.find('\n', lf + 1);
    }
  }
  for (std::size_t line = 0; line < line_starts_.size(); ++line) {
    if (line_end(line) - line_starts_[line] > kLongLine) index_long_line(line);
  }
}

void LineIndex::index_long_line(std::size_t line) {
  const std::size_t start = line_starts_[line], end = line_end(line);
  LongLine entry{line, is_ascii(text_.substr(start, end - start)), checkpoints_.size(), 0};
  if (!entry.ascii) {
    std::size_t units = 0, next = start + kCheckpointEvery;
    for (std::size_t i = start; i < end;) {
      if (i >= next) {
        checkpoints_.push_back({i, units});
        next = i + kCheckpointEvery;
      }
      const std::size_t len = sequence_length(static_cast<unsigned char>(text_[i]));
      units += utf16_units(len);
      i += len;
    }
    entry.count = checkpoints_.size() - entry.first;
  }
  long_lines_.push_back(entry);
}

std::size_t LineIndex::line_start(std::size_t line) const {
  return line < line_starts_.size() ? line_starts_[line] : text_.size();
}

std::size_t LineIndex::line_end(std::size_t line) const {
  if (line + 1 >= line_starts_.size()) return text_.size();
  const std::size_t start = line_starts_[line];
  std::size_t end = line_starts_[line + 1] - 1;  // the break's last byte
  if (text_[end] == '\n' && end > start && text_[end - 1] == '\r') --end;
  return end;
}

LineIndex::Checkpoint LineIndex::resume_point(std::size_t line, std::size_t target, bool by_units) const {
  const Checkpoint from_start{line_starts_[line], 0};
  if (line_end(line) - line_starts_[line] <= kLongLine) return from_start;
  auto it = std::lower_bound(long_lines_.begin(), long_lines_.end(), line,
                             [](const LongLine& l, std::size_t n) { return l.line < n; });
  if (it == long_lines_.end() || it->line != line) return from_start;
  if (it->ascii) {
    // One unit per byte: resume right at the target.
    const std::size_t bytes = std::min(target, line_end(line) - from_start.byte);
    return by_units ? Checkpoint{from_start.byte + bytes, bytes}
                    : Checkpoint{std::min(target, line_end(line)), std::min(target, line_end(line)) - from_start.byte};
  }
  const auto first = checkpoints_.begin() + static_cast<std::ptrdiff_t>(it->first);
  const auto last = first + static_cast<std::ptrdiff_t>(it->count);
  auto after = by_units ? std::upper_bound(first, last, target, [](std::size_t t, const Checkpoint& c) { return t < c.units; })
                        : std::upper_bound(first, last, target, [](std::size_t t, const Checkpoint& c) { return t < c.byte; });
  return after == first ? from_start : *(after - 1);
}

Position LineIndex::position(std::size_t offset, PositionEncoding encoding) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  std::size_t line = static_cast<std::size_t>(it - line_starts_.begin()) - 1;
  std::size_t start = line_starts_[line];
  if (encoding == PositionEncoding::Utf8) return {line, offset - start};
  const Checkpoint from = resume_point(line, offset, false);
  std::size_t units = from.units;
  for (std::size_t i = from.byte; i < offset;) {
    std::size_t len = sequence_length(static_cast<unsigned char>(text_[i]));
    units += utf16_units(len);
    i += len;
  }
  return {line, units};
}

std::size_t LineIndex::offset(Position position, PositionEncoding encoding) const {
  if (position.line >= line_starts_.size()) return text_.size();
  std::size_t start = line_starts_[position.line];
  std::size_t end = line_end(position.line);
  if (encoding == PositionEncoding::Utf8) return start + std::min(position.character, end - start);
  const Checkpoint from = resume_point(position.line, position.character, true);
  std::size_t units = from.units, i = from.byte;
  while (i < end && units < position.character) {
    std::size_t len = sequence_length(static_cast<unsigned char>(text_[i]));
    std::size_t add = utf16_units(len);
    if (units + add > position.character) break;  // inside a surrogate pair: stay before it
    units += add;
    i = std::min(i + len, end);
  }
  return i;
}

}  // namespace lockward::protocol
