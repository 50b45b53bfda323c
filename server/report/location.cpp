#include <algorithm>

#include "server/report/report.h"

namespace lockward::server {

analysis::Risk max_risk(const analysis::Analysis& a) {
  analysis::Risk r = analysis::Risk::Safe;
  for (const auto& f : a.findings) r = std::max(r, f.risk);
  return r;
}

Location location(std::string_view text, analysis::TextRange range) {
  LineCol b = line_col(text, range.begin);
  LineCol e = line_col(text, range.end);
  return {b.line + 1, b.column + 1, e.line + 1, e.column + 1};
}

}  // namespace lockward::server
