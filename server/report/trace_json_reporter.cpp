// The trace JSON report (docs/json-format.md, "kind": "trace"): the check report's files,
// each statement with its verification, the trace's findings among the static ones, and the
// run's coverage.
#include <nlohmann/json.hpp>

#include "server/report/parts.h"
#include "server/report/trace_report.h"

namespace lockward::server {
using nlohmann::json;

namespace {

json mode_or_null(const std::optional<analysis::LockMode>& mode) {
  return mode ? json(analysis::lock_mode_name(*mode)) : json(nullptr);
}

json verification_json(const TraceFileReport& f, const trace::StatementVerification& v) {
  const trace::StatementTrace& t = f.trace.statements[v.statement];
  json locks = json::array();
  for (const auto& c : v.locks)
    locks.push_back({{"object", c.object.sql()}, {"predicted", mode_or_null(c.predicted)}, {"observed", mode_or_null(c.observed)}});
  json j{{"status", verification_id(v.status)},
         {"locks", locks},
         {"rewrite", {{"predicted", v.predicted_rewrite ? json(*v.predicted_rewrite) : json(nullptr)},
                      {"observed", v.observed_rewrite}}},
         {"method", trace::observation_method_name(t.method)},
         {"changes", t.changes}};
  if (t.executed) {
    j["duration_ms"] = t.duration_ms;
    j["held_ms"] = t.held_ms;
  }
  if (!v.detail.empty()) j["detail"] = v.detail;
  if (t.error) {
    const analysis::TextRange at = t.error_range.value_or(f.analysis.statements[v.statement].code);
    j["error"] = {{"message", t.error->message}, {"sqlstate", t.error->sqlstate}, {"range", parts::json_range(f.text, at)}};
  }
  return j;
}

}  // namespace

void write_trace_json(std::ostream& out, const TraceReport& report) {
  json doc = parts::json_header("trace", report.max_risk);
  json files = json::array();
  std::size_t findings = 0, above = 0;
  for (const TraceFileReport& f : report.files) {
    json jf = parts::json_file(f.path, f.text, f.analysis);
    jf["max_risk"] = analysis::risk_name(f.merged.max_risk);  // raised by what the trace saw
    for (const auto& v : f.merged.statements) jf["statements"][v.statement]["verification"] = verification_json(f, v);
    for (auto& fd : jf["findings"]) fd["source"] = "analysis";
    const std::vector<analysis::Finding> added = trace_findings(f);
    for (const auto& fd : added) {
      json jfd = parts::json_finding(f.text, fd);
      jfd["source"] = "trace";
      jf["findings"].push_back(std::move(jfd));
    }
    for (const auto* list : {&f.analysis.findings, &added}) {
      for (const auto& fd : *list) {
        ++findings;
        if (fd.risk > report.max_risk) ++above;
      }
    }
    jf["verification"] = {{"verified", f.merged.verified}, {"confirmed", f.merged.confirmed},
                          {"mismatches", f.merged.mismatches}, {"trace_only", f.merged.trace_only.size()},
                          {"errors", f.merged.error_count}};
    files.push_back(std::move(jf));
  }
  const TraceCoverage& c = report.coverage;
  doc["pg_version"] = report.pg_version;
  doc["files"] = std::move(files);
  doc["coverage"] = {{"statements", c.statements},        {"analysed", c.analysed},     {"verified", c.verified},
                     {"confirmed", c.confirmed},          {"mismatches", c.mismatches}, {"trace_only", c.trace_only},
                     {"errors", c.errors},                {"provider", c.provider},     {"server_version", c.server_version},
                     {"lifetime_seconds", c.lifetime_seconds}};
  doc["summary"] = {{"files", report.files.size()}, {"findings", findings}, {"above_threshold", above}};
  out << parts::json_text(doc);
}

}  // namespace lockward::server
