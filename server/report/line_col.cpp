#include <algorithm>

#include "server/report/report.h"

namespace lockward::server {

LineCol line_col(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  LineCol lc;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      line_start = i + 1;
    }
  }
  lc.column = offset - line_start;
  return lc;
}

}  // namespace lockward::server
