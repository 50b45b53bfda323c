// Building blocks that a format's check reporter and its trace reporter share, so both
// describe a statement or a finding the same way. Each is defined in that format's check
// reporter file; only server/report/ includes this header. JSON pieces write to a protocol::JsonWriter
// and, like the reports before them, keep each object's keys in sorted order.
#pragma once

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "protocol/json_writer.h"
#include "server/report/report.h"

namespace lockward::server::parts {

// JSON (docs/json-format.md).
void json_range(protocol::JsonWriter& w, const SourceText& source, analysis::TextRange range);
// The top level's "kind", "max_risk_threshold", "pg_version" and "schema_version" (the keys
// between "files" and "summary").
void json_header(protocol::JsonWriter& w, std::string_view kind, analysis::Risk threshold, int pg_version);
void json_tool(protocol::JsonWriter& w);  // the top level's last key, "tool"
// What a trace adds to a file's JSON.
struct JsonFileExtras {
  analysis::Risk max_risk = analysis::Risk::Safe;  // used when `raise_max_risk`
  bool raise_max_risk = false;
  // Appended after the static findings; with it, every finding says its "source".
  const std::vector<analysis::Finding>* trace_findings = nullptr;
  // Called last in the object of the statement at `index` in the file's list (keys after "summary").
  std::function<void(protocol::JsonWriter&, std::size_t index)> statement;
  // The migration set the file was read in ("migration", after "max_risk"); none: no key.
  const MigrationInfo* migration = nullptr;
  // Called last in the file's object (keys after "statements").
  std::function<void(protocol::JsonWriter&)> file;
};
// One file's path, pg_version, max_risk, coverage, statements and findings.
void json_file(protocol::JsonWriter& w, const std::string& path, const SourceText& source, const analysis::Analysis& analysis,
               const JsonFileExtras& extras = {});
void json_file_error(protocol::JsonWriter& w, const std::string& path, const std::string& error);
// `origin`: "analysis" or "trace" in trace reports, empty (no key) in check reports.
void json_finding(protocol::JsonWriter& w, const SourceText& source, const analysis::Finding& finding,
                  std::string_view origin = {});

// SARIF 2.1.0.
struct SarifRule {
  std::string_view id, summary, kind;
};
// What a trace saw of a result's statement, for its properties.
struct SarifVerification {
  std::string status;
  std::vector<std::string> observed_locks;
  bool observed_rewrite = false;
};
void sarif_result(protocol::JsonWriter& w, const std::string& path, const SourceText& source, const analysis::Finding& finding,
                  const SarifVerification* verification = nullptr);
// The whole document: `properties` writes the run's property keys (sorted), `results` its
// results; the driver lists every analysis rule, then `extra_rules`.
void sarif_document(protocol::JsonWriter& w, const std::function<void()>& properties, const std::function<void()>& results,
                    const std::vector<SarifRule>& extra_rules = {});

// GitHub pull-request Markdown.
std::string markdown_cell(const std::string& s);
const char* risk_icon(analysis::Risk risk);
void markdown_finding(std::ostream& out, const SourceText& source, const analysis::Finding& finding);

// GitHub Actions workflow commands: one annotation line; `extra` is appended to the message.
void github_annotation(std::ostream& out, const std::string& path, const SourceText& source, int pg_version,
                       const analysis::Finding& finding, std::string_view extra = {});
void github_annotation_error(std::ostream& out, const std::string& path, const std::string& error);

// GitLab Code Quality. `seen` counts repeated (path, rule, statement) keys within a file so
// fingerprints stay unique and stable.
void gitlab_issue(protocol::JsonWriter& w, const std::string& path, const SourceText& source, const analysis::Analysis& analysis,
                  const analysis::Finding& finding, std::map<std::string, int>& seen);

}  // namespace lockward::server::parts
