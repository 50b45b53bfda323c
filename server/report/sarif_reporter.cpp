// SARIF 2.1.0 for code-scanning UIs: one run, every rule in the driver, one result per finding.
#include <nlohmann/json.hpp>

#include "analysis/rules/registry.h"
#include "lockward_version.h"
#include "analysis/options.h"
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

void write_sarif(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions&) {
  json rules = json::array();
  for (const auto& r : analysis::all_rules()) {
    rules.push_back({{"id", r.id},
                     {"shortDescription", {{"text", r.summary}}},
                     {"properties", {{"kind", analysis::rule_kind_name(r.kind)}}}});
  }
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
    for (const auto& fd : f.analysis.findings) {
      json result{{"ruleId", fd.rule},
                  {"level", level(fd.severity)},
                  {"message", {{"text", fd.message + (fd.help.empty() ? "" : " " + fd.help)}}},
                  {"locations", json::array({{{"physicalLocation",
                                               {{"artifactLocation", {{"uri", f.path}}},
                                                {"region", region(f.text, fd.range)}}}}})},
                  {"properties", {{"risk", analysis::risk_name(fd.risk)}}}};
      json fixes = json::array();
      for (const auto& fx : fd.fixes) {
        fixes.push_back(
            {{"description", {{"text", fx.title + ": " + fx.reason}}},
             {"artifactChanges",
              json::array({{{"artifactLocation", {{"uri", f.path}}},
                            {"replacements", json::array({{{"deletedRegion", region(f.text, fx.replace)},
                                                           {"insertedContent", {{"text", fx.new_text}}}}})}}})}});
      }
      if (!fixes.empty()) result["fixes"] = std::move(fixes);
      results.push_back(std::move(result));
    }
  }
  json sarif{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       json::array({{{"tool", {{"driver", {{"name", "lockward"},
                                           {"version", LOCKWARD_VERSION},
                                           {"rules", rules}}}}},
                     {"results", results},
                     {"properties",
                      {{"pgVersion", pg_version},
                       {"coverage", {{"statements", coverage.statements}, {"analysed", coverage.analysed},
                                     {"unanalysable", coverage.unanalysable},
                                     {"syntaxErrors", coverage.parse_errors}}}}}}})}};
  out << sarif.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace lockward::server
