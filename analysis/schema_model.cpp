#include "analysis/schema_model.h"

#include <algorithm>

#include "analysis/classify/classify.h"

namespace lockward::analysis {

std::string column_type_sql(const ColumnType& type) {
  std::string out = type.name;
  if (!type.typmods.empty()) {
    out += '(';
    for (std::size_t i = 0; i < type.typmods.size(); ++i) out += (i ? "," : "") + std::to_string(type.typmods[i]);
    out += ')';
  }
  if (type.array) out += "[]";
  return out;
}

const SchemaColumn* SchemaRelation::column(std::string_view column_name) const {
  for (const SchemaColumn& c : columns) {
    if (c.name == column_name) return &c;
  }
  return nullptr;
}

std::string SchemaModel::key(const ObjectName& name) {
  return (name.schema.empty() ? std::string("public") : name.schema) + '.' + name.name;
}

ObjectName SchemaModel::qualified(const ObjectName& name) {
  return name.schema.empty() ? ObjectName{"public", name.name} : name;
}

const std::shared_ptr<const SchemaRelation>* SchemaModel::latest(const std::string& key, Place before) const {
  auto it = relations_.find(key);
  if (it == relations_.end()) return nullptr;
  return latest(it->second, before);
}

const std::shared_ptr<const SchemaRelation>* SchemaModel::latest(const Versions& v, Place before) {
  auto at = std::lower_bound(v.begin(), v.end(), before, [](const Version& e, Place p) { return e.first < p; });
  return at == v.begin() ? nullptr : &std::prev(at)->second;
}

void SchemaModel::set(const std::string& key, Place place, std::shared_ptr<const SchemaRelation> value) {
  Versions& v = relations_[key];  // node-based: the address stays valid as the map grows
  if (value) {
    auto point = [&](const ObjectName& target) {
      std::vector<const Versions*>& from = pointers_[SchemaModel::key(target)];
      if (std::find(from.begin(), from.end(), &v) == from.end()) from.push_back(&v);
    };
    if (value->kind == ObjectKind::Index) point(value->table);
    for (const SchemaForeignKey& fk : value->foreign_keys) point(fk.referenced);
  }
  if (!v.empty() && v.back().first == place) v.back().second = std::move(value);
  else v.emplace_back(place, std::move(value));
}

const SchemaRelation* SchemaModel::relation(const ObjectName& name, Place before) const {
  const auto* r = latest(key(name), before);
  return r ? r->get() : nullptr;
}

std::vector<const SchemaModel::Versions*> SchemaModel::pointing_at(const ObjectName& target) const {
  auto it = pointers_.find(key(target));
  return it == pointers_.end() ? std::vector<const Versions*>{} : it->second;
}

std::vector<ObjectName> SchemaModel::referencing(const ObjectName& table, Place before) const {
  const ObjectName target = qualified(table);
  std::vector<ObjectName> out;
  for (const Versions* versions : pointing_at(target)) {
    const auto* r = latest(*versions, before);
    if (!r || !*r || (*r)->kind != ObjectKind::Table || (*r)->name == target) continue;
    for (const SchemaForeignKey& fk : (*r)->foreign_keys) {
      if (fk.referenced == target) {
        out.push_back((*r)->name);
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());  // the order of insertion is not the names' order
  return out;
}

std::vector<ObjectName> SchemaModel::referencing_column(const ObjectName& table, std::string_view column,
                                                      Place before) const {
  const ObjectName target = qualified(table);
  std::vector<ObjectName> out;
  for (const auto& [k, versions] : relations_) {
    const auto* r = latest(k, before);
    if (!r || !*r || (*r)->kind != ObjectKind::Table || (*r)->name == target) continue;
    for (const SchemaForeignKey& fk : (*r)->foreign_keys) {
      if (fk.referenced == target && std::find(fk.referenced_columns.begin(), fk.referenced_columns.end(), column) !=
                                         fk.referenced_columns.end()) {
        out.push_back((*r)->name);
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ObjectName> SchemaModel::indexes_of(const ObjectName& table, Place before) const {
  const ObjectName target = qualified(table);
  std::vector<ObjectName> out;
  for (const Versions* versions : pointing_at(target)) {
    const auto* r = latest(*versions, before);
    if (r && *r && (*r)->kind == ObjectKind::Index && (*r)->table == target) out.push_back((*r)->name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool SchemaModel::complete(Place before) const {
  return files_before(before) > 0 &&
         std::none_of(unknown_.begin(), unknown_.end(), [&](Place p) { return p < before; });
}

std::size_t SchemaModel::files_before(Place before) const {
  return static_cast<std::size_t>(std::count_if(files_.begin(), files_.end(), [&](Place p) { return p < before; }));
}

void SchemaModel::apply_unknown(Place place) { unknown_.push_back(place); }

void SchemaModel::apply(const StatementFacts& facts, Place place, std::string_view source) {
  const Place now = place + 1;  // what this place already changed counts
  auto current = [&](const ObjectName& name) -> std::shared_ptr<SchemaRelation> {
    const auto* r = latest(key(name), now);
    return r && *r ? std::make_shared<SchemaRelation>(**r) : nullptr;
  };
  for (const CreatedObject& c : facts.creates) {
    if (c.kind != ObjectKind::Table && c.kind != ObjectKind::Index && c.kind != ObjectKind::View &&
        c.kind != ObjectKind::MaterializedView && c.kind != ObjectKind::Sequence)
      continue;
    auto r = std::make_shared<SchemaRelation>();
    r->kind = c.kind;
    r->name = qualified(c.name);
    if (c.kind == ObjectKind::Index) r->table = qualified(c.table);
    r->source = std::string(source);
    set(key(c.name), place, std::move(r));
  }
  for (const ColumnTypeUse& u : facts.column_types) {
    auto r = current(u.table);
    if (!r) continue;
    ColumnType type{u.type, u.typmods, u.array};
    auto it = std::find_if(r->columns.begin(), r->columns.end(), [&](const SchemaColumn& c) { return c.name == u.column; });
    if (it != r->columns.end()) it->type = std::move(type);
    else r->columns.push_back({u.column, std::move(type)});
    set(key(u.table), place, std::move(r));
  }
  for (const AddedConstraint& c : facts.constraints_added) {
    if (c.type != 'f' || c.referenced.empty()) continue;
    auto r = current(c.table);
    if (!r) continue;
    r->foreign_keys.push_back({c.name, qualified(c.referenced), c.columns, c.referenced_columns, c.on_delete, c.on_update});
    set(key(c.table), place, std::move(r));
  }
  for (const auto& [table, column] : facts.columns_dropped) {
    auto r = current(table);
    if (!r) continue;
    std::erase_if(r->columns, [&column = column](const SchemaColumn& c) { return c.name == column; });
    // A foreign key on the column goes with it.
    std::erase_if(r->foreign_keys, [&column = column](const SchemaForeignKey& fk) {
      return std::find(fk.columns.begin(), fk.columns.end(), column) != fk.columns.end();
    });
    set(key(table), place, std::move(r));
  }
  for (const auto& [table, name] : facts.constraints_dropped) {
    auto r = current(table);
    if (!r) continue;
    // An init-capture: clang 14 (the fuzz build) cannot capture a structured binding.
    std::erase_if(r->foreign_keys, [&name = name](const SchemaForeignKey& fk) { return fk.name == name; });
    set(key(table), place, std::move(r));
  }
  for (const StatementFacts::PartitionChange& p : facts.partitions) {
    auto r = current(p.parent);
    if (!r) continue;
    const ObjectName partition = qualified(p.partition);
    if (p.attach && p.is_default) r->default_partition = partition;
    else if (!p.attach && r->default_partition == partition) r->default_partition = {};
    else continue;
    set(key(p.parent), place, std::move(r));
  }
  // Every live relation whose index table or foreign key names `from`: `to` (empty: dropped).
  auto repoint = [&](const ObjectName& from, const ObjectName& to) {
    std::vector<std::pair<std::string, std::shared_ptr<SchemaRelation>>> changed;
    for (const Versions* versions : pointing_at(from)) {
      const auto* r = latest(*versions, now);
      if (!r || !*r) continue;
      const SchemaRelation& rel = **r;
      const std::string k = key(rel.name);  // the key it is stored under
      bool index_of = rel.kind == ObjectKind::Index && rel.table == from;
      bool refers = std::any_of(rel.foreign_keys.begin(), rel.foreign_keys.end(),
                                [&](const SchemaForeignKey& fk) { return fk.referenced == from; });
      bool parent_of = rel.default_partition == from;
      if (!index_of && !refers && !parent_of) continue;
      if (index_of && to.empty()) {
        changed.emplace_back(k, nullptr);  // an index goes with its table
        continue;
      }
      auto copy = std::make_shared<SchemaRelation>(rel);
      if (index_of) copy->table = to;
      if (parent_of) copy->default_partition = to;
      if (to.empty()) std::erase_if(copy->foreign_keys, [&](const SchemaForeignKey& fk) { return fk.referenced == from; });
      else
        for (SchemaForeignKey& fk : copy->foreign_keys)
          if (fk.referenced == from) fk.referenced = to;
      changed.emplace_back(k, std::move(copy));
    }
    for (auto& [k, r] : changed) set(k, place, std::move(r));
  };
  for (const DroppedObject& d : facts.drops) {
    const auto* r = latest(key(d.name), now);
    if (!r || !*r) continue;
    const bool table = (*r)->kind == ObjectKind::Table;
    set(key(d.name), place, nullptr);
    if (table) repoint(qualified(d.name), {});
  }
  for (const RenamedObject& rn : facts.renames) {
    auto r = current(rn.name);
    if (!r) continue;
    if (!rn.column.empty()) {
      for (SchemaColumn& c : r->columns)
        if (c.name == rn.column) c.name = rn.to;
      for (SchemaForeignKey& fk : r->foreign_keys)
        std::replace(fk.columns.begin(), fk.columns.end(), rn.column, rn.to);
      set(key(rn.name), place, std::move(r));
      continue;
    }
    const ObjectName from = r->name;
    r->name.name = rn.to;
    const ObjectName to = r->name;
    const bool table = r->kind == ObjectKind::Table;
    set(key(from), place, nullptr);
    set(key(to), place, std::move(r));
    if (table) repoint(from, to);
  }
}

}  // namespace lockward::analysis
