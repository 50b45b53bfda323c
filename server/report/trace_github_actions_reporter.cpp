// Trace results as GitHub Actions annotations: each static finding with what the trace found
// for its statement, and the trace's own findings.
#include <ostream>

#include "server/report/parts.h"
#include "server/report/trace_report.h"

namespace lockward::server {

void write_trace_github_actions(std::ostream& out, const TraceReport& report) {
  std::size_t mismatches = 0, findings = 0;
  for (const TraceFileReport& f : report.files) {
    SourceText source(f.text);
    const auto verifications = verification_by_statement(f);
    for (const auto& fd : f.analysis.findings) {
      std::string verdict;
      if (fd.statement && *fd.statement < verifications.size() && verifications[*fd.statement]) {
        const trace::StatementVerification& v = *verifications[*fd.statement];
        // Appended piece by piece: GCC 12 -O3 warns (-Wrestrict, falsely) on assigning or
        // prepending a short literal.
        verdict.push_back('\n');
        verdict += trace::verification_name(v.status);
        verdict += " by trace on PostgreSQL ";
        verdict += report.coverage.server_version;
        if (!v.detail.empty()) verdict += ": " + v.detail;
      }
      parts::github_annotation(out, f.path, source, f.analysis.pg_version, fd, verdict);
      ++findings;
    }
    for (const auto& fd : trace_findings(f)) {
      parts::github_annotation(out, f.path, source, f.analysis.pg_version, fd);
      ++findings;
    }
    mismatches += f.merged.mismatches;
  }
  out << "lockward trace: " << findings << " finding" << (findings == 1 ? "" : "s") << ", " << mismatches
      << " mismatch" << (mismatches == 1 ? "" : "es") << " on PostgreSQL " << report.coverage.server_version << "\n";
}

}  // namespace lockward::server
