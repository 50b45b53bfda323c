// The editor's settings for lockward (initializationOptions or the "lockward" section of
// workspace/configuration), parsed field by field: a bad field is reported by name and
// ignored, never fatal.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/model.h"
#include "protocol/jsonrpc.h"
#include "server/config/config.h"

namespace lockward::server::lsp {

struct EditorSettings {
  ConfigOverrides overrides;  // pgVersion, migrationTool, assumeInTransaction, … (win over .lockward.toml)
  std::map<std::string, analysis::RuleSetting, std::less<>> rules;  // "rules": {"id": "off"|"error"|…}
  int debounce_ms = 150;
  // Most diagnostics published per document (0: all); past it, those around the last edit.
  std::size_t max_diagnostics = 1000;
  std::string docs_url;
  bool inlay_hints = true;
  bool code_lens = true;
  // Trace from the editor.
  bool trace_on_save = false;
  std::optional<std::string> trace_pg_bin;
  std::string trace_provider = "local";           // "local", "docker" or "dsn"
  std::optional<std::string> trace_dsn;           // traceProvider "dsn": a disposable, empty database
  std::optional<std::string> trace_docker_image;  // default postgres:<major>-alpine
  std::optional<std::string> trace_docker_cli;    // docker, podman or a path
  int trace_idle_seconds = 600;
  bool trace_superuser = false;  // run traced SQL as a superuser instead of lockward_migrator
};

// Parses `json` (an object, or null for defaults). Problems go to `errors` as
// "lockward.<field>: expected …".
EditorSettings parse_settings(const protocol::Json& json, std::vector<std::string>& errors);

}  // namespace lockward::server::lsp
