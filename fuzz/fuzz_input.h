// Turns fuzzer bytes into a text and an edit of it: the first four bytes choose where the
// edit starts, how many bytes it removes, and which bytes of the text it inserts (so inserts
// are made of the input's own quotes, semicolons and keywords).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

namespace lockward::fuzz {

struct EditedText {
  std::string before, after;
  std::size_t edit_begin = 0, old_edit_end = 0, new_edit_end = 0;
};

inline EditedText edited_text(const std::uint8_t* data, std::size_t size) {
  EditedText e;
  std::uint8_t header[4] = {0, 0, 0, 0};
  std::size_t used = std::min<std::size_t>(4, size);
  std::copy(data, data + used, header);
  e.before.assign(reinterpret_cast<const char*>(data) + used, size - used);
  std::size_t n = e.before.size();
  e.edit_begin = n ? (header[0] | header[1] << 8) % (n + 1) : 0;
  e.old_edit_end = std::min(n, e.edit_begin + header[2] % 16);
  std::size_t from = n ? (header[0] * 31u + header[3]) % n : 0;
  std::string inserted = e.before.substr(from, std::min<std::size_t>(header[3] % 16, n - from));
  e.after = e.before;
  e.after.replace(e.edit_begin, e.old_edit_end - e.edit_begin, inserted);
  e.new_edit_end = e.edit_begin + inserted.size();
  return e;
}

}  // namespace lockward::fuzz
