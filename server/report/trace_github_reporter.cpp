// Trace results as Markdown for a pull-request comment: a summary table with the verdict
// counts, per file a table of statements (predicted, observed, verdict, duration) and the
// findings as in the check report, then the coverage.
#include <iomanip>
#include <sstream>

#include "server/report/parts.h"
#include "server/report/report.h"
#include "server/report/trace_report.h"

namespace lockward::server {
namespace {

const char* verdict_icon(trace::Verification v) {
  switch (v) {
    case trace::Verification::Confirmed: return "✅";
    case trace::Verification::Mismatch: return "❌";
    case trace::Verification::Error: return "💥";
    case trace::Verification::Skipped: return "⏭️";
    case trace::Verification::NoLocks: return "➖";
    case trace::Verification::Observed: return "🔎";
  }
  return "";
}

std::string fixed(double value, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << value;
  return s.str();
}

void write_statements(std::ostream& out, const TraceFileReport& f) {
  out << "| # | statement | predicted | observed | verified | duration |\n|---|---|---|---|---|---|\n";
  for (const auto& v : f.merged.statements) {
    const trace::StatementTrace& t = f.trace.statements[v.statement];
    std::string statement = one_line(f.analysis.statements[v.statement].code.slice(f.text), 60);
    out << "| " << v.statement + 1 << " | `" << parts::markdown_cell(statement) << "` | "
        << parts::markdown_cell(lock_list(v.locks, false)) << " | " << parts::markdown_cell(lock_list(v.locks, true))
        << " | " << verdict_icon(v.status) << " " << trace::verification_name(v.status)
        << (v.detail.empty() ? "" : ": " + parts::markdown_cell(v.detail)) << " | "
        << (t.executed ? fixed(t.duration_ms, 1) + " ms" : "-") << " |\n";
  }
}

}  // namespace

void write_trace_github(std::ostream& out, const TraceReport& report) {
  const TraceCoverage& c = report.coverage;
  out << "## lockward: trace (PostgreSQL " << c.server_version << ")\n\n";
  out << "| file | risk | verified | mismatches | trace-only | errors |\n|---|---|---|---|---|---|\n";
  for (const auto& f : report.files) {
    out << "| `" << parts::markdown_cell(f.path) << "` | " << parts::risk_icon(f.merged.max_risk) << " "
        << analysis::risk_name(f.merged.max_risk) << " | " << f.merged.verified << "/" << f.analysis.statements.size()
        << " | " << f.merged.mismatches << " | " << f.merged.trace_only.size() << " | " << f.merged.error_count << " |\n";
  }
  std::size_t above = 0;
  for (const auto& f : report.files) {
    out << "\n### `" << f.path << "`\n\n";
    write_statements(out, f);
    const std::vector<analysis::Finding> added = trace_findings(f);
    if (!f.analysis.findings.empty() || !added.empty()) out << "\n";
    SourceText source(f.text);
    for (const auto* list : {&f.analysis.findings, &added}) {
      for (const auto& fd : *list) {
        parts::markdown_finding(out, source, fd);
        if (fd.risk > report.max_risk) ++above;
      }
    }
  }
  out << "\n**Coverage:** " << c.statements << " statements (" << c.analysed << " analysed), " << c.verified
      << " verified, " << c.mismatches << " mismatches, " << c.trace_only << " trace-only, " << c.errors
      << " errors.\n\n**Provider:** " << c.provider << ", lifetime " << fixed(c.lifetime_seconds, 2) << " s.\n";
  out << "\n" << above << " finding" << (above == 1 ? "" : "s") << " above " << analysis::risk_name(report.max_risk)
      << ".\n";
}

}  // namespace lockward::server
