#include "server/config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <sstream>

#include "analysis/rules/registry.h"
#include "server/config/schema_files.h"

namespace lockward::server {
namespace fs = std::filesystem;

namespace {

// Everything a .lockward.toml can say; unset fields leave the defaults alone.
struct FileSettings {
  std::optional<int> pg_version;
  std::optional<std::string> migration_tool;
  std::optional<bool> assume_in_transaction;
  std::optional<bool> timeouts_set_externally;
  std::optional<analysis::Risk> max_risk;
  std::optional<bool> fail_on_unknown;
  std::optional<std::int64_t> max_lock_timeout_ms;
  std::optional<std::int64_t> max_statement_timeout_ms;
  std::optional<fs::path> stats_file;     // resolved against the config file's folder
  std::optional<fs::path> snapshot_file;
  std::map<std::string, analysis::RuleSetting, std::less<>> rules;
  std::map<std::string, std::int64_t> thresholds;
  std::vector<std::string> errors;
};

std::optional<analysis::RuleSetting> rule_setting(std::string_view s) {
  analysis::RuleSetting r;
  if (s == "off") r.enabled = false;
  else if (s == "on") {}
  else if (s == "error") r.severity = analysis::Severity::Error;
  else if (s == "warning") r.severity = analysis::Severity::Warning;
  else if (s == "info") r.severity = analysis::Severity::Information;
  else if (s == "hint") r.severity = analysis::Severity::Hint;
  else return std::nullopt;
  return r;
}

std::string where(const fs::path& file, const toml::node& node) {
  const auto& src = node.source();
  std::ostringstream out;
  out << file.string();
  if (src.begin.line) out << ":" << src.begin.line << ":" << src.begin.column;
  return out.str();
}

FileSettings read_config_file(const fs::path& file) {
  FileSettings s;
  toml::table root;
  try {
    root = toml::parse_file(file.string());  // Debian builds toml++ with exceptions
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << file.string() << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    s.errors.push_back(out.str());
    return s;
  }
  auto error = [&](const toml::node& node, const std::string& key, const std::string& expected) {
    s.errors.push_back(where(file, node) + ": key `" + key + "`: expected " + expected);
  };
  auto path_of = [&](const toml::node& node, const std::string& key) -> std::optional<fs::path> {
    if (auto v = node.value<std::string>()) return file.parent_path() / *v;
    error(node, key, "a path (string)");
    return std::nullopt;
  };
  auto duration_of = [&](const toml::node& node, const std::string& key) -> std::optional<std::int64_t> {
    if (auto n = node.value<std::int64_t>(); n && node.is_integer()) return *n;
    if (auto v = node.value<std::string>()) {
      if (auto ms = analysis::parse_duration_ms(*v)) return ms;
    }
    error(node, key, "a duration such as \"5s\", \"500ms\", \"2min\" or milliseconds");
    return std::nullopt;
  };
  for (const auto& [k, node] : root) {
    std::string key(k.str());
    if (key == "pg_version") {
      auto v = node.value<std::int64_t>();
      if (node.is_integer() && v && *v >= analysis::kMinPgVersion && *v <= analysis::kMaxPgVersion)
        s.pg_version = static_cast<int>(*v);
      else error(node, key, "an integer from 10 to 18");
    } else if (key == "migration_tool") {
      auto v = node.value<std::string>();
      if (v && analysis::is_known_migration_tool(*v)) s.migration_tool = *v;
      else error(node, key, "one of none, goose, dbmate, flyway, golang-migrate, sqlx, sqitch, prisma, diesel, "
                            "supabase, drizzle, atlas, node-pg-migrate, rails, django, alembic, knex");
    } else if (key == "assume_in_transaction" || key == "timeouts_set_externally" || key == "fail_on_unknown") {
      auto v = node.value<bool>();
      if (!node.is_boolean() || !v) {
        error(node, key, "true or false");
      } else if (key == "assume_in_transaction") {
        s.assume_in_transaction = *v;
      } else if (key == "fail_on_unknown") {
        s.fail_on_unknown = *v;
      } else {
        s.timeouts_set_externally = *v;
      }
    } else if (key == "max_risk") {
      auto v = node.value<std::string>();
      auto r = v ? analysis::threshold_from_name(*v) : std::nullopt;
      if (r) s.max_risk = r;
      else error(node, key, "one of safe, low, medium, high, critical");
    } else if (key == "max_lock_timeout") {
      s.max_lock_timeout_ms = duration_of(node, key);
    } else if (key == "max_statement_timeout") {
      s.max_statement_timeout_ms = duration_of(node, key);
    } else if (key == "stats_file") {
      s.stats_file = path_of(node, key);
    } else if (key == "snapshot_file") {
      s.snapshot_file = path_of(node, key);
    } else if (key == "rules") {
      const toml::table* rules = node.as_table();
      if (!rules) {
        error(node, key, "a table of rule-id = \"off\" | \"on\" | \"error\" | \"warning\" | \"info\" | \"hint\"");
        continue;
      }
      for (const auto& [rk, rv] : *rules) {
        std::string id(rk.str());
        if (!analysis::find_rule(id)) {
          s.errors.push_back(where(file, rv) + ": key `rules." + id + "`: unknown rule (see `lockward rules`)");
          continue;
        }
        auto v = rv.value<std::string>();
        auto setting = v ? rule_setting(*v) : std::nullopt;
        if (setting) s.rules[id] = *setting;
        else error(rv, "rules." + id, "\"off\", \"on\", \"error\", \"warning\", \"info\" or \"hint\"");
      }
    } else if (key == "thresholds") {
      const toml::table* t = node.as_table();
      if (!t) {
        error(node, key, "a table");
        continue;
      }
      static const char* kKnown[] = {"rows_medium", "rows_large", "rows_critical",
                                     "bytes_medium", "bytes_large", "bytes_critical"};
      for (const auto& [tk, tv] : *t) {
        std::string name(tk.str());
        bool known = std::any_of(std::begin(kKnown), std::end(kKnown), [&](const char* k2) { return name == k2; });
        auto v = tv.value<std::int64_t>();
        if (!known) s.errors.push_back(where(file, tv) + ": key `thresholds." + name + "`: unknown threshold");
        else if (!tv.is_integer() || !v || *v < 0) error(tv, "thresholds." + name, "a non-negative integer");
        else s.thresholds[name] = *v;
      }
    } else {
      s.errors.push_back(where(file, node) + ": unknown key `" + key + "`");
    }
  }
  return s;
}

// Parsed files by path and modification time: many analysed files share one config, and an
// edited config is read again.
const FileSettings& cached_config(const fs::path& file) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<fs::file_time_type, FileSettings>> cache;
  std::error_code ec;
  fs::file_time_type mtime = fs::last_write_time(file, ec);
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(file.string());
  if (it == cache.end() || it->second.first != mtime) {
    it = cache.insert_or_assign(file.string(), std::make_pair(mtime, read_config_file(file))).first;
  }
  return it->second.second;
}

}  // namespace

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

ConfigResult resolve_config(const fs::path& for_path, const ConfigOverrides& overrides) {
  ConfigResult result;
  ResolvedConfig& c = result.config;
  analysis::Options& o = c.options;

  // 1. The config file: explicit, or the nearest one above the analysed file.
  std::optional<fs::path> file;
  if (overrides.config_path) {
    std::error_code ec;
    if (!fs::is_regular_file(*overrides.config_path, ec)) {
      result.errors.push_back(*overrides.config_path + ": no such configuration file");
      return result;
    }
    file = fs::path(*overrides.config_path);
  } else {
    file = find_config_file(for_path);
  }
  std::optional<fs::path> stats_path, snapshot_path;
  if (file) {
    const FileSettings& f = cached_config(*file);
    c.config_file = file;
    result.errors.insert(result.errors.end(), f.errors.begin(), f.errors.end());
    if (f.pg_version) o.pg_version = *f.pg_version;
    if (f.migration_tool) o.migration_tool = *f.migration_tool;
    if (f.assume_in_transaction) o.assume_in_transaction = f.assume_in_transaction;
    if (f.timeouts_set_externally) o.timeouts_set_externally = *f.timeouts_set_externally;
    if (f.max_risk) c.max_risk = *f.max_risk;
    if (f.fail_on_unknown) c.fail_on_unknown = *f.fail_on_unknown;
    if (f.max_lock_timeout_ms) o.max_lock_timeout_ms = *f.max_lock_timeout_ms;
    if (f.max_statement_timeout_ms) o.max_statement_timeout_ms = *f.max_statement_timeout_ms;
    stats_path = f.stats_file;
    snapshot_path = f.snapshot_file;
    o.rules = f.rules;
    for (const auto& [name, value] : f.thresholds) {
      auto& t = o.thresholds;
      if (name == "rows_medium") t.rows_medium = value;
      else if (name == "rows_large") t.rows_large = value;
      else if (name == "rows_critical") t.rows_critical = value;
      else if (name == "bytes_medium") t.bytes_medium = value;
      else if (name == "bytes_large") t.bytes_large = value;
      else if (name == "bytes_critical") t.bytes_critical = value;
    }
  }

  // 2. Explicit overrides (CLI flags, editor settings) win.
  if (overrides.pg_version) o.pg_version = *overrides.pg_version;
  if (overrides.migration_tool) {
    if (analysis::is_known_migration_tool(*overrides.migration_tool)) o.migration_tool = *overrides.migration_tool;
    else result.errors.push_back("--migration-tool: unknown tool `" + *overrides.migration_tool + "`");
  }
  if (overrides.assume_in_transaction) o.assume_in_transaction = overrides.assume_in_transaction;
  if (overrides.timeouts_set_externally) o.timeouts_set_externally = *overrides.timeouts_set_externally;
  if (overrides.max_risk) {
    if (auto r = analysis::threshold_from_name(*overrides.max_risk)) c.max_risk = *r;
    else result.errors.push_back("--max-risk: expected one of safe, low, medium, high, critical");
  }
  if (overrides.fail_on_unknown) c.fail_on_unknown = *overrides.fail_on_unknown;
  if (overrides.stats_file) stats_path = fs::path(*overrides.stats_file);
  if (overrides.snapshot_file) snapshot_path = fs::path(*overrides.snapshot_file);

  // 3. Table sizes and the schema snapshot.
  if (stats_path) {
    auto stats = std::make_shared<analysis::TableStats>();
    if (std::string e = load_stats_file(*stats_path, *stats); !e.empty()) result.errors.push_back(e);
    else c.stats = stats;
  }
  if (snapshot_path) {
    auto snapshot = std::make_shared<analysis::SchemaSnapshot>();
    if (std::string e = load_snapshot_file(*snapshot_path, *snapshot); !e.empty()) result.errors.push_back(e);
    else c.snapshot = snapshot;
  }
  o.stats = c.stats.get();
  o.snapshot = c.snapshot.get();
  return result;
}

}  // namespace lockward::server
