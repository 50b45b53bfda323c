// What `lockward trace` reports: per file the static analysis, the trace and their merge,
// and a coverage block for the whole run. One writer per format, like the check reporters;
// `write_trace_report` picks one.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "server/report/report.h"
#include "trace/merge.h"
#include "trace/tracer.h"

namespace lockward::server {

struct TraceFileReport {
  std::string path;  // as given on the command line
  std::string text;
  analysis::Analysis analysis;
  trace::FileTrace trace;
  trace::MergedFile merged;
  MigrationInfo migration;  // the migration tool assumed and why (report.h)
};

struct TraceCoverage {
  std::size_t statements = 0;  // in the traced files
  std::size_t analysed = 0;    // of those, understood by the static analysis
  std::size_t verified = 0, confirmed = 0, mismatches = 0, trace_only = 0, errors = 0;
  std::string provider;         // one line: which provider, where, which version, startup time
  std::string server_version;   // as the server reports it ("15.5")
  double lifetime_seconds = 0;  // from the command's start to the report: how long the cluster lived
};

struct TraceReport {
  std::vector<TraceFileReport> files;
  TraceCoverage coverage;
  int pg_version = 0;                              // the server's major version
  analysis::Risk max_risk = analysis::Risk::High;  // --max-risk, for summaries
};

// Adds a traced file's counts to the run's coverage.
void add_to_coverage(TraceCoverage& coverage, const TraceFileReport& file);

// What the trace adds to a file's static findings, in text order: a `trace-mismatch` per
// mismatched statement, the trace-only findings, and a `trace-error` per failed statement.
std::vector<analysis::Finding> trace_findings(const TraceFileReport& file);

// Each statement's verification (null where the trace has none), indexed by statement: one
// look-up per finding instead of a scan of the file's statements.
std::vector<const trace::StatementVerification*> verification_by_statement(const TraceFileReport& file);

// Rule ids of trace findings with a one-line description (for SARIF's driver).
struct TraceRule {
  std::string_view id, summary;
};
const std::vector<TraceRule>& trace_rules();

// "SHARE users, ACCESS SHARE orders" (or "-"): the predicted or observed side of a comparison.
std::string lock_list(const std::vector<trace::LockComparison>& locks, bool observed);
// A statement's text on one line, clipped to `width` display columns with "…" (never inside
// a UTF-8 sequence).
std::string one_line(std::string_view text, std::size_t width);
// Columns `text` takes on a terminal: wide (East Asian, emoji) characters two, combining marks
// none, anything else (an invalid byte too) one.
std::size_t display_width(std::string_view text);
// `text` followed by spaces up to `width` display columns.
std::string pad_cell(std::string text, std::size_t width);

// Lowercase, hyphenated status for machine formats ("confirmed", "no-locks", …).
std::string verification_id(trace::Verification status);

void write_trace_text(std::ostream& out, const TraceReport& report);
// docs/json-format.md, `"kind": "trace"`.
void write_trace_json(std::ostream& out, const TraceReport& report);
void write_trace_sarif(std::ostream& out, const TraceReport& report);
void write_trace_github(std::ostream& out, const TraceReport& report);
void write_trace_gitlab(std::ostream& out, const TraceReport& report);
void write_trace_github_actions(std::ostream& out, const TraceReport& report);

// `format`: text, json, sarif, github, github-actions or gitlab.
void write_trace_report(std::string_view format, const TraceReport& report, std::ostream& out);

}  // namespace lockward::server
