#include "analysis/syntax/ast.h"

#include <algorithm>
#include <cctype>

namespace lockward::analysis::ast {
namespace {
const Json& null_json() {
  static const Json kNull;
  return kNull;
}
const Json& empty_array() {
  static const Json kEmpty = Json::array();
  return kEmpty;
}
}  // namespace

const Json& unwrap(const Json& node, std::string_view type) {
  if (!node.is_object()) return null_json();
  auto it = node.find(type);
  return it == node.end() ? null_json() : *it;
}

std::string node_type(const Json& node) {
  if (!node.is_object() || node.empty()) return {};
  return node.begin().key();
}

std::string str(const Json& node, std::string_view key) {
  if (!node.is_object()) return {};
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

long integer(const Json& node, std::string_view key, long fallback) {
  if (!node.is_object()) return fallback;
  auto it = node.find(key);
  return it != node.end() && it->is_number_integer() ? it->get<long>() : fallback;
}

bool flag(const Json& node, std::string_view key) {
  if (!node.is_object()) return false;
  auto it = node.find(key);
  return it != node.end() && it->is_boolean() && it->get<bool>();
}

const Json& field(const Json& node, std::string_view key) {
  if (!node.is_object()) return null_json();
  auto it = node.find(key);
  return it == node.end() ? null_json() : *it;
}

const Json& list(const Json& node, std::string_view key) {
  const Json& f = field(node, key);
  return f.is_array() ? f : empty_array();
}

ObjectName range_var(const Json& rv) {
  return ObjectName{str(rv, "schemaname"), str(rv, "relname")};
}

std::vector<std::string> string_list(const Json& items) {
  std::vector<std::string> out;
  if (!items.is_array()) return out;
  for (const auto& item : items) {
    const Json& s = unwrap(item, "String");
    if (!s.is_null()) out.push_back(str(s, "sval"));
  }
  return out;
}

ObjectName qualified(const std::vector<std::string>& parts) {
  if (parts.empty()) return {};
  if (parts.size() == 1) return ObjectName{"", parts[0]};
  return ObjectName{parts[parts.size() - 2], parts.back()};
}

std::string type_name(const Json& tn) {
  auto parts = string_list(field(tn, "names"));
  if (parts.empty()) return {};
  std::string name = parts.back();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

std::vector<long> type_mods(const Json& tn) {
  std::vector<long> out;
  for (const auto& m : list(tn, "typmods")) {
    const Json& c = unwrap(m, "A_Const");
    const Json& iv = field(c, "ival");
    if (iv.is_object()) out.push_back(integer(iv, "ival", 0));
  }
  return out;
}

std::string type_sql(const Json& tn) {
  auto parts = string_list(field(tn, "names"));
  std::string out;
  if (parts.size() == 2 && parts[0] == "pg_catalog") {
    out = parts[1];
  } else {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i) out += '.';
      out += quote_identifier(parts[i]);
    }
  }
  auto mods = type_mods(tn);
  if (!mods.empty()) {
    out += '(';
    for (std::size_t i = 0; i < mods.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(mods[i]);
    }
    out += ')';
  }
  for (std::size_t i = 0; i < list(tn, "arrayBounds").size(); ++i) out += "[]";
  return out;
}

long location(const Json& body) { return integer(body, "location", -1); }

}  // namespace lockward::analysis::ast
