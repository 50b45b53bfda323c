#include "analysis/migration_set.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include <nlohmann/json.hpp>

#include "analysis/analyze.h"

namespace lockward::analysis {
namespace {

constexpr std::array<std::string_view, 13> kOrderingTools = {"none",     "goose",   "dbmate",   "flyway", "golang-migrate",
                                                             "sqlx",     "prisma",  "diesel",   "supabase", "drizzle",
                                                             "sqitch",   "atlas",   "sql-migrate"};

bool ends_with(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

std::string_view base_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dir_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

std::size_t depth(std::string_view path) { return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')); }

bool is_sql(std::string_view path) { return ends_with(path, ".sql"); }

std::string_view leading_digits(std::string_view name) {
  std::size_t i = 0;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
  return name.substr(0, i);
}

// A comment line squeezed (no spaces) and lowered: "-- +goose Up" → "--+gooseup".
std::string squeezed_line(std::string_view line) {
  std::string out;
  for (char c : line)
    if (!std::isspace(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Section {
  Part part;
  std::size_t begin;  // the marker line's first byte
};

// The section markers of a goose or dbmate file, in text order.
std::vector<Section> sections(std::string_view tool, std::string_view text) {
  std::vector<Section> out;
  const bool goose = tool == "goose", dbmate = tool == "dbmate", sql_migrate = tool == "sql-migrate";
  if (!goose && !dbmate && !sql_migrate) return out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line.substr(first).starts_with("--")) {
      const std::string s = squeezed_line(line);
      if (goose && (s == "--+gooseup" || s.starts_with("--+gooseup--"))) out.push_back({Part::Up, at});
      else if (goose && (s == "--+goosedown" || s.starts_with("--+goosedown--"))) out.push_back({Part::Down, at});
      else if (dbmate && s.starts_with("--migrate:up")) out.push_back({Part::Up, at});
      else if (dbmate && s.starts_with("--migrate:down")) out.push_back({Part::Down, at});
      // sql-migrate: `-- +migrate Up [notransaction]`, `-- +migrate Down [notransaction]`.
      else if (sql_migrate && s.starts_with("--+migrateup")) out.push_back({Part::Up, at});
      else if (sql_migrate && s.starts_with("--+migratedown")) out.push_back({Part::Down, at});
    }
    at = end + 1;
  }
  return out;
}

bool contains_marker(std::string_view tool, std::string_view text) {
  for (const Section& s : sections(tool, text))
    if (s.part == Part::Up) return true;
  return false;
}

bool less_by_name(const FolderEntry* a, const FolderEntry* b) { return a->path < b->path; }

// Versions in digits compared as numbers (no overflow: by length once leading zeros are gone).
int compare_numbers(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

const FolderEntry* find_entry(const std::vector<FolderEntry>& entries, std::string_view path) {
  for (const FolderEntry& e : entries)
    if (e.path == path) return &e;
  return nullptr;
}

std::string stem(std::string_view file) {
  std::string_view b = base_name(file);
  if (ends_with(b, ".sql")) b.remove_suffix(4);
  return std::string(b);
}

std::vector<const FolderEntry*> top_sql(const std::vector<FolderEntry>& entries) {
  std::vector<const FolderEntry*> out;
  for (const FolderEntry& e : entries)
    if (depth(e.path) == 0 && is_sql(e.path)) out.push_back(&e);
  std::sort(out.begin(), out.end(), less_by_name);
  return out;
}

// Flyway's script name: prefix letter, version, "__", description.
struct FlywayName {
  char prefix = 0;  // 'V', 'U', 'R'
  std::string version;
  std::string description;
};

std::optional<FlywayName> flyway_name(std::string_view file) {
  std::string_view name = base_name(file);
  if (!ends_with(name, ".sql") || name.size() < 4) return std::nullopt;
  name.remove_suffix(4);
  const std::size_t sep = name.find("__");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  const char prefix = name[0];
  if (prefix != 'V' && prefix != 'U' && prefix != 'R') return std::nullopt;
  const std::string_view version = name.substr(1, sep - 1);
  if (prefix == 'R' ? !version.empty() : version.empty()) return std::nullopt;
  if (version.find_first_not_of("0123456789._") != std::string_view::npos) return std::nullopt;
  return FlywayName{prefix, std::string(version), std::string(name.substr(sep + 2))};
}

// `<version>_<name>.up.sql` / `.down.sql`: {version, name, is_down}.
struct PairName {
  std::string version, name;
  bool down = false;
};
std::optional<PairName> pair_name(std::string_view file) {
  std::string_view b = base_name(file);
  bool down;
  if (ends_with(b, ".up.sql")) down = false, b.remove_suffix(7);
  else if (ends_with(b, ".down.sql")) down = true, b.remove_suffix(9);
  else return std::nullopt;
  const std::string_view v = leading_digits(b);
  if (v.empty()) return std::nullopt;
  return PairName{std::string(v), std::string(b), down};
}

bool says_false(std::string_view text, std::string_view key) {
  // `key = false` / `key=false` on a line of its own (TOML or Java properties).
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string s = squeezed_line(text.substr(at, end - at));
    if (s.starts_with(std::string(key) + "=false")) return true;
    at = end + 1;
  }
  return false;
}

// The lines of `text`, each without its line end and surrounding blanks.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    const std::size_t first = line.find_first_not_of(" \t\r");
    line = first == std::string_view::npos ? std::string_view{} : line.substr(first);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    out.push_back(line);
    at = end + 1;
  }
  return out;
}

std::string_view unquoted(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == ',')) v.remove_suffix(1);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return v;
}

// `key = value` / `key: value` / `key=value`: the value when the line sets `key`.
std::optional<std::string_view> value_of(std::string_view line, std::string_view key, char assign) {
  if (!line.starts_with(key)) return std::nullopt;
  std::string_view rest = line.substr(key.size());
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (rest.empty() || rest.front() != assign) return std::nullopt;
  rest.remove_prefix(1);
  // A trailing comment (`# …`) outside quotes.
  if (const std::size_t hash = rest.find(" #"); hash != std::string_view::npos && rest.find('"') == std::string_view::npos)
    rest = rest.substr(0, hash);
  return rest;
}

// Flyway's locations: a comma-separated list (or a TOML array) of `filesystem:` paths; an
// unprefixed one is a filesystem path too, `classpath:` and others are not files we can read.
void add_flyway_locations(std::string_view list, std::vector<std::string>& dirs) {
  std::string cleaned;
  for (char c : list)
    if (c != '[' && c != ']') cleaned += c;
  std::string_view rest = cleaned;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view item = unquoted(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (item.starts_with("filesystem:")) item.remove_prefix(11);
    else if (item.find(':') != std::string_view::npos) continue;
    if (!item.empty()) dirs.emplace_back(item);
  }
}

}  // namespace

std::optional<ToolConfig> read_tool_config(std::string_view file_name, std::string_view text) {
  ToolConfig out;
  const std::vector<std::string_view> lines = lines_of(text);
  if (file_name == "flyway.conf") {
    out.tool = "flyway";
    for (std::string_view line : lines)
      if (auto v = value_of(line, "flyway.locations", '=')) add_flyway_locations(*v, out.dirs);
    if (out.dirs.empty()) out.dirs.push_back("sql");
  } else if (file_name == "flyway.toml") {
    out.tool = "flyway";
    for (std::string_view line : lines)
      if (auto v = value_of(line, "locations", '=')) add_flyway_locations(*v, out.dirs);
    if (out.dirs.empty()) out.dirs.push_back("sql");
  } else if (file_name == "dbconfig.yml") {
    out.tool = "sql-migrate";
    for (std::string_view line : lines)
      if (auto v = value_of(line, "dir", ':'); v && !unquoted(*v).empty()) out.dirs.emplace_back(unquoted(*v));
    if (out.dirs.empty()) out.dirs.push_back("migrations");
  } else if (file_name == "atlas.hcl") {
    out.tool = "atlas";
    for (std::string_view line : lines) {
      auto v = value_of(line, "dir", '=');
      if (!v) continue;
      std::string_view d = unquoted(*v);
      if (d.starts_with("file://")) out.dirs.emplace_back(d.substr(7));
    }
    if (out.dirs.empty()) out.dirs.push_back("migrations");
  } else if (file_name == "diesel.toml") {
    out.tool = "diesel";
    bool in_section = false;
    for (std::string_view line : lines) {
      if (line.starts_with("[")) in_section = line == "[migrations_directory]";
      else if (auto v = in_section ? value_of(line, "dir", '=') : std::nullopt; v && !unquoted(*v).empty())
        out.dirs.emplace_back(unquoted(*v));
    }
    if (out.dirs.empty()) out.dirs.push_back("migrations");
  } else {
    return std::nullopt;
  }
  for (std::string& d : out.dirs)
    while (d.size() > 1 && d.back() == '/') d.pop_back();
  return out;
}

bool tool_orders_folder(std::string_view tool) {
  return std::find(kOrderingTools.begin(), kOrderingTools.end(), tool) != kOrderingTools.end();
}

int compare_versions(std::string_view a, std::string_view b) {
  auto next = [](std::string_view& s) {
    const std::size_t sep = s.find_first_of("._");
    std::string_view part = s.substr(0, sep);
    s = sep == std::string_view::npos ? std::string_view{} : s.substr(sep + 1);
    return part;
  };
  while (!a.empty() || !b.empty()) {
    std::string_view pa = next(a), pb = next(b);
    if (pa.empty()) pa = "0";
    if (pb.empty()) pb = "0";
    const bool na = leading_digits(pa).size() == pa.size(), nb = leading_digits(pb).size() == pb.size();
    const int c = na && nb ? compare_numbers(pa, pb) : (pa < pb ? -1 : (pa == pb ? 0 : 1));
    if (c != 0) return c;
  }
  return 0;
}

int set_root_levels(std::string_view file_name, std::string_view folder_name,
                    const std::vector<std::string>& parent_entries) {
  auto parent_has = [&](std::string_view name) {
    return std::find(parent_entries.begin(), parent_entries.end(), name) != parent_entries.end();
  };
  if ((folder_name == "deploy" || folder_name == "revert" || folder_name == "verify") && parent_has("sqitch.plan"))
    return 1;
  if (file_name == "migration.sql" || file_name == "up.sql" || file_name == "down.sql") return 1;
  return 0;
}

ToolChoice detect_migration_tool(const std::vector<FolderEntry>& entries, std::string_view configured,
                                 std::string_view root) {
  if (!configured.empty() && tool_orders_folder(configured))
    return {std::string(configured), "set by migration_tool", ""};
  // The tools' own files decide alone.
  std::vector<std::pair<std::string, std::string>> owned;
  if (find_entry(entries, "sqitch.plan")) owned.push_back({"sqitch", "sqitch.plan"});
  if (find_entry(entries, "meta/_journal.json")) owned.push_back({"drizzle", "meta/_journal.json"});
  if (find_entry(entries, "atlas.sum")) owned.push_back({"atlas", "atlas.sum"});
  if (find_entry(entries, "migration_lock.toml")) owned.push_back({"prisma", "migration_lock.toml"});
  std::string_view r = root;
  while (r.size() > 1 && r.back() == '/') r.remove_suffix(1);
  if (ends_with(r, "supabase/migrations") || r == "supabase/migrations")
    owned.push_back({"supabase", "the folder is supabase/migrations"});
  if (owned.size() == 1) return {owned[0].first, owned[0].second, ""};
  // Then names and annotations: each kind counted.
  std::map<std::string, std::size_t> count;
  std::map<std::string, std::string> why;
  for (const FolderEntry& e : entries) {
    const std::string_view name = base_name(e.path);
    if (depth(e.path) == 1 && name == "migration.sql") ++count["prisma"];
    else if (depth(e.path) == 1 && (name == "up.sql" || name == "down.sql")) ++count["diesel"];
    if (depth(e.path) != 0 || !is_sql(e.path)) continue;
    if (flyway_name(e.path)) ++count["flyway"];
    else if (pair_name(e.path)) ++count["golang-migrate"];
    if (e.text && contains_marker("goose", *e.text)) ++count["goose"];
    else if (e.text && contains_marker("dbmate", *e.text)) ++count["dbmate"];
    else if (e.text && contains_marker("sql-migrate", *e.text)) ++count["sql-migrate"];
  }
  why["prisma"] = "<name>/migration.sql folders";
  why["diesel"] = "<name>/up.sql and down.sql folders";
  why["flyway"] = "Flyway's V<version>__<name>.sql names";
  why["golang-migrate"] = "<version>_<name>.up.sql / .down.sql pairs (sqlx names them alike: set migration_tool = \"sqlx\")";
  why["goose"] = "`-- +goose Up` annotations";
  why["dbmate"] = "`-- migrate:up` annotations";
  why["sql-migrate"] = "`-- +migrate Up` annotations";
  if (owned.size() > 1) {
    std::string names;
    for (const auto& [tool, file] : owned) names += (names.empty() ? "" : ", ") + file;
    return {"none", "no single tool", "mixed migration tools (" + names + "): name order assumed; set migration_tool"};
  }
  if (count.empty()) return {"none", "no migration tool's files or annotations: name order", ""};
  if (count.size() == 1) {
    const auto& [tool, n] = *count.begin();
    return {tool, why[tool] + " (" + std::to_string(n) + " file" + (n == 1 ? "" : "s") + ")", ""};
  }
  std::string kinds;
  for (const auto& [tool, n] : count) kinds += (kinds.empty() ? "" : ", ") + tool + " (" + std::to_string(n) + ")";
  return {"none", "no single tool",
          "mixed migration tools' marks: " + kinds + "; name order assumed; set migration_tool"};
}

std::vector<Migration> order_migrations(std::string_view tool, const std::vector<FolderEntry>& entries) {
  std::vector<Migration> out;
  if (tool == "goose" || tool == "sql-migrate") {
    std::vector<const FolderEntry*> files = top_sql(entries);
    std::stable_sort(files.begin(), files.end(), [](const FolderEntry* a, const FolderEntry* b) {
      const std::string_view va = leading_digits(base_name(a->path)), vb = leading_digits(base_name(b->path));
      if (va.empty() != vb.empty()) return vb.empty();  // unversioned files last
      return compare_numbers(va, vb) < 0;
    });
    for (const FolderEntry* f : files) out.push_back({stem(f->path), f->path, f->path, std::nullopt});
  } else if (tool == "dbmate") {
    for (const FolderEntry* f : top_sql(entries)) out.push_back({stem(f->path), f->path, f->path, std::nullopt});
  } else if (tool == "flyway") {
    struct Versioned {
      FlywayName name;
      std::string file;
    };
    std::vector<Versioned> versioned, undo, repeatable;
    for (const FolderEntry* f : top_sql(entries)) {
      std::optional<FlywayName> n = flyway_name(f->path);
      if (!n) continue;
      (n->prefix == 'V' ? versioned : n->prefix == 'U' ? undo : repeatable).push_back({*n, f->path});
    }
    auto by_version = [](const Versioned& a, const Versioned& b) {
      return compare_versions(a.name.version, b.name.version) < 0;
    };
    std::stable_sort(versioned.begin(), versioned.end(), by_version);
    for (const Versioned& v : versioned) {
      Migration m{stem(v.file), v.file, "", std::nullopt};
      for (const Versioned& u : undo)
        if (compare_versions(u.name.version, v.name.version) == 0) m.down = u.file;
      if (const FolderEntry* conf = find_entry(entries, v.file + ".conf"); conf && conf->text &&
                                                                          says_false(*conf->text, "executeintransaction"))
        m.in_transaction = false;
      out.push_back(std::move(m));
    }
    for (const Versioned& u : undo) {
      const bool paired = std::any_of(versioned.begin(), versioned.end(), [&](const Versioned& v) {
        return compare_versions(u.name.version, v.name.version) == 0;
      });
      if (!paired) out.push_back({stem(u.file), "", u.file, std::nullopt});
    }
    std::stable_sort(repeatable.begin(), repeatable.end(),
                     [](const Versioned& a, const Versioned& b) { return a.name.description < b.name.description; });
    for (const Versioned& r : repeatable) out.push_back({stem(r.file), r.file, "", std::nullopt});
  } else if (tool == "golang-migrate" || tool == "sqlx") {
    struct Pair {
      std::string version, name, up, down;
    };
    std::vector<Pair> pairs;
    for (const FolderEntry* f : top_sql(entries)) {
      std::optional<PairName> n = pair_name(f->path);
      if (!n && tool == "sqlx" && !leading_digits(base_name(f->path)).empty())
        n = PairName{std::string(leading_digits(base_name(f->path))), stem(f->path), false};
      if (!n) continue;
      auto it = std::find_if(pairs.begin(), pairs.end(),
                             [&](const Pair& p) { return compare_numbers(p.version, n->version) == 0; });
      if (it == pairs.end()) it = pairs.insert(pairs.end(), Pair{n->version, n->name, "", ""});
      (n->down ? it->down : it->up) = f->path;
    }
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const Pair& a, const Pair& b) { return compare_numbers(a.version, b.version) < 0; });
    for (Pair& p : pairs) out.push_back({p.name, p.up, p.down, std::nullopt});
  } else if (tool == "prisma" || tool == "diesel") {
    std::vector<std::string> folders;
    for (const FolderEntry& e : entries) {
      const std::string_view b = base_name(e.path);
      if (depth(e.path) != 1) continue;
      if (tool == "prisma" ? b == "migration.sql" : (b == "up.sql" || b == "down.sql"))
        folders.emplace_back(dir_name(e.path));
    }
    std::sort(folders.begin(), folders.end());
    folders.erase(std::unique(folders.begin(), folders.end()), folders.end());
    for (const std::string& f : folders) {
      if (tool == "prisma") {
        out.push_back({f, f + "/migration.sql", "", std::nullopt});
        continue;
      }
      Migration m{f, find_entry(entries, f + "/up.sql") ? f + "/up.sql" : "",
                  find_entry(entries, f + "/down.sql") ? f + "/down.sql" : "", std::nullopt};
      if (const FolderEntry* meta = find_entry(entries, f + "/metadata.toml");
          meta && meta->text && says_false(*meta->text, "run_in_transaction"))
        m.in_transaction = false;
      out.push_back(std::move(m));
    }
  } else if (tool == "drizzle") {
    const FolderEntry* journal = find_entry(entries, "meta/_journal.json");
    if (journal && journal->text) {
      nlohmann::json j = nlohmann::json::parse(*journal->text, nullptr, /*allow_exceptions=*/false);
      if (j.is_object() && j.contains("entries") && j["entries"].is_array()) {
        std::vector<std::pair<std::int64_t, std::string>> tags;
        for (const auto& e : j["entries"]) {
          if (!e.is_object() || !e.contains("tag") || !e["tag"].is_string()) continue;
          const std::int64_t idx = e.contains("idx") && e["idx"].is_number_integer() ? e["idx"].get<std::int64_t>()
                                                                                    : static_cast<std::int64_t>(tags.size());
          tags.push_back({idx, e["tag"].get<std::string>()});
        }
        std::stable_sort(tags.begin(), tags.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [idx, tag] : tags)
          if (find_entry(entries, tag + ".sql")) out.push_back({tag, tag + ".sql", "", std::nullopt});
      }
    }
  } else if (tool == "sqitch") {
    const FolderEntry* plan = find_entry(entries, "sqitch.plan");
    if (plan && plan->text) {
      // The plan's changes and tags in order. A reworked change appears again after a tag: its
      // current scripts (deploy/<change>.sql) belong to its last appearance, and each earlier one
      // runs the script sqitch copied when reworking it, deploy/<change>@<tag>.sql, named by the
      // first tag between it and the next appearance whose file exists (sqitch's own rule).
      struct Line {
        bool tag;
        std::string name;
      };
      std::vector<Line> lines;
      for (std::string_view line : lines_of(*plan->text)) {
        if (line.empty() || line[0] == '%' || line[0] == '#') continue;
        const bool tag = line[0] == '@';
        if (tag) line.remove_prefix(1);
        const std::size_t name_end = line.find_first_of(" \t\r[");
        if (name_end == 0) continue;
        lines.push_back({tag, std::string(line.substr(0, name_end))});
      }
      auto file_for = [&](std::string_view dir, const std::string& change, std::size_t at) -> std::string {
        std::size_t next = at + 1;
        while (next < lines.size() && (lines[next].tag || lines[next].name != change)) ++next;
        if (next == lines.size()) {  // its last appearance: the current script
          const std::string current = std::string(dir) + "/" + change + ".sql";
          return find_entry(entries, current) ? current : "";
        }
        for (std::size_t k = at + 1; k < next; ++k) {
          const std::string old = std::string(dir) + "/" + change + "@" + lines[k].name + ".sql";
          if (lines[k].tag && find_entry(entries, old)) return old;
        }
        return "";
      };
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].tag) continue;
        const std::string up = file_for("deploy", lines[i].name, i);
        out.push_back({up.empty() ? lines[i].name : stem(up), up, file_for("revert", lines[i].name, i), std::nullopt});
      }
    }
  } else if (tool == "atlas") {
    const FolderEntry* sum = find_entry(entries, "atlas.sum");
    if (sum && sum->text) {
      std::string_view text = *sum->text;
      std::size_t at = text.find('\n');  // the first line is the directory's hash
      while (at != std::string_view::npos && at < text.size()) {
        ++at;
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end;
        const std::size_t space = line.rfind(" h1:");
        if (space == std::string_view::npos) continue;
        const std::string file(line.substr(0, space));
        if (find_entry(entries, file)) out.push_back({stem(file), file, "", std::nullopt});
      }
    }
  } else {  // none, supabase, and the ORM tools: the folder's *.sql files in name order
    for (const FolderEntry* f : top_sql(entries)) out.push_back({stem(f->path), f->path, "", std::nullopt});
  }
  return out;
}

bool has_down_section(std::string_view tool, std::string_view text) {
  for (const Section& s : sections(tool, text))
    if (s.part == Part::Down) return true;
  return false;
}

std::string part_text(std::string_view tool, std::string_view text, Part part) {
  const std::vector<Section> marks = sections(tool, text);
  if (marks.empty()) return part == Part::Up ? std::string(text) : std::string();
  if (part == Part::Down && !has_down_section(tool, text)) return {};
  std::string out(text);
  for (std::size_t i = 0; i < marks.size(); ++i) {
    if (marks[i].part == part) continue;
    const std::size_t end = i + 1 < marks.size() ? marks[i + 1].begin : text.size();
    for (std::size_t k = marks[i].begin; k < end; ++k)
      if (out[k] != '\n' && out[k] != '\r') out[k] = ' ';
  }
  return out;
}

void append_rollback(Analysis& up, Analysis down) {
  const std::size_t offset = up.statements.size();
  for (Statement& s : down.statements) {
    s.index += offset;
    if (s.tx.begin_statement) *s.tx.begin_statement += offset;
    up.statements.push_back(std::move(s));
  }
  for (Finding& f : down.findings) {
    if (f.statement) *f.statement += offset;
    f.message = std::string(kRollbackPrefix) + f.message;
    up.findings.push_back(std::move(f));
  }
  std::stable_sort(up.findings.begin(), up.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.range.begin < b.range.begin; });
  up.coverage.statements += down.coverage.statements;
  up.coverage.analysed += down.coverage.analysed;
  up.coverage.unanalysable += down.coverage.unanalysable;
  up.coverage.parse_errors += down.coverage.parse_errors;
  up.coverage.psql_meta += down.coverage.psql_meta;
}

Analysis analyze_migration(std::string_view text, const Options& options, bool down_file,
                           const ParallelFor* parallel, StatementCache* up_cache) {
  Options after = options;
  if (after.schema) ++after.schema_place;
  if (down_file) {
    Analysis out;
    Analysis down = analyze(text, after, nullptr, parallel);
    out.pg_version = down.pg_version;
    out.schema = down.schema;
    append_rollback(out, std::move(down));
    return out;
  }
  if (!has_down_section(options.migration_tool, text)) return analyze(text, options, up_cache, parallel);
  Analysis up = analyze(part_text(options.migration_tool, text, Part::Up), options, up_cache, parallel);
  append_rollback(up, analyze_down_section(text, options, parallel));
  return up;
}

std::string_view migration_assumption(std::string_view tool) {
  if (tool == "drizzle")
    return "drizzle-kit migrate runs every pending migration in one transaction; analysed as if this file ran "
           "alone in it (the locks of earlier pending migrations are not added: the folder does not show which "
           "are pending)";
  return {};
}

Analysis analyze_down_section(std::string_view text, const Options& options, const ParallelFor* parallel) {
  Options after = options;
  if (after.schema) ++after.schema_place;
  return analyze(part_text(options.migration_tool, text, Part::Down), after, nullptr, parallel);
}

}  // namespace lockward::analysis
