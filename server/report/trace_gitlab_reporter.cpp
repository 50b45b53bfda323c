// Trace results as GitLab Code Quality issues: the static findings and the trace's own, with
// the check report's fingerprints.
#include <map>

#include "server/report/parts.h"
#include "server/report/trace_report.h"

namespace lockward::server {

void write_trace_gitlab(std::ostream& out, const TraceReport& report) {
  protocol::JsonWriter w(out);
  w.begin_array();
  for (const TraceFileReport& f : report.files) {
    SourceText source(f.text);
    std::map<std::string, int> seen;
    for (const auto& fd : f.analysis.findings) parts::gitlab_issue(w, f.path, source, f.analysis, fd, seen);
    for (const auto& fd : trace_findings(f)) parts::gitlab_issue(w, f.path, source, f.analysis, fd, seen);
  }
  w.end_array().finish();
}

}  // namespace lockward::server
