#include "server/migrations/migration_set.h"

#include <algorithm>

#include "server/cli/input_files.h"

namespace lockward::server {
namespace fs = std::filesystem;

namespace {

// Folders with more files than this are not a migration folder worth reading whole (a home
// directory opened in an editor): only their top level is listed.
constexpr std::size_t kMaxEntries = 20'000;

bool wanted_text(std::string_view rel) {
  const std::string_view name = rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
  return rel.ends_with(".sql") || rel.ends_with(".sql.conf") || rel == "sqitch.plan" || rel == "atlas.sum" ||
         rel == "meta/_journal.json" || name == "metadata.toml";
}

fs::path absolute_normal(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  return (ec ? p : a).lexically_normal();
}

// How far up a tool's configuration file is looked for.
constexpr int kMaxConfigLevels = 32;

}  // namespace

std::optional<ConfiguredFolder> configured_folder(const fs::path& folder_in) {
  const fs::path folder = absolute_normal(folder_in);
  fs::path at = folder;
  for (int level = 0; level < kMaxConfigLevels; ++level) {
    for (std::string_view name : analysis::kToolConfigFiles) {
      const fs::path file = at / name;
      std::error_code ec;
      if (!fs::is_regular_file(file, ec)) continue;
      std::string text, error;
      if (!read_file(file.string(), text, error)) continue;
      const std::optional<analysis::ToolConfig> config = analysis::read_tool_config(name, text);
      if (!config) continue;
      for (const std::string& dir : config->dirs) {
        const fs::path d = fs::path(dir).is_absolute() ? fs::path(dir) : at / dir;
        if (d.lexically_normal() == folder) return ConfiguredFolder{config->tool, file};
      }
    }
    if (!at.has_parent_path() || at.parent_path() == at) break;
    at = at.parent_path();
  }
  return std::nullopt;
}

fs::path MigrationSet::root_of(const fs::path& file) {
  const fs::path abs = absolute_normal(file);
  const fs::path folder = abs.parent_path();
  // A tool's configuration file that names the folder (or, for a folder per migration, the one
  // above it) decides.
  if (configured_folder(folder)) return folder;
  if (folder.has_parent_path() && configured_folder(folder.parent_path())) return folder.parent_path();
  std::vector<std::string> parent_entries;
  std::error_code ec;
  if (folder.has_parent_path() && fs::exists(folder.parent_path() / "sqitch.plan", ec))
    parent_entries.push_back("sqitch.plan");
  const int up = analysis::set_root_levels(abs.filename().string(), folder.filename().string(), parent_entries);
  return up == 1 ? folder.parent_path() : folder;
}

std::shared_ptr<const MigrationSet> MigrationSet::load(const fs::path& root_in, std::string_view configured,
                                                       const Overlay& overlay, const fs::path& open_file) {
  auto set = std::make_shared<MigrationSet>();
  set->root_ = absolute_normal(root_in);
  const fs::path& root = set->root_;
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end && names.size() < kMaxEntries; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(".")) continue;
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) {
      names.push_back(name);
    } else if (it->is_directory(type_ec)) {
      std::error_code sub_ec;
      for (fs::directory_iterator sub(it->path(), sub_ec), sub_end; !sub_ec && sub != sub_end && names.size() < kMaxEntries;
           sub.increment(sub_ec)) {
        std::error_code f_ec;
        if (sub->is_regular_file(f_ec)) names.push_back(name + "/" + sub->path().filename().string());
      }
    }
  }
  if (!open_file.empty()) {
    const std::string rel = absolute_normal(open_file).lexically_relative(root).generic_string();
    if (!rel.empty() && !rel.starts_with("..") && std::count(rel.begin(), rel.end(), '/') <= 1 &&
        std::find(names.begin(), names.end(), rel) == names.end())
      names.push_back(rel);
  }
  std::sort(names.begin(), names.end());
  for (std::string& rel : names) {
    analysis::FolderEntry entry{std::move(rel), std::nullopt};
    if (wanted_text(entry.path)) {
      const fs::path abs = root / entry.path;
      std::optional<std::string> open = overlay ? overlay(abs) : std::nullopt;
      if (open) {
        entry.text = std::move(open);
      } else {
        std::string text, error;
        if (read_file(abs.string(), text, error)) entry.text = std::move(text);
      }
    }
    set->entries_.push_back(std::move(entry));
  }
  // The migration_tool setting, else a tool's configuration file naming this folder, else the
  // folder's files.
  const std::optional<ConfiguredFolder> by_config =
      configured.empty() || !analysis::tool_orders_folder(configured) ? configured_folder(root) : std::nullopt;
  if (by_config) {
    set->tool_ = analysis::detect_migration_tool(set->entries_, by_config->tool, root.generic_string());
    set->tool_.reason = "its folder is named by " + by_config->file.generic_string();
  } else {
    set->tool_ = analysis::detect_migration_tool(set->entries_, configured, root.generic_string());
  }
  set->migrations_ = analysis::order_migrations(set->tool_.tool, set->entries_);
  return set;
}

MigrationSet::Place MigrationSet::place(const fs::path& file) const {
  const fs::path rel = absolute_normal(file).lexically_relative(root_);
  const std::string r = rel.generic_string();
  for (std::size_t i = 0; i < migrations_.size(); ++i) {
    if (migrations_[i].up == r) return {true, i, false};
    if (migrations_[i].down == r) return {true, i, true};
  }
  return {};
}

const std::string* MigrationSet::text(std::string_view relative) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), relative,
                             [](const analysis::FolderEntry& e, std::string_view r) { return e.path < r; });
  if (it == entries_.end() || it->path != relative || !it->text) return nullptr;
  return &*it->text;
}

std::optional<std::string> MigrationSet::up_text(std::size_t i) const {
  if (i >= migrations_.size() || migrations_[i].up.empty()) return std::nullopt;
  const std::string* t = text(migrations_[i].up);
  if (!t) return std::nullopt;
  return analysis::part_text(tool_.tool, *t, analysis::Part::Up);
}

std::vector<std::pair<std::string, std::string>> MigrationSet::history_before(const fs::path& file) const {
  std::vector<std::pair<std::string, std::string>> out;
  const Place p = place(file);
  if (!p.member) return out;
  const std::size_t end = p.index + (p.down_file ? 1 : 0);
  for (std::size_t i = 0; i < end; ++i) {
    if (std::optional<std::string> up = up_text(i)) out.push_back({migrations_[i].up, std::move(*up)});
  }
  return out;
}

std::string MigrationSet::describe() const { return tool_.tool + " (" + tool_.reason + ")"; }

std::string MigrationSet::place_note(Place place) const {
  std::string out = tool_.note;
  auto add = [&](std::string_view more) {
    if (more.empty()) return;
    if (!out.empty()) out += "; ";
    out += more;
  };
  if (!place.member && analysis::tool_orders_folder(tool_.tool) && tool_.tool != "none")
    add("not a migration " + tool_.tool + " runs: analysed alone, without history");
  if (place.member) add(analysis::migration_assumption(tool_.tool));
  return out;
}

analysis::Options options_in_set(analysis::Options options, const MigrationSet& set, MigrationSet::Place place) {
  if (options.migration_tool.empty() || analysis::tool_orders_folder(options.migration_tool))
    options.migration_tool = set.tool().tool;
  if (place.member && !options.assume_in_transaction) options.assume_in_transaction = set.in_transaction(place.index);
  return options;
}

std::shared_ptr<const MigrationSet> MigrationSets::of(const fs::path& file, std::string_view configured) {
  // The root is the same for every file of a folder (root_of may walk up looking for a tool's
  // configuration file): found once per folder.
  const fs::path folder = absolute_normal(file).parent_path();
  auto known = roots_.find(folder);
  if (known == roots_.end()) known = roots_.emplace(folder, MigrationSet::root_of(file)).first;
  const fs::path root = known->second;
  const fs::path key = root / std::string(configured).append("\x1f");
  for (const auto& [k, set] : sets_)
    if (k == key) return set;
  const bool has_open = !open_file_.empty() && MigrationSet::root_of(open_file_) == root;
  sets_.push_back({key, MigrationSet::load(root, configured, overlay_, has_open ? open_file_ : fs::path())});
  return sets_.back().second;
}

}  // namespace lockward::server
