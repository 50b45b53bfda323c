// The human report: per file, a header with its risk, then one aligned row per finding
// (position, risk, rule, message) with the help indented below; a summary and coverage line.
#include <algorithm>
#include <iomanip>

#include "server/report/report.h"

namespace lockward::server {
namespace {

const char* risk_color(analysis::Risk r) {
  switch (r) {
    case analysis::Risk::Critical: return "\033[1;31m";
    case analysis::Risk::High: return "\033[31m";
    case analysis::Risk::Medium: return "\033[33m";
    case analysis::Risk::Unknown: return "\033[35m";
    case analysis::Risk::Low: return "\033[36m";
    case analysis::Risk::Safe: return "\033[32m";
  }
  return "";
}

std::string paint(const std::string& s, analysis::Risk r, bool color) {
  return color ? std::string(risk_color(r)) + s + "\033[0m" : s;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string schema_snapshot_label(const analysis::SchemaSources& schema) {
  if (schema.snapshot_live) return "the catalog of the traced database";
  // The capture date, from the file: "2026-11-30T05:02:54Z" → "2026-11-30".
  if (schema.snapshot_taken_at.size() >= 10) return "snapshot of " + schema.snapshot_taken_at.substr(0, 10);
  return "a snapshot";
}

void write_text(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options) {
  std::size_t total = 0, above = 0;
  analysis::Coverage coverage;
  int pg_version = 0;
  std::size_t with_history = 0, snapshot = 0;
  std::string snapshot_label;  // the first file's: "snapshot of 2026-11-30"
  std::string tool_line;
  for (const FileReport& file : files) {
    if (!file.error.empty()) {
      out << file.path << ": error: " << file.error << "\n";
      continue;
    }
    // Which migration tool the files were read as, and why: once per change.
    if (!file.migration.tool.empty()) {
      std::string line = "migration tool: " + file.migration.tool + " (" + file.migration.reason + ")";
      if (line != tool_line) out << line << "\n";
      tool_line = std::move(line);
    }
    const auto& a = file.analysis;
    pg_version = a.pg_version;
    with_history += a.schema.migrations > 0;
    snapshot += a.schema.snapshot;
    if (a.schema.snapshot && snapshot_label.empty()) snapshot_label = schema_snapshot_label(a.schema);
    coverage.statements += a.coverage.statements;
    coverage.analysed += a.coverage.analysed;
    coverage.unanalysable += a.coverage.unanalysable;
    coverage.parse_errors += a.coverage.parse_errors;
    coverage.psql_meta += a.coverage.psql_meta;
    analysis::Risk risk = max_risk(a);
    out << file.path << "  " << paint(std::string(analysis::risk_name(risk)), risk, options.color) << "  ("
        << a.findings.size() << (a.findings.size() == 1 ? " finding" : " findings") << ")"
        << (file.migration.part == "down" ? "  down migration (the rollback)" : "") << "\n";
    if (!file.migration.note.empty()) out << "  note: " << file.migration.note << "\n";
    // Column widths for this file.
    SourceText source(file.text);
    std::vector<std::string> positions;
    positions.reserve(a.findings.size());
    std::size_t pos_w = 0, rule_w = 0;
    for (const auto& f : a.findings) {
      LineCol lc = source.line_col(f.range.begin);
      positions.push_back(std::to_string(lc.line + 1) + ":" + std::to_string(lc.column + 1));
      pos_w = std::max(pos_w, positions.back().size());
      rule_w = std::max(rule_w, f.rule.size());
    }
    for (std::size_t i = 0; i < a.findings.size(); ++i) {
      const analysis::Finding& f = a.findings[i];
      ++total;
      if (f.risk > options.max_risk) ++above;
      const std::string& pos = positions[i];
      out << "  " << pad(pos, pos_w) << "  " << paint(pad(std::string(analysis::risk_name(f.risk)), 8), f.risk, options.color)
          << "  " << pad(f.rule, rule_w) << "  " << f.message << "\n";
      if (!f.help.empty()) out << "  " << std::string(pos_w + 2 + 8 + 2 + rule_w + 2, ' ') << "→ " << f.help << "\n";
    }
    out << "\n";
  }
  out << total << (total == 1 ? " finding" : " findings") << " in " << files.size()
      << (files.size() == 1 ? " file" : " files") << ", " << above << " above " << analysis::risk_name(options.max_risk);
  if (!files.empty()) out << " (PostgreSQL " << pg_version << ")";  // no file analysed: no version used
  out << "\n";
  out << "coverage: " << coverage.analysed << "/" << coverage.statements << " statements analysed";
  if (coverage.unanalysable) out << ", " << coverage.unanalysable << " unanalysable";
  if (coverage.parse_errors) out << ", " << coverage.parse_errors << " with syntax errors";
  if (coverage.psql_meta) out << ", " << coverage.psql_meta << " psql meta-commands skipped";
  out << "\n";
  // Which schema the predictions rest on: the earlier migrations (read, not reported) and a snapshot.
  if (with_history || snapshot) {
    out << "schema:";
    if (with_history == 1 && files.size() == 1)
      out << " " << files[0].analysis.schema.migrations << " earlier migration"
          << (files[0].analysis.schema.migrations == 1 ? "" : "s");
    else if (with_history)
      out << " earlier migrations of " << with_history << (with_history == 1 ? " file" : " files");
    if (snapshot) out << (with_history ? ", " : " ") << snapshot_label;
    out << "\n";
  }
}

}  // namespace lockward::server
