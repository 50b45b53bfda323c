// Trace results as SARIF 2.1.0: the static findings and the trace's own (mismatches, trace-only
// findings, errors), each with its statement's verification and observed locks in
// `properties`; the run's `properties` carry the coverage.
#include <nlohmann/json.hpp>

#include "server/report/parts.h"
#include "server/report/trace_report.h"

namespace lockward::server {
using nlohmann::json;

namespace {

json verification_properties(const TraceFileReport& f, const analysis::Finding& fd) {
  json props = json::object();
  if (!fd.statement) return props;
  for (const auto& v : f.merged.statements) {
    if (v.statement != *fd.statement) continue;
    json observed = json::array();
    for (const auto& c : v.locks)
      if (c.observed) observed.push_back(std::string(analysis::lock_mode_name(*c.observed)) + " " + c.object.sql());
    props["verification"] = verification_id(v.status);
    props["observedLocks"] = std::move(observed);
    if (v.observed_rewrite) props["observedRewrite"] = true;
  }
  return props;
}

}  // namespace

void write_trace_sarif(std::ostream& out, const TraceReport& report) {
  json rules = parts::sarif_rules();
  for (const TraceRule& r : trace_rules()) rules.push_back(parts::sarif_rule(r.id, r.summary, "trace"));
  json results = json::array();
  for (const TraceFileReport& f : report.files) {
    auto add = [&](const analysis::Finding& fd) {
      json result = parts::sarif_result(f.path, f.text, fd);
      result["properties"].update(verification_properties(f, fd));
      results.push_back(std::move(result));
    };
    for (const auto& fd : f.analysis.findings) add(fd);
    for (const auto& fd : trace_findings(f)) add(fd);
  }
  const TraceCoverage& c = report.coverage;
  json properties{{"pgVersion", report.pg_version},
                  {"coverage", {{"statements", c.statements},
                                {"analysed", c.analysed},
                                {"verified", c.verified},
                                {"confirmed", c.confirmed},
                                {"mismatches", c.mismatches},
                                {"traceOnly", c.trace_only},
                                {"errors", c.errors},
                                {"provider", c.provider},
                                {"serverVersion", c.server_version},
                                {"lifetimeSeconds", c.lifetime_seconds}}}};
  out << parts::json_text(parts::sarif_document(std::move(rules), std::move(results), std::move(properties)));
}

}  // namespace lockward::server
