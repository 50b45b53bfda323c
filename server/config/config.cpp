#include "server/config/config.h"

namespace lockward::server {
namespace fs = std::filesystem;

std::optional<fs::path> find_config_file(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
  while (!dir.empty()) {
    fs::path candidate = dir / ".lockward.toml";
    if (fs::is_regular_file(candidate, ec)) return candidate;
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

ConfigResult resolve_config(const fs::path&, const ConfigOverrides& overrides) {
  ConfigResult result;
  auto& o = result.config.options;
  if (overrides.pg_version) o.pg_version = *overrides.pg_version;
  if (overrides.migration_tool) o.migration_tool = *overrides.migration_tool;
  if (overrides.assume_in_transaction) o.assume_in_transaction = overrides.assume_in_transaction;
  if (overrides.timeouts_set_externally) o.timeouts_set_externally = *overrides.timeouts_set_externally;
  if (overrides.max_risk) {
    if (auto r = analysis::risk_from_name(*overrides.max_risk)) result.config.max_risk = *r;
    else result.errors.push_back("--max-risk: expected one of safe, low, medium, high, critical");
  }
  return result;
}

}  // namespace lockward::server
