#include "server/lsp/settings.h"

#include "trace/image_reference.h"

namespace lockward::server::lsp {
namespace {

using protocol::Json;

template <class T>
void read(const Json& j, const char* key, std::optional<T>& out, std::vector<std::string>& errors, const char* expected) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const Json::exception&) {
    errors.push_back(std::string("lockward.") + key + ": expected " + expected);
  }
}

std::optional<analysis::RuleSetting> rule_setting(const Json& v) {
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  analysis::RuleSetting r;
  if (s == "off") r.enabled = false;
  else if (s == "on") {}
  else if (s == "error") r.severity = analysis::Severity::Error;
  else if (s == "warning") r.severity = analysis::Severity::Warning;
  else if (s == "info" || s == "information") r.severity = analysis::Severity::Information;
  else if (s == "hint") r.severity = analysis::Severity::Hint;
  else return std::nullopt;
  return r;
}

}  // namespace

EditorSettings parse_settings(const Json& json, std::vector<std::string>& errors) {
  EditorSettings s;
  if (json.is_null()) return s;
  if (!json.is_object()) {
    errors.push_back("lockward: settings must be an object");
    return s;
  }
  // Clients nest the section differently; accept {"lockward": {...}} as well.
  const Json& j = json.contains("lockward") && json["lockward"].is_object() ? json["lockward"] : json;
  auto& o = s.overrides;
  read(j, "configPath", o.config_path, errors, "a string path");
  read(j, "pgVersion", o.pg_version, errors, "an integer 10–18");
  if (o.pg_version && (*o.pg_version < analysis::kMinPgVersion || *o.pg_version > analysis::kMaxPgVersion)) {
    errors.push_back("lockward.pgVersion: expected an integer 10–18");
    o.pg_version.reset();
  }
  read(j, "migrationTool", o.migration_tool, errors, "a string");
  read(j, "assumeInTransaction", o.assume_in_transaction, errors, "true or false");
  read(j, "timeoutsSetExternally", o.timeouts_set_externally, errors, "true or false");
  read(j, "maxRisk", o.max_risk, errors, "one of safe, low, medium, high, critical");
  read(j, "statsFile", o.stats_file, errors, "a string path");
  read(j, "snapshotFile", o.snapshot_file, errors, "a string path");
  std::optional<int> debounce;
  read(j, "debounceMs", debounce, errors, "an integer number of milliseconds");
  if (debounce) s.debounce_ms = std::max(0, *debounce);
  std::optional<long> max_diagnostics;
  read(j, "maxDiagnostics", max_diagnostics, errors, "a number of diagnostics (0: no limit)");
  if (max_diagnostics && *max_diagnostics >= 0) s.max_diagnostics = static_cast<std::size_t>(*max_diagnostics);
  else if (max_diagnostics) errors.push_back("lockward.maxDiagnostics: expected a number of diagnostics (0: no limit)");
  std::optional<std::string> docs;
  read(j, "docsUrl", docs, errors, "a string URL");
  if (docs) s.docs_url = *docs;
  std::optional<bool> b;
  read(j, "inlayHints", b, errors, "true or false");
  if (b) s.inlay_hints = *b;
  b.reset();
  read(j, "codeLens", b, errors, "true or false");
  if (b) s.code_lens = *b;
  b.reset();
  read(j, "traceOnSave", b, errors, "true or false");
  if (b) s.trace_on_save = *b;
  b.reset();
  read(j, "traceSuperuser", b, errors, "true or false");
  if (b) s.trace_superuser = *b;
  read(j, "tracePgBin", s.trace_pg_bin, errors, "a directory path");
  std::optional<std::string> provider;
  read(j, "traceProvider", provider, errors, "\"local\", \"docker\" or \"dsn\"");
  if (provider && (*provider == "local" || *provider == "docker" || *provider == "dsn")) s.trace_provider = *provider;
  else if (provider)
    errors.push_back("lockward.traceProvider: expected \"local\", \"docker\" or \"dsn\", got \"" + *provider + "\"");
  read(j, "traceDsn", s.trace_dsn, errors, "a connection string of a disposable, empty database");
  read(j, "traceDockerImage", s.trace_docker_image, errors, "an image reference such as postgres:17-alpine");
  if (s.trace_docker_image) {
    if (std::string why = trace::image_reference_error(*s.trace_docker_image); !why.empty()) {
      errors.push_back("lockward.traceDockerImage: " + why);
      s.trace_docker_image.reset();
    }
  }
  read(j, "traceDockerCli", s.trace_docker_cli, errors, "docker, podman or a path");
  std::optional<int> idle;
  read(j, "traceIdleSeconds", idle, errors, "an integer number of seconds");
  if (idle) s.trace_idle_seconds = std::max(1, *idle);
  if (auto it = j.find("rules"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      errors.push_back("lockward.rules: expected an object of rule id → off|on|error|warning|info|hint");
    } else {
      for (auto r = it->begin(); r != it->end(); ++r) {
        if (auto setting = rule_setting(r.value())) s.rules[r.key()] = *setting;
        else errors.push_back("lockward.rules." + r.key() + ": expected off, on, error, warning, info or hint");
      }
    }
  }
  return s;
}

}  // namespace lockward::server::lsp
