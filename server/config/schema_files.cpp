#include "server/config/schema_files.h"

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lockward::server {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Bad {
  std::string path;
  std::string expected;
};

std::string read_text(const fs::path& file, std::string& error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = file.string() + ": cannot open";
    return {};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string get_string(const json& j, const char* key, const std::string& path, bool required = true) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw Bad{path + "." + key, "a string"};
    return {};
  }
  if (!it->is_string()) throw Bad{path + "." + key, "a string"};
  return it->get<std::string>();
}

std::int64_t get_int(const json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return -1;
  if (!it->is_number_integer()) throw Bad{path + "." + key, "an integer"};
  return it->get<std::int64_t>();
}

bool get_bool(const json& j, const char* key, const std::string& path, bool fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw Bad{path + "." + key, "true or false"};
  return it->get<bool>();
}

const json& get_array(const json& j, const char* key, const std::string& path) {
  static const json kEmpty = json::array();
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return kEmpty;
  if (!it->is_array()) throw Bad{path + "." + key, "an array"};
  return *it;
}

json parse_json(const fs::path& file, std::string& error) {
  std::string text = read_text(file, error);
  if (!error.empty()) return nullptr;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) error = file.string() + ": not valid JSON";
  return j;
}

}  // namespace

std::string load_stats_file(const fs::path& file, analysis::TableStats& out) {
  std::string error;
  json j = parse_json(file, error);
  if (!error.empty()) return error;
  try {
    const json& tables = j.is_array() ? j : get_array(j, "tables", "$");
    if (!j.is_array() && !j.contains("tables")) throw Bad{"$", "an array, or an object with \"tables\""};
    for (std::size_t i = 0; i < tables.size(); ++i) {
      std::string path = "$.tables[" + std::to_string(i) + "]";
      const json& t = tables[i];
      if (!t.is_object()) throw Bad{path, "an object"};
      std::string schema = get_string(t, "schema", path, false);
      std::string table = get_string(t, "table", path);
      analysis::TableSize size{get_int(t, "rows", path), get_int(t, "bytes", path)};
      out.by_key[(schema.empty() ? "public" : schema) + "." + table] = size;
    }
  } catch (const Bad& b) {
    return file.string() + ": " + b.path + ": expected " + b.expected;
  }
  return {};
}

std::string load_snapshot_file(const fs::path& file, analysis::SchemaSnapshot& out) {
  std::string error;
  json j = parse_json(file, error);
  if (!error.empty()) return error;
  try {
    if (!j.is_object()) throw Bad{"$", "an object"};
    if (get_int(j, "version", "$") != 1) throw Bad{"$.version", "1"};
    const json& tables = get_array(j, "tables", "$");
    for (std::size_t i = 0; i < tables.size(); ++i) {
      std::string path = "$.tables[" + std::to_string(i) + "]";
      const json& t = tables[i];
      if (!t.is_object()) throw Bad{path, "an object"};
      analysis::SnapshotTable table;
      table.name = analysis::ObjectName{get_string(t, "schema", path), get_string(t, "name", path)};
      table.size = analysis::TableSize{get_int(t, "rows", path), get_int(t, "bytes", path)};
      const json& columns = get_array(t, "columns", path);
      for (std::size_t c = 0; c < columns.size(); ++c) {
        std::string cp = path + ".columns[" + std::to_string(c) + "]";
        table.columns.push_back({get_string(columns[c], "name", cp), get_string(columns[c], "type", cp),
                                 get_bool(columns[c], "not_null", cp, false)});
      }
      const json& constraints = get_array(t, "constraints", path);
      for (std::size_t c = 0; c < constraints.size(); ++c) {
        std::string cp = path + ".constraints[" + std::to_string(c) + "]";
        std::string type = get_string(constraints[c], "type", cp);
        if (type.size() != 1) throw Bad{cp + ".type", "one of c, f, p, u, x"};
        table.constraints.push_back({get_string(constraints[c], "name", cp), type[0],
                                     get_bool(constraints[c], "validated", cp, true),
                                     get_string(constraints[c], "definition", cp, false)});
      }
      const json& indexes = get_array(t, "indexes", path);
      for (std::size_t x = 0; x < indexes.size(); ++x) {
        std::string ip = path + ".indexes[" + std::to_string(x) + "]";
        table.indexes.push_back({get_string(indexes[x], "name", ip), get_bool(indexes[x], "unique", ip, false),
                                 get_bool(indexes[x], "primary", ip, false), get_bool(indexes[x], "valid", ip, true),
                                 get_string(indexes[x], "definition", ip, false)});
      }
      out.tables.push_back(std::move(table));
    }
  } catch (const Bad& b) {
    return file.string() + ": " + b.path + ": expected " + b.expected;
  }
  return {};
}

std::string snapshot_to_json(const analysis::SchemaSnapshot& snapshot, int pg_version) {
  json tables = json::array();
  for (const auto& t : snapshot.tables) {
    json columns = json::array(), constraints = json::array(), indexes = json::array();
    for (const auto& c : t.columns) columns.push_back({{"name", c.name}, {"type", c.type}, {"not_null", c.not_null}});
    for (const auto& c : t.constraints)
      constraints.push_back({{"name", c.name}, {"type", std::string(1, c.type)}, {"validated", c.validated},
                             {"definition", c.definition}});
    for (const auto& i : t.indexes)
      indexes.push_back({{"name", i.name}, {"unique", i.unique}, {"primary", i.primary}, {"valid", i.valid},
                         {"definition", i.definition}});
    tables.push_back({{"schema", t.name.schema}, {"name", t.name.name}, {"rows", t.size.rows}, {"bytes", t.size.bytes},
                      {"columns", columns}, {"constraints", constraints}, {"indexes", indexes}});
  }
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  json out{{"version", 1}, {"generated_at", stamp}, {"pg_version", pg_version}, {"tables", tables}};
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace lockward::server
