#include <algorithm>

#include "server/report/report.h"

namespace lockward::server {

analysis::Risk max_risk(const analysis::Analysis& a) {
  analysis::Risk r = analysis::Risk::Safe;
  for (const auto& f : a.findings) r = std::max(r, f.risk);
  return r;
}

LineCol SourceText::line_col(std::size_t offset) const {
  protocol::Position p = lines_.position(offset, protocol::PositionEncoding::Utf8);
  return {p.line, p.character};
}

Location SourceText::location(analysis::TextRange range) const {
  LineCol b = line_col(range.begin);
  LineCol e = line_col(range.end);
  return {b.line + 1, b.column + 1, e.line + 1, e.column + 1};
}

}  // namespace lockward::server
