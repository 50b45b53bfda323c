// SARIF 2.1.0 for code-scanning UIs: one run, every rule in the driver, one result per finding,
// streamed (no DOM).
#include "analysis/rules/registry.h"
#include "lockward_version.h"
#include "analysis/options.h"
#include "server/report/parts.h"
#include "server/report/report.h"

namespace lockward::server {

namespace {

std::string_view level(analysis::Severity s) {
  switch (s) {
    case analysis::Severity::Error: return "error";
    case analysis::Severity::Warning: return "warning";
    default: return "note";
  }
}

void region(protocol::JsonWriter& w, const SourceText& source, analysis::TextRange r) {
  Location l = source.location(r);
  w.begin_object();
  w.key("endColumn").number(l.end_column).key("endLine").number(l.end_line);
  w.key("startColumn").number(l.start_column).key("startLine").number(l.start_line);
  w.end_object();
}

void artifact_location(protocol::JsonWriter& w, const std::string& path) {
  w.key("artifactLocation").begin_object().key("uri").string(path).end_object();
}

void rule(protocol::JsonWriter& w, const parts::SarifRule& r) {
  w.begin_object();
  w.key("id").string(r.id);
  w.key("properties").begin_object().key("kind").string(r.kind).end_object();
  w.key("shortDescription").begin_object().key("text").string(r.summary).end_object();
  w.end_object();
}

}  // namespace

namespace parts {

void sarif_result(protocol::JsonWriter& w, const std::string& path, const SourceText& source, const analysis::Finding& fd,
                  const SarifVerification* verification) {
  w.begin_object();
  if (!fd.fixes.empty()) {
    w.key("fixes").begin_array();
    for (const auto& fx : fd.fixes) {
      w.begin_object().key("artifactChanges").begin_array().begin_object();
      artifact_location(w, path);
      w.key("replacements").begin_array().begin_object().key("deletedRegion");
      region(w, source, fx.replace);
      w.key("insertedContent").begin_object().key("text").string(fx.new_text).end_object();
      w.end_object().end_array();
      w.end_object().end_array();
      w.key("description").begin_object().key("text").string(fx.title + ": " + fx.reason).end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.key("level").string(level(fd.severity));
  w.key("locations").begin_array().begin_object().key("physicalLocation").begin_object();
  artifact_location(w, path);
  w.key("region");
  region(w, source, fd.range);
  w.end_object().end_object().end_array();
  w.key("message").begin_object().key("text").string(fd.help.empty() ? fd.message : fd.message + " " + fd.help);
  w.end_object();
  w.key("properties").begin_object();
  if (verification) {
    w.key("observedLocks").begin_array();
    for (const auto& l : verification->observed_locks) w.string(l);
    w.end_array();
    if (verification->observed_rewrite) w.key("observedRewrite").boolean(true);
  }
  w.key("risk").string(analysis::risk_name(fd.risk));
  if (verification) w.key("verification").string(verification->status);
  w.end_object();
  w.key("ruleId").string(fd.rule);
  w.end_object();
}

void sarif_document(protocol::JsonWriter& w, const std::function<void()>& properties, const std::function<void()>& results,
                    const std::vector<SarifRule>& extra_rules) {
  w.begin_object();
  w.key("$schema").string("https://json.schemastore.org/sarif-2.1.0.json");
  w.key("runs").begin_array().begin_object();
  w.key("properties").begin_object();
  properties();
  w.end_object();
  w.key("results").begin_array();
  results();
  w.end_array();
  w.key("tool").begin_object().key("driver").begin_object();
  w.key("name").string("lockward");
  w.key("rules").begin_array();
  for (const auto& r : analysis::all_rules()) rule(w, {r.id, r.summary, analysis::rule_kind_name(r.kind)});
  for (const auto& r : extra_rules) rule(w, r);
  w.end_array();
  w.key("version").string(LOCKWARD_VERSION);
  w.end_object().end_object();
  w.end_object().end_array();
  w.key("version").string("2.1.0");
  w.end_object().finish();
}

}  // namespace parts

void write_sarif(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions&) {
  analysis::Coverage coverage;
  int pg_version = analysis::kDefaultPgVersion;
  for (const FileReport& f : files) {
    if (!f.error.empty()) continue;
    pg_version = f.analysis.pg_version;
    coverage.statements += f.analysis.coverage.statements;
    coverage.analysed += f.analysis.coverage.analysed;
    coverage.unanalysable += f.analysis.coverage.unanalysable;
    coverage.parse_errors += f.analysis.coverage.parse_errors;
  }
  protocol::JsonWriter w(out);
  parts::sarif_document(
      w,
      [&] {
        w.key("coverage").begin_object();
        w.key("analysed").number(coverage.analysed).key("statements").number(coverage.statements);
        w.key("syntaxErrors").number(coverage.parse_errors).key("unanalysable").number(coverage.unanalysable);
        w.end_object();
        w.key("pgVersion").number(pg_version);
      },
      [&] {
        for (const FileReport& f : files) {
          if (!f.error.empty()) continue;
          SourceText source(f.text);
          for (const auto& fd : f.analysis.findings) parts::sarif_result(w, f.path, source, fd);
        }
      });
}

}  // namespace lockward::server
