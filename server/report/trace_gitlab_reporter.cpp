// Trace results as GitLab Code Quality issues: the static findings and the trace's own, with
// the check report's fingerprints.
#include <map>
#include <nlohmann/json.hpp>

#include "server/report/parts.h"
#include "server/report/trace_report.h"

namespace lockward::server {

void write_trace_gitlab(std::ostream& out, const TraceReport& report) {
  nlohmann::json issues = nlohmann::json::array();
  for (const TraceFileReport& f : report.files) {
    std::map<std::string, int> seen;
    for (const auto& fd : f.analysis.findings) issues.push_back(parts::gitlab_issue(f.path, f.text, f.analysis, fd, seen));
    for (const auto& fd : trace_findings(f)) issues.push_back(parts::gitlab_issue(f.path, f.text, f.analysis, fd, seen));
  }
  out << parts::json_text(issues);
}

}  // namespace lockward::server
