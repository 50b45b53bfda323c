#include "analysis/schema.h"

namespace lockward::analysis {

const SnapshotColumn* SnapshotTable::column(std::string_view column_name) const {
  for (const auto& c : columns) {
    if (c.name == column_name) return &c;
  }
  return nullptr;
}

const SnapshotTable* SchemaSnapshot::find(const ObjectName& name) const {
  if (!name.schema.empty()) {
    for (const auto& t : tables) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
  const SnapshotTable* only = nullptr;
  int matches = 0;
  for (const auto& t : tables) {
    if (t.name.name != name.name) continue;
    if (t.name.schema == "public") return &t;
    only = &t;
    ++matches;
  }
  return matches == 1 ? only : nullptr;
}

std::optional<TableSize> TableStats::find(const ObjectName& name) const {
  if (!name.schema.empty()) {
    auto it = by_key.find(name.key());
    if (it == by_key.end()) return std::nullopt;
    return it->second;
  }
  if (auto it = by_key.find("public." + name.name); it != by_key.end()) return it->second;
  std::optional<TableSize> only;
  int matches = 0;
  for (const auto& [key, size] : by_key) {
    auto dot = key.rfind('.');
    if (key.substr(dot == std::string::npos ? 0 : dot + 1) == name.name) {
      only = size;
      ++matches;
    }
  }
  return matches == 1 ? only : std::nullopt;
}

}  // namespace lockward::analysis
