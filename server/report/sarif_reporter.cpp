// SARIF 2.1.0 for code-scanning UIs: one run, every rule in the driver, one result per finding.
#include <nlohmann/json.hpp>

#include "analysis/rules/registry.h"
#include "lockward_version.h"
#include "analysis/options.h"
#include "server/report/parts.h"
#include "server/report/report.h"

namespace lockward::server {
using nlohmann::json;

namespace {

std::string level(analysis::Severity s) {
  switch (s) {
    case analysis::Severity::Error: return "error";
    case analysis::Severity::Warning: return "warning";
    default: return "note";
  }
}

json region(std::string_view text, analysis::TextRange r) {
  Location l = location(text, r);
  return {{"startLine", l.start_line}, {"startColumn", l.start_column}, {"endLine", l.end_line},
          {"endColumn", l.end_column}};
}

}  // namespace

namespace parts {

json sarif_rule(std::string_view id, std::string_view summary, std::string_view kind) {
  return {{"id", id}, {"shortDescription", {{"text", summary}}}, {"properties", {{"kind", kind}}}};
}

json sarif_rules() {
  json rules = json::array();
  for (const auto& r : analysis::all_rules()) rules.push_back(sarif_rule(r.id, r.summary, analysis::rule_kind_name(r.kind)));
  return rules;
}

json sarif_result(const std::string& path, std::string_view text, const analysis::Finding& fd) {
  json result{{"ruleId", fd.rule},
              {"level", level(fd.severity)},
              {"message", {{"text", fd.message + (fd.help.empty() ? "" : " " + fd.help)}}},
              {"locations", json::array({{{"physicalLocation",
                                           {{"artifactLocation", {{"uri", path}}},
                                            {"region", region(text, fd.range)}}}}})},
              {"properties", {{"risk", analysis::risk_name(fd.risk)}}}};
  json fixes = json::array();
  for (const auto& fx : fd.fixes) {
    fixes.push_back(
        {{"description", {{"text", fx.title + ": " + fx.reason}}},
         {"artifactChanges",
          json::array({{{"artifactLocation", {{"uri", path}}},
                        {"replacements", json::array({{{"deletedRegion", region(text, fx.replace)},
                                                       {"insertedContent", {{"text", fx.new_text}}}}})}}})}});
  }
  if (!fixes.empty()) result["fixes"] = std::move(fixes);
  return result;
}

json sarif_document(json rules, json results, json properties) {
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool", {{"driver", {{"name", "lockward"},
                                                       {"version", LOCKWARD_VERSION},
                                                       {"rules", std::move(rules)}}}}},
                                 {"results", std::move(results)},
                                 {"properties", std::move(properties)}}})}};
}

}  // namespace parts

void write_sarif(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions&) {
  json results = json::array();
  analysis::Coverage coverage;
  int pg_version = analysis::kDefaultPgVersion;
  for (const FileReport& f : files) {
    if (!f.error.empty()) continue;
    pg_version = f.analysis.pg_version;
    coverage.statements += f.analysis.coverage.statements;
    coverage.analysed += f.analysis.coverage.analysed;
    coverage.unanalysable += f.analysis.coverage.unanalysable;
    coverage.parse_errors += f.analysis.coverage.parse_errors;
    for (const auto& fd : f.analysis.findings) results.push_back(parts::sarif_result(f.path, f.text, fd));
  }
  json properties{{"pgVersion", pg_version},
                  {"coverage", {{"statements", coverage.statements}, {"analysed", coverage.analysed},
                                {"unanalysable", coverage.unanalysable}, {"syntaxErrors", coverage.parse_errors}}}};
  out << parts::json_text(parts::sarif_document(parts::sarif_rules(), std::move(results), std::move(properties)));
}

}  // namespace lockward::server
