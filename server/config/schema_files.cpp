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

namespace {

// "schema.name" objects: {"schema": …, "name": …}; absent or null: empty.
analysis::ObjectName get_name(const json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  const std::string p = path + "." + key;
  if (!it->is_object()) throw Bad{p, "an object with \"schema\" and \"name\""};
  return analysis::ObjectName{get_string(*it, "schema", p), get_string(*it, "name", p)};
}

std::vector<std::string> get_strings(const json& j, const char* key, const std::string& path) {
  std::vector<std::string> out;
  const json& a = get_array(j, key, path);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) throw Bad{path + "." + key + "[" + std::to_string(i) + "]", "a string"};
    out.push_back(a[i].get<std::string>());
  }
  return out;
}

std::vector<analysis::ObjectName> get_names(const json& j, const char* key, const std::string& path) {
  std::vector<analysis::ObjectName> out;
  const json& a = get_array(j, key, path);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string p = path + "." + key + "[" + std::to_string(i) + "]";
    if (!a[i].is_object()) throw Bad{p, "an object with \"schema\" and \"name\""};
    out.push_back({get_string(a[i], "schema", p), get_string(a[i], "name", p)});
  }
  return out;
}

// A one-letter code ("c", "a"); absent: `fallback`.
char get_code(const json& j, const char* key, const std::string& path, const char* allowed, char fallback) {
  std::string s = get_string(j, key, path, false);
  if (s.empty()) return fallback;
  if (s.size() != 1 || std::string_view(allowed).find(s[0]) == std::string_view::npos)
    throw Bad{path + "." + key, std::string("one of the letters ") + allowed};
  return s[0];
}

// Arrays of objects: `each(element, its JSON path)` per element.
template <typename Each>
void for_each_object(const json& j, const char* key, const std::string& path, Each each) {
  const json& a = get_array(j, key, path);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string p = path + "." + key + "[" + std::to_string(i) + "]";
    if (!a[i].is_object()) throw Bad{p, "an object"};
    each(a[i], p);
  }
}

json name_json(const analysis::ObjectName& n) {
  return n.empty() ? json(nullptr) : json{{"schema", n.schema}, {"name", n.name}};
}

json names_json(const std::vector<analysis::ObjectName>& names) {
  json out = json::array();
  for (const auto& n : names) out.push_back(name_json(n));
  return out;
}

std::string code(char c) { return c ? std::string(1, c) : std::string(); }

}  // namespace

std::string load_snapshot_file(const fs::path& file, analysis::SchemaSnapshot& out) {
  std::string error;
  json j = parse_json(file, error);
  if (!error.empty()) return error;
  try {
    if (!j.is_object()) throw Bad{"$", "an object"};
    const std::int64_t version = get_int(j, "version", "$");
    if (version != 1 && version != 2) throw Bad{"$.version", "1 or 2"};
    out.version = static_cast<int>(version);
    out.taken_at = get_string(j, "generated_at", "$", false);
    for_each_object(j, "tables", "$", [&](const json& t, const std::string& path) {
      analysis::SnapshotTable table;
      table.name = analysis::ObjectName{get_string(t, "schema", path), get_string(t, "name", path)};
      table.size = analysis::TableSize{get_int(t, "rows", path), get_int(t, "bytes", path)};
      table.partitioned = get_bool(t, "partitioned", path, false);
      table.persistence = get_code(t, "persistence", path, "put", 'p');
      table.partition_of = get_name(t, "partition_of", path);
      table.default_partition = get_bool(t, "default_partition", path, false);
      table.inherits = get_names(t, "inherits", path);
      for_each_object(t, "columns", path, [&](const json& c, const std::string& cp) {
        analysis::SnapshotColumn column{get_string(c, "name", cp), get_string(c, "type", cp),
                                        get_bool(c, "not_null", cp, false)};
        column.internal = get_string(c, "internal", cp, false);
        column.array = get_bool(c, "array", cp, false);
        column.typmod = static_cast<int>(get_int(c, "typmod", cp));
        column.default_expr = get_string(c, "default", cp, false);
        column.identity = get_code(c, "identity", cp, "ad", 0);
        column.generated = get_code(c, "generated", cp, "sv", 0);
        column.domain = get_name(c, "domain", cp);
        table.columns.push_back(std::move(column));
      });
      for_each_object(t, "constraints", path, [&](const json& c, const std::string& cp) {
        analysis::SnapshotConstraint con{get_string(c, "name", cp), get_code(c, "type", cp, "cfpuxtn", 0),
                                         get_bool(c, "validated", cp, true), get_string(c, "definition", cp, false)};
        if (!con.type) throw Bad{cp + ".type", "one of c, f, p, u, x"};
        con.index = get_string(c, "index", cp, false);
        con.referenced = get_name(c, "references", cp);
        con.columns = get_strings(c, "columns", cp);
        con.referenced_columns = get_strings(c, "referenced_columns", cp);
        con.on_delete = get_code(c, "on_delete", cp, "arcnd", 'a');
        con.on_update = get_code(c, "on_update", cp, "arcnd", 'a');
        table.constraints.push_back(std::move(con));
      });
      for_each_object(t, "indexes", path, [&](const json& x, const std::string& ip) {
        analysis::SnapshotIndex index{get_string(x, "name", ip), get_bool(x, "unique", ip, false),
                                      get_bool(x, "primary", ip, false), get_bool(x, "valid", ip, true),
                                      get_string(x, "definition", ip, false)};
        index.parent = get_name(x, "parent", ip);
        table.indexes.push_back(std::move(index));
      });
      for_each_object(t, "triggers", path, [&](const json& x, const std::string& tp) {
        table.triggers.push_back({get_string(x, "name", tp), get_name(x, "function", tp)});
      });
      out.tables.push_back(std::move(table));
    });
    for_each_object(j, "views", "$", [&](const json& v, const std::string& path) {
      out.views.push_back({{get_string(v, "schema", path), get_string(v, "name", path)},
                           get_bool(v, "materialized", path, false), get_names(v, "reads", path)});
    });
    for_each_object(j, "sequences", "$", [&](const json& s, const std::string& path) {
      out.sequences.push_back({{get_string(s, "schema", path), get_string(s, "name", path)},
                               get_name(s, "owned_by", path), get_string(s, "column", path, false),
                               get_bool(s, "identity", path, false)});
    });
    for_each_object(j, "types", "$", [&](const json& t, const std::string& path) {
      out.types.push_back({{get_string(t, "schema", path), get_string(t, "name", path)},
                           get_code(t, "kind", path, "de", 'd'), get_string(t, "base", path, false),
                           get_strings(t, "labels", path)});
    });
    for_each_object(j, "functions", "$", [&](const json& f, const std::string& path) {
      out.functions.push_back({{get_string(f, "schema", path), get_string(f, "name", path)},
                               get_string(f, "arguments", path, false), get_bool(f, "returns_trigger", path, false)});
    });
  } catch (const Bad& b) {
    return file.string() + ": " + b.path + ": expected " + b.expected;
  }
  return {};
}

std::string snapshot_to_json(const analysis::SchemaSnapshot& snapshot, int pg_version) {
  json tables = json::array();
  for (const auto& t : snapshot.tables) {
    json columns = json::array(), constraints = json::array(), indexes = json::array(), triggers = json::array();
    for (const auto& c : t.columns)
      columns.push_back({{"name", c.name}, {"type", c.type}, {"not_null", c.not_null}, {"internal", c.internal},
                         {"array", c.array}, {"typmod", c.typmod},
                         {"default", c.default_expr.empty() ? json(nullptr) : json(c.default_expr)},
                         {"identity", c.identity ? json(code(c.identity)) : json(nullptr)},
                         {"generated", c.generated ? json(code(c.generated)) : json(nullptr)},
                         {"domain", name_json(c.domain)}});
    for (const auto& c : t.constraints) {
      json con{{"name", c.name}, {"type", code(c.type)}, {"validated", c.validated}, {"definition", c.definition},
               {"columns", c.columns}};
      if (!c.index.empty()) con["index"] = c.index;
      if (c.type == 'f')
        con.update({{"references", name_json(c.referenced)}, {"referenced_columns", c.referenced_columns},
                    {"on_delete", code(c.on_delete)}, {"on_update", code(c.on_update)}});
      constraints.push_back(std::move(con));
    }
    for (const auto& i : t.indexes)
      indexes.push_back({{"name", i.name}, {"unique", i.unique}, {"primary", i.primary}, {"valid", i.valid},
                         {"definition", i.definition}, {"parent", name_json(i.parent)}});
    for (const auto& g : t.triggers) triggers.push_back({{"name", g.name}, {"function", name_json(g.function)}});
    tables.push_back({{"schema", t.name.schema}, {"name", t.name.name}, {"rows", t.size.rows}, {"bytes", t.size.bytes},
                      {"partitioned", t.partitioned}, {"persistence", code(t.persistence)},
                      {"partition_of", name_json(t.partition_of)}, {"default_partition", t.default_partition},
                      {"inherits", names_json(t.inherits)}, {"columns", columns}, {"constraints", constraints},
                      {"indexes", indexes}, {"triggers", triggers}});
  }
  json views = json::array(), sequences = json::array(), types = json::array(), functions = json::array();
  for (const auto& v : snapshot.views)
    views.push_back({{"schema", v.name.schema}, {"name", v.name.name}, {"materialized", v.materialized},
                     {"reads", names_json(v.reads)}});
  for (const auto& s : snapshot.sequences)
    sequences.push_back({{"schema", s.name.schema}, {"name", s.name.name}, {"owned_by", name_json(s.owned_by)},
                         {"column", s.column.empty() ? json(nullptr) : json(s.column)}, {"identity", s.identity}});
  for (const auto& t : snapshot.types) {
    json type{{"schema", t.name.schema}, {"name", t.name.name}, {"kind", code(t.kind)}};
    if (t.kind == 'e') type["labels"] = t.labels;
    else type["base"] = t.base;
    types.push_back(std::move(type));
  }
  for (const auto& f : snapshot.functions)
    functions.push_back({{"schema", f.name.schema}, {"name", f.name.name}, {"arguments", f.arguments},
                         {"returns_trigger", f.returns_trigger}});
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  json out{{"version", 2},          {"generated_at", stamp}, {"pg_version", pg_version}, {"tables", tables},
           {"views", views},        {"sequences", sequences}, {"types", types},          {"functions", functions}};
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace lockward::server
