// Building blocks that a format's check reporter and its trace reporter share, so both
// describe a statement or a finding the same way. Each is defined in that format's check
// reporter file; only server/report/ includes this header.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "analysis/model.h"

namespace lockward::server::parts {

// JSON (docs/json-format.md).
nlohmann::json json_range(std::string_view text, analysis::TextRange range);
nlohmann::json json_header(std::string_view kind, analysis::Risk threshold);
// One file's path, pg_version, max_risk, coverage, statements and findings.
nlohmann::json json_file(const std::string& path, std::string_view text, const analysis::Analysis& analysis);
nlohmann::json json_finding(std::string_view text, const analysis::Finding& finding);
std::string json_text(const nlohmann::json& document);

// SARIF 2.1.0.
nlohmann::json sarif_rules();  // every analysis rule, for the driver
nlohmann::json sarif_rule(std::string_view id, std::string_view summary, std::string_view kind);
nlohmann::json sarif_result(const std::string& path, std::string_view text, const analysis::Finding& finding);
nlohmann::json sarif_document(nlohmann::json rules, nlohmann::json results, nlohmann::json properties);

// GitHub pull-request Markdown.
std::string markdown_cell(const std::string& s);
const char* risk_icon(analysis::Risk risk);
void markdown_finding(std::ostream& out, std::string_view text, const analysis::Finding& finding);

// GitHub Actions workflow commands: one annotation line; `extra` is appended to the message.
void github_annotation(std::ostream& out, const std::string& path, std::string_view text, int pg_version,
                       const analysis::Finding& finding, std::string_view extra = {});
void github_annotation_error(std::ostream& out, const std::string& path, const std::string& error);

// GitLab Code Quality. `seen` counts repeated (path, rule, statement) keys within a file so
// fingerprints stay unique and stable.
nlohmann::json gitlab_issue(const std::string& path, std::string_view text, const analysis::Analysis& analysis,
                            const analysis::Finding& finding, std::map<std::string, int>& seen);

}  // namespace lockward::server::parts
