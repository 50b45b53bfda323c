// The data every trace reporter shares: the run's coverage and how a lock comparison reads.
#include "server/report/trace_report.h"

#include <cctype>

namespace lockward::server {

void add_to_coverage(TraceCoverage& c, const TraceFileReport& f) {
  c.statements += f.analysis.statements.size();
  c.analysed += f.analysis.coverage.analysed;
  c.verified += f.merged.verified;
  c.confirmed += f.merged.confirmed;
  c.mismatches += f.merged.mismatches;
  c.trace_only += f.merged.trace_only.size();
  c.errors += f.merged.error_count;
}

std::string lock_list(const std::vector<trace::LockComparison>& locks, bool observed) {
  std::string out;
  for (const auto& c : locks) {
    const auto& mode = observed ? c.observed : c.predicted;
    if (!mode) continue;
    if (!out.empty()) out += ", ";
    out += std::string(analysis::lock_mode_name(*mode)) + " " + c.object.name;
  }
  return out.empty() ? "-" : out;
}

std::string one_line(std::string_view text, std::size_t width) {
  std::string s(text);
  for (char& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  return s.size() > width ? s.substr(0, width - 1) + "…" : s;
}

std::string verification_id(trace::Verification status) {
  std::string id(trace::verification_name(status));
  for (char& c : id) c = c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return id;
}

}  // namespace lockward::server
