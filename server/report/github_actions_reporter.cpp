// GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` line per finding,
// which GitHub shows inline on the pull request's diff with no upload step (SARIF needs code
// scanning). https://docs.github.com/actions/reference/workflow-commands-for-github-actions
#include <ostream>

#include "server/report/parts.h"
#include "server/report/report.h"

namespace lockward::server {
namespace {

// A command's message: %, CR and LF are escaped; a property value also escapes : and ,.
std::string escaped(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else if (property && c == ':') out += "%3A";
    else if (property && c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

const char* command(analysis::Severity s) {
  switch (s) {
    case analysis::Severity::Error: return "error";
    case analysis::Severity::Warning: return "warning";
    case analysis::Severity::Information:
    case analysis::Severity::Hint: return "notice";
  }
  return "warning";
}

}  // namespace

void parts::github_annotation(std::ostream& out, const std::string& path, const SourceText& source, int pg_version,
                              const analysis::Finding& fd, std::string_view extra) {
  Location l = source.location(fd.range);
  std::string message = fd.message + " [" + std::string(analysis::risk_name(fd.risk)) + ", PostgreSQL " +
                        std::to_string(pg_version) + "]";
  if (!fd.help.empty()) message += "\n" + fd.help;
  message += extra;
  out << "::" << command(fd.severity) << " file=" << escaped(path, true) << ",line=" << l.start_line
      << ",endLine=" << l.end_line;
  // Columns only within one line: GitHub ignores them otherwise.
  if (l.start_line == l.end_line) out << ",col=" << l.start_column << ",endColumn=" << l.end_column;
  out << ",title=" << escaped("lockward " + fd.rule, true) << "::" << escaped(message, false) << "\n";
}

void parts::github_annotation_error(std::ostream& out, const std::string& path, const std::string& error) {
  out << "::error file=" << escaped(path, true) << ",title=lockward::" << escaped(error, false) << "\n";
}

void write_github_actions(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options) {
  std::size_t findings = 0, above = 0;
  for (const auto& f : files) {
    if (!f.error.empty()) {
      parts::github_annotation_error(out, f.path, f.error);
      continue;
    }
    SourceText source(f.text);
    for (const auto& fd : f.analysis.findings) {
      parts::github_annotation(out, f.path, source, f.analysis.pg_version, fd);
      ++findings;
      if (fd.risk > options.max_risk) ++above;
    }
  }
  out << "lockward: " << findings << " finding" << (findings == 1 ? "" : "s") << " in " << files.size() << " file"
      << (files.size() == 1 ? "" : "s") << ", " << above << " above " << analysis::risk_name(options.max_risk) << "\n";
}

}  // namespace lockward::server
