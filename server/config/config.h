// One configuration resolution for the CLI and the language server: built-in defaults, then
// the nearest .lockward.toml walking up from the analysed file (or an explicit --config), then
// explicit overrides (CLI flags, or LSP settings). Errors name the file and the key.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/options.h"

namespace lockward::server {

struct ConfigOverrides {
  std::optional<std::string> config_path;  // use this file instead of searching
  std::optional<int> pg_version;
  std::optional<std::string> migration_tool;
  std::optional<bool> assume_in_transaction;
  std::optional<bool> timeouts_set_externally;
  std::optional<std::string> max_risk;
  std::optional<bool> fail_on_unknown;
  std::optional<std::string> stats_file;
  std::optional<std::string> snapshot_file;
};

struct ResolvedConfig {
  analysis::Options options;  // snapshot and stats point into the members below
  analysis::Risk max_risk = analysis::Risk::High;
  // --ci fails on an UNKNOWN finding (a statement whose locks lockward does not know) even
  // when max_risk is above SAFE. Off by default: unknowns are warnings, not failures.
  bool fail_on_unknown = false;
  std::optional<std::filesystem::path> config_file;  // the .lockward.toml used, if any
  std::shared_ptr<const analysis::SchemaSnapshot> snapshot;
  std::shared_ptr<const analysis::TableStats> stats;
};

struct ConfigResult {
  ResolvedConfig config;
  std::vector<std::string> errors;  // "path/.lockward.toml: key `pg_version`: expected an integer 10–18"
  bool ok() const { return errors.empty(); }
};

// `for_path` is the analysed file (or a directory to start the search from).
ConfigResult resolve_config(const std::filesystem::path& for_path, const ConfigOverrides& overrides);

// The nearest .lockward.toml at or above `start`, if any.
std::optional<std::filesystem::path> find_config_file(const std::filesystem::path& start);

}  // namespace lockward::server
