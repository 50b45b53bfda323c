// Reporters turn analysed files into text for people and machines. One function per format;
// each writes a whole report for a batch of files.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "analysis/model.h"
#include "protocol/line_index.h"

namespace lockward::server {

// The migration set a file was read in (server/migrations): the tool assumed and why.
struct MigrationInfo {
  std::string tool;    // "goose", "flyway", … "none" (a plain folder); "" when not known
  std::string reason;  // why this tool: "set by migration_tool", "`-- +goose Up` annotations (3 files)"
  std::string note;    // a mixed or ambiguous folder, or a file its tool does not run
  std::string part;    // "up" (with its down section, if any, as the rollback) or "down"
};

struct FileReport {
  std::string path;       // as given on the command line (relative paths stay relative)
  std::string text;       // the file's contents (for line/column conversion)
  analysis::Analysis analysis;
  std::string error;      // an I/O error reading the file; analysis is empty then
  MigrationInfo migration;
};

struct ReportOptions {
  bool color = false;
  analysis::Risk max_risk = analysis::Risk::High;  // for summaries and CI verdicts
};

void write_text(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options);
// How a report names the snapshot it used: "snapshot of 2026-11-30" (its capture date), "the
// catalog of the traced database", or "a snapshot" when the file does not say.
std::string schema_snapshot_label(const analysis::SchemaSources& schema);
// Documented in docs/json-format.md (schema_version 1).
void write_json(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options);
// SARIF 2.1.0.
void write_sarif(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options);
// Markdown for a pull-request comment.
void write_github(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options);
// GitHub Actions workflow commands (::error/::warning/::notice lines, shown on the diff).
void write_github_actions(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options);
// GitLab Code Quality (a JSON array of issues).
void write_gitlab(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions& options);

// The strongest risk among a file's findings.
analysis::Risk max_risk(const analysis::Analysis& analysis);

// Line (0-based) and column (0-based, in bytes) of a byte offset.
struct LineCol {
  std::size_t line = 0;
  std::size_t column = 0;
};
// 1-based line and column (UTF-8 bytes) for machine formats.
struct Location {
  std::size_t start_line, start_column, end_line, end_column;
};

// A file's text with its line index, built once per file: a finding's position then costs a
// binary search, not a scan from the start of the file.
class SourceText {
 public:
  explicit SourceText(std::string_view text) : text_(text), lines_(text) {}
  std::string_view text() const { return text_; }
  LineCol line_col(std::size_t offset) const;
  Location location(analysis::TextRange range) const;

 private:
  std::string_view text_;
  protocol::LineIndex lines_;
};

}  // namespace lockward::server
