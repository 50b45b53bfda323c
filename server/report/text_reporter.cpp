// The human report: per file, one block per finding with position, risk, rule and message.
#include <iomanip>

#include "server/report/report.h"

namespace lockward::server {
namespace {

const char* risk_color(analysis::Risk r) {
  switch (r) {
    case analysis::Risk::Critical: return "\033[1;31m";
    case analysis::Risk::High: return "\033[31m";
    case analysis::Risk::Medium: return "\033[33m";
    case analysis::Risk::Low: return "\033[36m";
    case analysis::Risk::Safe: return "\033[32m";
  }
  return "";
}

}  // namespace

void write_text(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options) {
  std::size_t total = 0;
  analysis::Coverage coverage;
  int pg_version = 0;
  for (const FileReport& file : files) {
    if (!file.error.empty()) {
      out << file.path << ": error: " << file.error << "\n";
      continue;
    }
    pg_version = file.analysis.pg_version;
    const auto& a = file.analysis;
    coverage.statements += a.coverage.statements;
    coverage.analysed += a.coverage.analysed;
    coverage.unanalysable += a.coverage.unanalysable;
    coverage.parse_errors += a.coverage.parse_errors;
    coverage.psql_meta += a.coverage.psql_meta;
    for (const auto& f : a.findings) {
      ++total;
      LineCol lc = line_col(file.text, f.range.begin);
      std::string risk(analysis::risk_name(f.risk));
      if (options.color) risk = std::string(risk_color(f.risk)) + risk + "\033[0m";
      out << file.path << ":" << lc.line + 1 << ":" << lc.column + 1 << ": " << risk << " [" << f.rule << "] "
          << f.message << "\n";
      if (!f.help.empty()) out << "    help: " << f.help << "\n";
    }
  }
  out << "\n" << total << (total == 1 ? " finding" : " findings") << " in " << files.size()
      << (files.size() == 1 ? " file" : " files") << " (PostgreSQL " << pg_version << ")\n";
  out << "coverage: " << coverage.analysed << "/" << coverage.statements << " statements analysed";
  if (coverage.unanalysable) out << ", " << coverage.unanalysable << " unanalysable";
  if (coverage.parse_errors) out << ", " << coverage.parse_errors << " with syntax errors";
  if (coverage.psql_meta) out << ", " << coverage.psql_meta << " psql meta-commands skipped";
  out << "\n";
}

}  // namespace lockward::server
