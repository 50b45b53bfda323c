// Trace results as SARIF 2.1.0: the static findings and the trace's own (mismatches, trace-only
// findings, errors), each with its statement's verification and observed locks in
// `properties`; the run's `properties` carry the coverage.
#include "server/report/parts.h"
#include "server/report/trace_report.h"

namespace lockward::server {

namespace {

parts::SarifVerification sarif_verification(const trace::StatementVerification& v) {
  parts::SarifVerification out;
  out.status = verification_id(v.status);
  for (const auto& c : v.locks)
    if (c.observed) out.observed_locks.push_back(std::string(analysis::lock_mode_name(*c.observed)) + " " + c.object.sql());
  out.observed_rewrite = v.observed_rewrite;
  return out;
}

}  // namespace

void write_trace_sarif(std::ostream& out, const TraceReport& report) {
  std::vector<parts::SarifRule> rules;
  for (const TraceRule& r : trace_rules()) rules.push_back({r.id, r.summary, "trace"});
  const TraceCoverage& c = report.coverage;
  protocol::JsonWriter w(out);
  auto properties = [&] {
    w.key("coverage").begin_object();
    w.key("analysed").number(c.analysed).key("confirmed").number(c.confirmed).key("errors").number(c.errors);
    w.key("lifetimeSeconds").real(c.lifetime_seconds).key("mismatches").number(c.mismatches);
    w.key("provider").string(c.provider).key("serverVersion").string(c.server_version);
    w.key("statements").number(c.statements).key("traceOnly").number(c.trace_only).key("verified").number(c.verified);
    w.end_object();
    w.key("pgVersion").number(report.pg_version);
  };
  auto results = [&] {
    for (const TraceFileReport& f : report.files) {
      SourceText source(f.text);
      const auto verifications = verification_by_statement(f);
      auto add = [&](const analysis::Finding& fd) {
        const trace::StatementVerification* v =
            fd.statement && *fd.statement < verifications.size() ? verifications[*fd.statement] : nullptr;
        if (!v) return parts::sarif_result(w, f.path, source, fd);
        const parts::SarifVerification sv = sarif_verification(*v);
        parts::sarif_result(w, f.path, source, fd, &sv);
      };
      for (const auto& fd : f.analysis.findings) add(fd);
      for (const auto& fd : trace_findings(f)) add(fd);
    }
  };
  parts::sarif_document(w, properties, results, rules);
}

}  // namespace lockward::server
