// The versioned JSON report (docs/json-format.md): every file's statements with their locks
// and every finding with its fixes.
#include <nlohmann/json.hpp>

#include "lockward_version.h"
#include "analysis/options.h"
#include "server/report/parts.h"
#include "server/report/report.h"

namespace lockward::server {
using nlohmann::json;

namespace {

json blocks_json(analysis::LockMode mode) {
  json out = json::array();
  for (auto op : analysis::blocked_operations(mode)) out.push_back(analysis::operation_name(op));
  return out;
}

json statement_json(std::string_view text, const analysis::Statement& s) {
  json locks = json::array();
  for (const auto& l : s.locks) {
    locks.push_back({{"object", l.object.sql()}, {"kind", analysis::object_kind_name(l.kind)},
                     {"mode", analysis::lock_mode_name(l.mode)}, {"blocks", blocks_json(l.mode)},
                     {"new_object", l.new_object}});
  }
  json rows = json::array();
  for (const auto& e : s.effects)
    if (e.row) rows.push_back(e.row->id);
  return {{"index", s.index}, {"range", parts::json_range(text, s.code)}, {"summary", s.summary},
          {"forms", rows}, {"locks", locks}, {"rewrite", analysis::rewrite_name(s.rewrite)},
          {"scans", s.scans}, {"risk", analysis::risk_name(s.risk)},
          {"in_transaction", s.tx.in_transaction}};
}

}  // namespace

namespace parts {

json json_range(std::string_view text, analysis::TextRange r) {
  Location l = location(text, r);
  return {{"start", {{"line", l.start_line}, {"column", l.start_column}, {"offset", r.begin}}},
          {"end", {{"line", l.end_line}, {"column", l.end_column}, {"offset", r.end}}}};
}

json json_header(std::string_view kind, analysis::Risk threshold) {
  return {{"schema_version", 1},
          {"kind", kind},
          {"tool", {{"name", "lockward"}, {"version", LOCKWARD_VERSION}}},
          {"max_risk_threshold", analysis::risk_name(threshold)}};
}

json json_finding(std::string_view text, const analysis::Finding& fd) {
  json fixes = json::array();
  for (const auto& fx : fd.fixes) {
    fixes.push_back({{"title", fx.title}, {"replace", json_range(text, fx.replace)}, {"new_text", fx.new_text},
                     {"drop_in", fx.drop_in}, {"reason", fx.reason}});
  }
  json related = json::array();
  for (const auto& r : fd.related) related.push_back({{"range", json_range(text, r.range)}, {"message", r.message}});
  json jfd{{"rule", fd.rule},        {"risk", analysis::risk_name(fd.risk)}, {"severity", analysis::severity_name(fd.severity)},
           {"message", fd.message},  {"help", fd.help},                      {"range", json_range(text, fd.range)},
           {"related", related},     {"fixes", fixes}};
  if (fd.statement) jfd["statement"] = *fd.statement;
  if (fd.lock) jfd["lock"] = analysis::lock_mode_name(*fd.lock);
  if (!fd.relation.empty()) jfd["relation"] = fd.relation.sql();
  if (fd.base_risk) jfd["base_risk"] = analysis::risk_name(*fd.base_risk);
  return jfd;
}

json json_file(const std::string& path, std::string_view text, const analysis::Analysis& a) {
  json jf{{"path", path}};
  jf["pg_version"] = a.pg_version;
  jf["max_risk"] = analysis::risk_name(max_risk(a));
  jf["coverage"] = {{"statements", a.coverage.statements}, {"analysed", a.coverage.analysed},
                    {"unanalysable", a.coverage.unanalysable}, {"syntax_errors", a.coverage.parse_errors},
                    {"psql_meta", a.coverage.psql_meta}};
  json statements = json::array();
  for (const auto& s : a.statements) statements.push_back(statement_json(text, s));
  jf["statements"] = std::move(statements);
  json findings = json::array();
  for (const auto& fd : a.findings) findings.push_back(json_finding(text, fd));
  jf["findings"] = std::move(findings);
  return jf;
}

std::string json_text(const json& document) {
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace parts

void write_json(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options) {
  json report = parts::json_header("check", options.max_risk);
  json jfiles = json::array();
  std::size_t findings = 0, above = 0;
  int pg_version = analysis::kDefaultPgVersion;
  for (const FileReport& f : files) {
    if (!f.error.empty()) {
      jfiles.push_back({{"path", f.path}, {"error", f.error}});
      continue;
    }
    pg_version = f.analysis.pg_version;
    for (const auto& fd : f.analysis.findings) {
      ++findings;
      if (fd.risk > options.max_risk) ++above;
    }
    jfiles.push_back(parts::json_file(f.path, f.text, f.analysis));
  }
  report["pg_version"] = pg_version;
  report["files"] = std::move(jfiles);
  report["summary"] = {{"files", files.size()}, {"findings", findings}, {"above_threshold", above}};
  out << parts::json_text(report);
}

}  // namespace lockward::server
