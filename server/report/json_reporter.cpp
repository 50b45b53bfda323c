// The versioned JSON report (docs/json-format.md): every file's statements with their locks
// and every finding with its fixes, streamed (no DOM: memory stays flat with the findings).
#include "lockward_version.h"
#include "analysis/options.h"
#include "server/report/parts.h"
#include "server/report/report.h"

namespace lockward::server {

namespace {

// `position`: the statement's place in the file's list, what a trace's verification names.
void statement_json(protocol::JsonWriter& w, const SourceText& source, const analysis::Statement& s, std::size_t position,
                    const parts::JsonFileExtras& extras) {
  w.begin_object();
  w.key("forms").begin_array();
  for (const auto& e : s.effects)
    if (e.row) w.string(e.row->id);
  w.end_array();
  w.key("in_transaction").boolean(s.tx.in_transaction);
  w.key("index").number(s.index);
  w.key("locks").begin_array();
  for (const auto& l : s.locks) {
    w.begin_object().key("blocks").begin_array();
    for (auto op : analysis::blocked_operations(l.mode)) w.string(analysis::operation_name(op));
    w.end_array();
    w.key("kind").string(analysis::object_kind_name(l.kind));
    w.key("mode").string(analysis::lock_mode_name(l.mode));
    w.key("new_object").boolean(l.new_object);
    w.key("object").string(l.object.sql());
    w.key("until").string(l.until_statement_end ? "statement end" : "transaction end");
    w.end_object();
  }
  w.end_array();
  w.key("range");
  parts::json_range(w, source, s.code);
  w.key("rewrite").string(analysis::rewrite_name(s.rewrite));
  w.key("risk").string(analysis::risk_name(s.risk));
  w.key("scans").boolean(s.scans);
  w.key("summary").string(s.summary);
  if (extras.statement) extras.statement(w, position);
  w.end_object();
}

void position_json(protocol::JsonWriter& w, std::size_t line, std::size_t column, std::size_t offset) {
  w.begin_object().key("column").number(column).key("line").number(line).key("offset").number(offset).end_object();
}

}  // namespace

namespace parts {

void json_range(protocol::JsonWriter& w, const SourceText& source, analysis::TextRange r) {
  Location l = source.location(r);
  w.begin_object().key("end");
  position_json(w, l.end_line, l.end_column, r.end);
  w.key("start");
  position_json(w, l.start_line, l.start_column, r.begin);
  w.end_object();
}

void json_header(protocol::JsonWriter& w, std::string_view kind, analysis::Risk threshold, int pg_version) {
  w.key("kind").string(kind);
  w.key("max_risk_threshold").string(analysis::risk_name(threshold));
  w.key("pg_version").number(pg_version);
  w.key("schema_version").number(1);
}

void json_tool(protocol::JsonWriter& w) {
  w.key("tool").begin_object().key("name").string("lockward").key("version").string(LOCKWARD_VERSION).end_object();
}

void json_finding(protocol::JsonWriter& w, const SourceText& source, const analysis::Finding& fd, std::string_view origin) {
  w.begin_object();
  if (fd.base_risk) w.key("base_risk").string(analysis::risk_name(*fd.base_risk));
  w.key("fixes").begin_array();
  for (const auto& fx : fd.fixes) {
    w.begin_object();
    w.key("drop_in").boolean(fx.drop_in);
    w.key("new_text").string(fx.new_text);
    w.key("reason").string(fx.reason);
    w.key("replace");
    json_range(w, source, fx.replace);
    w.key("title").string(fx.title);
    w.end_object();
  }
  w.end_array();
  w.key("help").string(fd.help);
  if (fd.lock) w.key("lock").string(analysis::lock_mode_name(*fd.lock));
  w.key("message").string(fd.message);
  w.key("range");
  json_range(w, source, fd.range);
  w.key("related").begin_array();
  for (const auto& r : fd.related) {
    w.begin_object().key("message").string(r.message).key("range");
    json_range(w, source, r.range);
    w.end_object();
  }
  w.end_array();
  if (!fd.relation.empty()) w.key("relation").string(fd.relation.sql());
  w.key("risk").string(analysis::risk_name(fd.risk));
  w.key("rule").string(fd.rule);
  w.key("severity").string(analysis::severity_name(fd.severity));
  if (!origin.empty()) w.key("source").string(origin);
  if (fd.statement) w.key("statement").number(*fd.statement);
  w.end_object();
}

void json_file(protocol::JsonWriter& w, const std::string& path, const SourceText& source, const analysis::Analysis& a,
               const JsonFileExtras& extras) {
  w.begin_object();
  w.key("coverage").begin_object();
  w.key("analysed").number(a.coverage.analysed);
  w.key("psql_meta").number(a.coverage.psql_meta);
  w.key("statements").number(a.coverage.statements);
  w.key("syntax_errors").number(a.coverage.parse_errors);
  w.key("unanalysable").number(a.coverage.unanalysable);
  w.end_object();
  w.key("findings").begin_array();
  const bool traced = extras.trace_findings != nullptr;
  for (const auto& fd : a.findings) json_finding(w, source, fd, traced ? "analysis" : "");
  if (traced)
    for (const auto& fd : *extras.trace_findings) json_finding(w, source, fd, "trace");
  w.end_array();
  w.key("max_risk").string(analysis::risk_name(extras.raise_max_risk ? extras.max_risk : max_risk(a)));
  if (extras.migration && !extras.migration->tool.empty()) {
    const MigrationInfo& m = *extras.migration;
    w.key("migration").begin_object();
    if (!m.note.empty()) w.key("note").string(m.note);
    w.key("part").string(m.part);
    w.key("reason").string(m.reason);
    w.key("tool").string(m.tool);
    w.end_object();
  }
  w.key("path").string(path);
  w.key("pg_version").number(a.pg_version);
  w.key("schema").begin_object();
  w.key("migrations").number(a.schema.migrations);
  w.key("snapshot").boolean(a.schema.snapshot);
  if (a.schema.snapshot) {
    w.key("snapshot_live").boolean(a.schema.snapshot_live);
    if (a.schema.snapshot_taken_at.empty()) w.key("snapshot_taken_at").null();
    else w.key("snapshot_taken_at").string(a.schema.snapshot_taken_at);
  }
  w.end_object();
  w.key("statements").begin_array();
  for (std::size_t i = 0; i < a.statements.size(); ++i) statement_json(w, source, a.statements[i], i, extras);
  w.end_array();
  if (extras.file) extras.file(w);
  w.end_object();
}

void json_file_error(protocol::JsonWriter& w, const std::string& path, const std::string& error) {
  w.begin_object().key("error").string(error).key("path").string(path).end_object();
}

}  // namespace parts

void write_json(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options) {
  std::size_t findings = 0, above = 0;
  int pg_version = analysis::kDefaultPgVersion;
  for (const FileReport& f : files) {
    if (!f.error.empty()) continue;
    pg_version = f.analysis.pg_version;
    for (const auto& fd : f.analysis.findings) {
      ++findings;
      if (fd.risk > options.max_risk) ++above;
    }
  }
  protocol::JsonWriter w(out);
  w.begin_object().key("files").begin_array();
  for (const FileReport& f : files) {
    if (!f.error.empty()) parts::json_file_error(w, f.path, f.error);
    else {
      parts::JsonFileExtras extras;
      extras.migration = &f.migration;
      parts::json_file(w, f.path, SourceText(f.text), f.analysis, extras);
    }
  }
  w.end_array();
  parts::json_header(w, "check", options.max_risk, pg_version);
  w.key("summary").begin_object();
  w.key("above_threshold").number(above).key("files").number(files.size()).key("findings").number(findings);
  w.end_object();
  parts::json_tool(w);
  w.end_object().finish();
}

}  // namespace lockward::server
