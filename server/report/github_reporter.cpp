// Markdown for a pull-request comment: a summary table per file, then each finding with its
// safe recipe as SQL.
#include "analysis/options.h"
#include "server/report/parts.h"
#include "server/report/report.h"

namespace lockward::server {

namespace parts {

std::string markdown_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

const char* risk_icon(analysis::Risk r) {
  switch (r) {
    case analysis::Risk::Critical: return "🔴";
    case analysis::Risk::High: return "🟠";
    case analysis::Risk::Medium: return "🟡";
    case analysis::Risk::Unknown: return "❔";
    case analysis::Risk::Low: return "🔵";
    case analysis::Risk::Safe: return "🟢";
  }
  return "";
}

void markdown_finding(std::ostream& out, const SourceText& source, const analysis::Finding& fd) {
  Location l = source.location(fd.range);
  out << "- " << risk_icon(fd.risk) << " **" << analysis::risk_name(fd.risk) << "** `" << fd.rule << "` (line "
      << l.start_line << "): " << fd.message << "\n";
  if (!fd.help.empty()) out << "  - " << fd.help << "\n";
  for (const auto& fx : fd.fixes) {
    out << "  <details><summary>" << fx.title << "</summary>\n\n  ```sql\n";
    std::string indented = "  " + fx.new_text;
    for (std::size_t p = indented.find('\n'); p != std::string::npos; p = indented.find('\n', p + 3))
      indented.replace(p, 1, "\n  ");
    out << indented << "\n  ```\n  " << fx.reason << "\n  </details>\n";
  }
}

}  // namespace parts

void write_github(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options) {
  int pg_version = analysis::kDefaultPgVersion;
  for (const auto& f : files)
    if (f.error.empty()) pg_version = f.analysis.pg_version;
  out << "## lockward: migration locks (PostgreSQL " << pg_version << ")\n\n";
  out << "| file | risk | findings | statements analysed |\n|---|---|---|---|\n";
  for (const auto& f : files) {
    if (!f.error.empty()) {
      out << "| `" << parts::markdown_cell(f.path) << "` | error | " << parts::markdown_cell(f.error) << " | |\n";
      continue;
    }
    analysis::Risk r = max_risk(f.analysis);
    out << "| `" << parts::markdown_cell(f.path) << "` | " << parts::risk_icon(r) << " " << analysis::risk_name(r)
        << " | " << f.analysis.findings.size() << " | " << f.analysis.coverage.analysed << "/"
        << f.analysis.coverage.statements << " |\n";
  }
  for (const auto& f : files) {
    if (!f.error.empty() || f.analysis.findings.empty()) continue;
    out << "\n### `" << f.path << "`\n\n";
    SourceText source(f.text);
    for (const auto& fd : f.analysis.findings) parts::markdown_finding(out, source, fd);
  }
  std::size_t above = 0;
  for (const auto& f : files)
    for (const auto& fd : f.analysis.findings)
      if (fd.risk > options.max_risk) ++above;
  out << "\n" << above << " finding" << (above == 1 ? "" : "s") << " above " << analysis::risk_name(options.max_risk)
      << ".\n";
}

}  // namespace lockward::server
