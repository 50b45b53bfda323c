// Byte ranges into the analysed text. Every range in analysis/ is a half-open UTF-8 byte
// range; conversion to editor positions happens only in server/.
#pragma once

#include <cstddef>
#include <string_view>

namespace lockward::analysis {

struct TextRange {
  std::size_t begin = 0;
  std::size_t end = 0;  // one past the last byte

  std::size_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
  bool contains(std::size_t offset) const { return offset >= begin && offset < end; }
  std::string_view slice(std::string_view text) const { return text.substr(begin, end - begin); }
  friend bool operator==(const TextRange&, const TextRange&) = default;
};

}  // namespace lockward::analysis
