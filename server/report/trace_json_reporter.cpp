// The trace JSON report (docs/json-format.md, "kind": "trace"): the check report's files,
// each statement with its verification, the trace's findings among the static ones, and the
// run's coverage. Streamed, like the check report.
#include "server/report/parts.h"
#include "server/report/trace_report.h"

namespace lockward::server {

namespace {

void mode_or_null(protocol::JsonWriter& w, const std::optional<analysis::LockMode>& mode) {
  if (mode) w.string(analysis::lock_mode_name(*mode));
  else w.null();
}

void verification_json(protocol::JsonWriter& w, const TraceFileReport& f, const SourceText& source,
                       const trace::StatementVerification& v) {
  const trace::StatementTrace& t = f.trace.statements[v.statement];
  w.key("verification").begin_object();
  w.key("changes").begin_array();
  for (const auto& c : t.changes) w.string(c);
  w.end_array();
  if (!v.detail.empty()) w.key("detail").string(v.detail);
  if (t.executed) w.key("duration_ms").real(t.duration_ms);
  if (t.error) {
    const analysis::TextRange at = t.error_range.value_or(f.analysis.statements[v.statement].code);
    w.key("error").begin_object().key("message").string(t.error->message).key("range");
    parts::json_range(w, source, at);
    w.key("sqlstate").string(t.error->sqlstate).end_object();
  }
  if (t.executed) w.key("held_ms").real(t.held_ms);
  w.key("locks").begin_array();
  for (const auto& c : v.locks) {
    w.begin_object();
    if (c.absent) w.key("absent").boolean(true);
    if (c.created_in_transaction) w.key("created_in_transaction").boolean(true);
    w.key("object").string(c.object.sql());
    w.key("observed");
    mode_or_null(w, c.observed);
    w.key("observed_until").string(c.observed_until_statement_end ? "statement end" : "transaction end");
    w.key("predicted");
    mode_or_null(w, c.predicted);
    w.key("predicted_until").string(c.predicted_until_statement_end ? "statement end" : "transaction end");
    w.end_object();
  }
  w.end_array();
  w.key("method").string(trace::observation_method_name(t.method));
  w.key("rewrite").begin_object().key("observed").boolean(v.observed_rewrite).key("predicted");
  if (v.predicted_rewrite) w.boolean(*v.predicted_rewrite);
  else w.null();
  w.end_object();
  w.key("status").string(verification_id(v.status));
  w.end_object();
}

}  // namespace

void write_trace_json(std::ostream& out, const TraceReport& report) {
  std::size_t findings = 0, above = 0;
  std::vector<std::vector<analysis::Finding>> added;
  for (const TraceFileReport& f : report.files) {
    const std::vector<analysis::Finding>& own = added.emplace_back(trace_findings(f));
    for (const auto* list : {&f.analysis.findings, &own}) {
      for (const auto& fd : *list) {
        ++findings;
        if (fd.risk > report.max_risk) ++above;
      }
    }
  }
  const TraceCoverage& c = report.coverage;
  protocol::JsonWriter w(out);
  w.begin_object();
  w.key("coverage").begin_object();
  w.key("analysed").number(c.analysed).key("confirmed").number(c.confirmed).key("errors").number(c.errors);
  w.key("lifetime_seconds").real(c.lifetime_seconds).key("mismatches").number(c.mismatches);
  w.key("provider").string(c.provider).key("server_version").string(c.server_version);
  w.key("statements").number(c.statements).key("trace_only").number(c.trace_only).key("verified").number(c.verified);
  w.end_object();
  w.key("files").begin_array();
  for (std::size_t i = 0; i < report.files.size(); ++i) {
    const TraceFileReport& f = report.files[i];
    SourceText source(f.text);
    const auto verifications = verification_by_statement(f);
    parts::JsonFileExtras extras;
    extras.max_risk = f.merged.max_risk;  // raised by what the trace saw
    extras.raise_max_risk = true;
    extras.migration = &f.migration;
    extras.trace_findings = &added[i];
    extras.statement = [&](protocol::JsonWriter& js, std::size_t index) {
      if (index < verifications.size() && verifications[index]) verification_json(js, f, source, *verifications[index]);
    };
    extras.file = [&](protocol::JsonWriter& js) {
      js.key("verification").begin_object();
      js.key("confirmed").number(f.merged.confirmed).key("errors").number(f.merged.error_count);
      js.key("mismatches").number(f.merged.mismatches).key("trace_only").number(f.merged.trace_only.size());
      js.key("verified").number(f.merged.verified);
      js.end_object();
    };
    parts::json_file(w, f.path, source, f.analysis, extras);
  }
  w.end_array();
  parts::json_header(w, "trace", report.max_risk, report.pg_version);
  w.key("summary").begin_object();
  w.key("above_threshold").number(above).key("files").number(report.files.size()).key("findings").number(findings);
  w.end_object();
  parts::json_tool(w);
  w.end_object().finish();
}

}  // namespace lockward::server
