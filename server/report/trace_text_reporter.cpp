// The human trace report: per file a table (statement, predicted and observed locks, verdict,
// duration) with notes under each row, the trace-only findings, then the coverage and
// provider lines.
#include <iomanip>
#include <sstream>

#include "server/report/report.h"
#include "server/report/trace_report.h"

namespace lockward::server {
namespace {

std::string ms(double value) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << value;
  return s.str();
}

void write_file(std::ostream& out, const TraceFileReport& file) {
  const auto& merged = file.merged;
  if (!file.migration.tool.empty())
    out << "migration tool: " << file.migration.tool << " (" << file.migration.reason << ")\n";
  out << file.path << " [" << analysis::risk_name(merged.max_risk) << "]\n";
  if (!file.migration.note.empty()) out << "  note: " << file.migration.note << "\n";
  out << std::left << std::setw(4) << "#" << std::setw(44) << "statement" << std::setw(30) << "predicted"
      << std::setw(30) << "observed" << std::setw(11) << "verified" << "duration\n";
  const SourceText source(file.text);  // one line index for the file, not a scan per error
  for (const auto& v : merged.statements) {
    const analysis::Statement& s = file.analysis.statements[v.statement];
    const trace::StatementTrace& t = file.trace.statements[v.statement];
    // Cells are cut and padded by display width (a statement may hold any UTF-8), two columns
    // short of their width so neighbours never touch.
    out << std::setw(4) << v.statement + 1 << pad_cell(one_line(s.code.slice(file.text), 42), 44)
        << pad_cell(one_line(lock_list(v.locks, false), 28), 30) << pad_cell(one_line(lock_list(v.locks, true), 28), 30)
        << std::setw(11) << trace::verification_name(v.status)
        << (t.executed ? ms(t.duration_ms) + " ms" : "-") << "\n";
    if (v.status == trace::Verification::Error) {
      // Where PostgreSQL said the error is, so the reader can go there.
      LineCol at = source.line_col((t.error_range ? *t.error_range : s.code).begin);
      out << "      line " << at.line + 1 << ":" << at.column + 1 << ": " << v.detail << "\n";
    } else if (!v.detail.empty()) {
      out << "      " << v.detail << "\n";
    }
    if (t.executed && !t.changes.empty()) {
      for (const auto& c : t.changes) out << "      " << c << "\n";
    }
    if (t.executed && t.method != trace::ObservationMethod::InTransaction && t.method != trace::ObservationMethod::None)
      out << "      observed by " << trace::observation_method_name(t.method) << "\n";
    if (t.executed && !v.locks.empty() && t.held_ms > t.duration_ms + 0.5)
      out << "      locks held " << ms(t.held_ms) << " ms, until the end of its transaction\n";
  }
  for (const auto& f : merged.trace_only) {
    out << "  trace-only [" << analysis::risk_name(f.risk) << "] " << f.message << "\n";
  }
  out << "\n";
}

}  // namespace

void write_trace_text(std::ostream& out, const TraceReport& report) {
  for (const auto& file : report.files) write_file(out, file);
  const TraceCoverage& c = report.coverage;
  out << "coverage: " << c.statements << " statements, " << c.verified << " verified, " << c.mismatches
      << " mismatches, " << c.trace_only << " trace-only, " << c.errors << " errors\n"
      << "provider: " << c.provider << ", lifetime " << std::fixed << std::setprecision(2) << c.lifetime_seconds
      << " s\n";
  // The schema the predictions rest on (as check's last line): the replayed history, the
  // trace database's catalog or a snapshot, as the first file saw it.
  for (const auto& file : report.files) {
    const analysis::SchemaSources& schema = file.analysis.schema;
    if (!schema.migrations && !schema.snapshot) continue;
    out << "schema:";
    if (schema.migrations) out << " " << schema.migrations << " earlier migration" << (schema.migrations == 1 ? "" : "s");
    if (schema.snapshot) out << (schema.migrations ? ", " : " ") << schema_snapshot_label(schema);
    out << "\n";
    break;
  }
}

}  // namespace lockward::server
