// The data every trace reporter shares: the run's coverage, the findings a trace adds to the
// static ones, how a lock comparison reads, and the choice of format.
#include "server/report/trace_report.h"

#include <algorithm>
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

const std::vector<TraceRule>& trace_rules() {
  static const std::vector<TraceRule> rules{
      {"trace-mismatch", "PostgreSQL took other locks, or rewrote otherwise, than the static analysis predicted"},
      {"trace-unexpected-lock", "the trace observed a lock that no prediction covered"},
      {"trace-table-rewrite", "the trace observed a table rewrite that was not predicted"},
      {"trace-error", "PostgreSQL rejected the statement during the trace"},
  };
  return rules;
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

std::vector<analysis::Finding> trace_findings(const TraceFileReport& file) {
  std::vector<analysis::Finding> out;
  for (const auto& v : file.merged.statements) {
    if (v.status != trace::Verification::Mismatch) continue;
    const analysis::Statement& s = file.analysis.statements[v.statement];
    analysis::Finding f;
    f.rule = "trace-mismatch";
    f.severity = analysis::Severity::Error;
    f.statement = s.index;
    f.range = s.code;
    f.message = "trace contradicts the prediction: " + v.detail;
    // As risky as what PostgreSQL actually did, and never less than the prediction.
    f.risk = s.risk;
    for (const auto& c : v.locks) {
      if (!c.observed) continue;
      f.risk = std::max(f.risk, trace::risk_of_observed(*c.observed, v.observed_rewrite));
      if (c.observed != c.predicted && f.relation.empty()) {
        f.relation = c.object;
        f.lock = c.observed;
      }
    }
    out.push_back(std::move(f));
  }
  out.insert(out.end(), file.merged.trace_only.begin(), file.merged.trace_only.end());
  out.insert(out.end(), file.merged.errors.begin(), file.merged.errors.end());
  std::stable_sort(out.begin(), out.end(), [](const analysis::Finding& a, const analysis::Finding& b) {
    return a.range.begin < b.range.begin;
  });
  return out;
}

void write_trace_report(std::string_view format, const TraceReport& report, std::ostream& out) {
  if (format == "json") write_trace_json(out, report);
  else if (format == "sarif") write_trace_sarif(out, report);
  else if (format == "github") write_trace_github(out, report);
  else if (format == "gitlab") write_trace_gitlab(out, report);
  else if (format == "github-actions") write_trace_github_actions(out, report);
  else write_trace_text(out, report);
}

}  // namespace lockward::server
