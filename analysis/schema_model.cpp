#include "analysis/schema_model.h"

#include <algorithm>
#include <limits>

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
  // Stored at place + 1 (put()): visible when stored <= before.
  auto at = std::upper_bound(v.begin(), v.end(), before, [](Place p, const Version& e) { return p < e.first; });
  return at == v.begin() ? nullptr : &std::prev(at)->second;
}

void SchemaModel::set(const std::string& key, Place place, std::shared_ptr<const SchemaRelation> value) {
  put(key, place == std::numeric_limits<Place>::max() ? place : place + 1, std::move(value));
}

void SchemaModel::put(const std::string& key, Place place, std::shared_ptr<const SchemaRelation> value) {
  Versions& v = relations_[key];  // node-based: the address stays valid as the map grows
  if (value) {
    auto point = [&](const ObjectName& target) {
      std::vector<const Versions*>& from = pointers_[SchemaModel::key(target)];
      if (std::find(from.begin(), from.end(), &v) == from.end()) from.push_back(&v);
    };
    if (value->kind == ObjectKind::Index) point(value->table);
    for (const SchemaForeignKey& fk : value->foreign_keys) point(fk.referenced);
    for (const SchemaRelation::Child& child : value->children) point(child.name);
    for (const ObjectName& source : value->sources) point(source);
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

std::vector<ObjectName> SchemaModel::tables_using_type(const ObjectName& type, Place before) const {
  std::vector<ObjectName> out;
  if (!origin(ObjectRef{OriginKind::Type, qualified(type), {}}, before)) return out;
  for (const auto& [k, versions] : relations_) {
    const auto* r = latest(versions, before);
    if (!r || !*r || (*r)->kind != ObjectKind::Table) continue;
    for (const SchemaColumn& c : (*r)->columns)
      if (c.type.name == type.name && !c.type.array) {
        out.push_back((*r)->name);
        break;
      }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<ObjectName, std::string>> SchemaModel::triggers_calling(const ObjectName& function,
                                                                             Place before) const {
  const ObjectName target = qualified(function);
  std::vector<std::pair<ObjectName, std::string>> out;
  for (const auto& [k, versions] : relations_) {  // a rare question (DROP FUNCTION): a scan will do
    const auto* r = latest(versions, before);
    if (!r || !*r) continue;
    for (const auto& [name, calls] : (*r)->triggers)
      if (calls == target) out.emplace_back((*r)->name, name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool SchemaModel::complete(Place before) const {
  return (files_before(before) > 0 || seeded_) &&
         std::none_of(unknown_.begin(), unknown_.end(), [&](Place p) { return p < before; });
}

std::size_t SchemaModel::files_before(Place before) const {
  return static_cast<std::size_t>(std::count_if(files_.begin(), files_.end(), [&](Place p) { return p < before; }));
}

void SchemaModel::apply_unknown(Place place) { unknown_.push_back(place); }

std::string SchemaModel::origin_key(const ObjectRef& ref) {
  static constexpr char kPrefix[] = {'r', 'c', 'k', 'y'};
  std::string out(1, kPrefix[static_cast<int>(ref.kind)]);
  out += key(ref.name);
  if (ref.kind == OriginKind::Column || ref.kind == OriginKind::Constraint) {
    out += '\x1f';  // not a '.': "a.b" "c" and "a" "b.c" stay apart
    out += ref.member;
  }
  return out;
}

void SchemaModel::touch(const ObjectRef& ref, Place place, TextRange range, TouchKind kind) {
  std::vector<Touch>& v = touches_[origin_key(ref)];
  const Touch t{place, static_cast<std::uint32_t>(range.begin), static_cast<std::uint32_t>(range.end), kind};
  // One statement touches an object once; a stronger kind (created, dropped) replaces "changed".
  if (!v.empty() && v.back().place == place && v.back().begin == t.begin && v.back().end == t.end) {
    if (kind != TouchKind::Changed) v.back().kind = kind;
    return;
  }
  v.push_back(t);
}

void SchemaModel::move_touches(const ObjectRef& from, const ObjectRef& to) {
  auto it = touches_.find(origin_key(from));
  if (it == touches_.end()) return;
  std::vector<Touch> moved = std::move(it->second);
  touches_.erase(it);
  std::vector<Touch>& v = touches_[origin_key(to)];
  // The new name's own earlier life (a table dropped, then another renamed to its name) stays first.
  v.insert(v.end(), moved.begin(), moved.end());
  std::stable_sort(v.begin(), v.end(), [](const Touch& a, const Touch& b) {
    return a.place != b.place ? a.place < b.place : a.begin < b.begin;
  });
}

const std::vector<Touch>& SchemaModel::touches(const ObjectRef& ref) const {
  static const std::vector<Touch> kNone;
  auto it = touches_.find(origin_key(ref));
  return it == touches_.end() ? kNone : it->second;
}

std::optional<Touch> SchemaModel::origin(const ObjectRef& ref, Place before) const {
  std::optional<Touch> out;
  for (const Touch& t : touches(ref)) {
    if (t.place >= before) break;
    if (t.kind == TouchKind::Created) out = t;
    else if (t.kind == TouchKind::Dropped) out.reset();
  }
  return out;
}

std::string_view SchemaModel::source(Place place) const {
  auto at = std::lower_bound(sources_.begin(), sources_.end(), place,
                             [](const std::pair<Place, std::string>& e, Place p) { return e.first < p; });
  return at != sources_.end() && at->first == place ? std::string_view(at->second) : std::string_view();
}

std::string SchemaModel::describe(const ObjectRef& ref, Place before) const {
  const ObjectName name = qualified(ref.name);
  auto shown = [](const ObjectName& n) { return n.schema == "public" ? quote_identifier(n.name) : n.sql(); };
  switch (ref.kind) {
    case OriginKind::Column: return "column " + shown(name) + "." + quote_identifier(ref.member);
    case OriginKind::Constraint: return "constraint " + quote_identifier(ref.member) + " on " + shown(name);
    case OriginKind::Type: return "type " + shown(name);
    case OriginKind::Relation: break;
  }
  const SchemaRelation* r = relation(name, before);
  if (!r) return "relation " + shown(name);
  std::string out = std::string(object_kind_name(r->kind)) + " " + shown(name);
  if (r->kind == ObjectKind::Index && !r->table.empty()) out += " on " + shown(r->table);
  return out;
}

void SchemaModel::record_touches(const StatementFacts& facts, Place place, TextRange range) {
  const Place now = place + 1;
  auto relation_ref = [](const ObjectName& name) { return ObjectRef{OriginKind::Relation, qualified(name), {}}; };
  auto member = [](OriginKind kind, const ObjectName& table, const std::string& name) {
    return ObjectRef{kind, qualified(table), name};
  };
  auto created_here = [&](const ObjectName& table) {
    return std::any_of(facts.creates.begin(), facts.creates.end(),
                       [&](const CreatedObject& c) { return qualified(c.name) == qualified(table); });
  };
  for (const CreatedObject& c : facts.creates) {
    if (c.kind == ObjectKind::Type) touch({OriginKind::Type, qualified(c.name), {}}, place, range, TouchKind::Created);
    else if (c.kind != ObjectKind::Other && c.kind != ObjectKind::Schema && c.kind != ObjectKind::Database)
      touch(relation_ref(c.name), place, range, TouchKind::Created);
  }
  for (const ColumnTypeUse& u : facts.column_types) {
    const SchemaRelation* r = created_here(u.table) ? nullptr : relation(u.table, now);
    const bool added = !r || !r->column(u.column);
    touch(relation_ref(u.table), place, range, TouchKind::Changed);
    touch(member(OriginKind::Column, u.table, u.column), place, range, added ? TouchKind::Created : TouchKind::Changed);
  }
  for (const AddedConstraint& c : facts.constraints_added) {
    touch(relation_ref(c.table), place, range, TouchKind::Changed);
    if (!c.name.empty()) touch(member(OriginKind::Constraint, c.table, c.name), place, range, TouchKind::Created);
    if (!c.referenced.empty()) touch(relation_ref(c.referenced), place, range, TouchKind::Changed);
  }
  for (const auto& [table, name] : facts.constraints_validated)
    touch(member(OriginKind::Constraint, table, name), place, range, TouchKind::Changed);
  for (const StatementFacts::PartitionChange& p : facts.partitions) {
    touch(relation_ref(p.parent), place, range, TouchKind::Changed);
    touch(relation_ref(p.partition), place, range, TouchKind::Changed);
  }
  for (const Effect& e : facts.effects)
    for (const LockFact& l : e.locks)
      if (l.kind != ObjectKind::Type && l.kind != ObjectKind::Other && l.kind != ObjectKind::Schema &&
          l.kind != ObjectKind::Database && !l.object.empty())
        touch(relation_ref(l.object), place, range, TouchKind::Changed);
  for (const auto& [table, column] : facts.columns_dropped)
    touch(member(OriginKind::Column, table, column), place, range, TouchKind::Dropped);
  for (const auto& [table, name] : facts.constraints_dropped)
    touch(member(OriginKind::Constraint, table, name), place, range, TouchKind::Dropped);
  for (const DroppedObject& d : facts.drops) {
    if (d.kind == ObjectKind::Type) {
      touch({OriginKind::Type, qualified(d.name), {}}, place, range, TouchKind::Dropped);
      continue;
    }
    if (const SchemaRelation* r = relation(d.name, now)) {
      for (const SchemaColumn& c : r->columns) touch(member(OriginKind::Column, d.name, c.name), place, range, TouchKind::Dropped);
      for (const SchemaForeignKey& fk : r->foreign_keys)
        if (!fk.name.empty()) touch(member(OriginKind::Constraint, d.name, fk.name), place, range, TouchKind::Dropped);
    }
    touch(relation_ref(d.name), place, range, TouchKind::Dropped);
  }
  for (const RenamedObject& rn : facts.renames) {
    if (!rn.column.empty()) {
      const ObjectRef from = member(OriginKind::Column, rn.name, rn.column);
      touch(from, place, range, TouchKind::Renamed);
      move_touches(from, member(OriginKind::Column, rn.name, rn.to));
      continue;
    }
    const bool type = rn.kind == ObjectKind::Type;
    const ObjectRef from{type ? OriginKind::Type : OriginKind::Relation, qualified(rn.name), {}};
    ObjectRef to = from;
    to.name.name = rn.to;
    touch(from, place, range, TouchKind::Renamed);
    if (const SchemaRelation* r = type ? nullptr : relation(rn.name, now)) {
      for (const SchemaColumn& c : r->columns)
        move_touches(member(OriginKind::Column, from.name, c.name), member(OriginKind::Column, to.name, c.name));
      for (const SchemaForeignKey& fk : r->foreign_keys)
        if (!fk.name.empty())
          move_touches(member(OriginKind::Constraint, from.name, fk.name), member(OriginKind::Constraint, to.name, fk.name));
    }
    move_touches(from, to);
  }
}

void SchemaModel::apply(const StatementFacts& facts, Place place, std::string_view source, TextRange range) {
  const Place now = place + 1;  // what this place already changed counts
  if (sources_.empty() || sources_.back().first != place) sources_.emplace_back(place, std::string(source));
  record_touches(facts, place, range);
  auto current = [&](const ObjectName& name) -> std::shared_ptr<SchemaRelation> {
    const auto* r = latest(key(name), now);
    return r && *r ? std::make_shared<SchemaRelation>(**r) : nullptr;
  };
  // A relation the snapshot has, not dropped since: production's description stays, and what
  // this statement says of it as it creates it (columns, keys) is not applied.
  std::vector<std::string> kept;
  auto is_kept = [&](const ObjectName& name) { return std::find(kept.begin(), kept.end(), key(name)) != kept.end(); };
  for (const CreatedObject& c : facts.creates) {
    if (c.kind != ObjectKind::Table && c.kind != ObjectKind::Index && c.kind != ObjectKind::View &&
        c.kind != ObjectKind::MaterializedView && c.kind != ObjectKind::Sequence)
      continue;
    if (seeded_) {
      const auto& v = relations_.find(key(c.name));
      const auto* r = latest(key(c.name), now);
      if (v != relations_.end() && !v->second.empty() && v->second.front().first == 0 && r && *r) {
        kept.push_back(key(c.name));
        continue;
      }
    }
    auto r = std::make_shared<SchemaRelation>();
    r->kind = c.kind;
    r->name = qualified(c.name);
    if (c.kind == ObjectKind::Index) r->table = qualified(c.table);
    if (c.kind == ObjectKind::View || c.kind == ObjectKind::MaterializedView)
      for (const Effect& e : facts.effects)  // what its query reads: the statement's read locks
        for (const LockFact& l : e.locks)
          if ((l.role == Role::Table || l.role == Role::Source) && qualified(l.object) != r->name &&
              std::find(r->sources.begin(), r->sources.end(), qualified(l.object)) == r->sources.end())
            r->sources.push_back(qualified(l.object));
    r->source = std::string(source);
    set(key(c.name), place, std::move(r));
  }
  for (const ColumnTypeUse& u : facts.column_types) {
    auto r = is_kept(u.table) ? nullptr : current(u.table);
    if (!r) continue;
    ColumnType type{u.type, u.typmods, u.array};
    auto it = std::find_if(r->columns.begin(), r->columns.end(), [&](const SchemaColumn& c) { return c.name == u.column; });
    if (it != r->columns.end()) it->type = std::move(type);
    else r->columns.push_back({u.column, std::move(type)});
    set(key(u.table), place, std::move(r));
  }
  for (const AddedConstraint& c : facts.constraints_added) {
    if (c.type != 'f' || c.referenced.empty() || is_kept(c.table)) continue;
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
    std::erase_if(r->children, [&](const SchemaRelation::Child& ch) { return ch.name == partition; });
    if (p.attach) r->children.push_back({partition, !p.inheritance});
    set(key(p.parent), place, std::move(r));
  }
  for (const StatementFacts::TriggerChange& t : facts.triggers) {
    auto change = [&](const std::string& k, const SchemaRelation& rel) {
      auto r = std::make_shared<SchemaRelation>(rel);
      auto same = [&](const std::pair<std::string, ObjectName>& x) {
        return t.table.empty() ? x.second == qualified(t.function) : x.first == t.name;
      };
      if (!t.to.empty()) {
        for (auto& x : r->triggers)
          if (same(x)) x.first = t.to;
      } else {
        std::erase_if(r->triggers, same);
        if (!t.dropped) r->triggers.emplace_back(t.name, qualified(t.function));
      }
      set(k, place, std::move(r));
    };
    if (!t.table.empty()) {
      if (const auto* r = latest(key(t.table), now); r && *r) change(key(t.table), **r);
      continue;
    }
    for (const auto& [name, trigger] : triggers_calling(t.function, now))  // DROP FUNCTION … CASCADE
      if (const auto* r = latest(key(name), now); r && *r) change(key(name), **r);
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
      bool child = std::any_of(rel.children.begin(), rel.children.end(),
                               [&](const SchemaRelation::Child& ch) { return ch.name == from; });
      bool reads = std::find(rel.sources.begin(), rel.sources.end(), from) != rel.sources.end();
      if (!index_of && !refers && !parent_of && !child && !reads) continue;
      if (index_of && to.empty()) {
        changed.emplace_back(k, nullptr);  // an index goes with its table
        continue;
      }
      auto copy = std::make_shared<SchemaRelation>(rel);
      if (index_of) copy->table = to;
      if (parent_of) copy->default_partition = to;
      if (to.empty()) std::erase_if(copy->children, [&](const SchemaRelation::Child& ch) { return ch.name == from; });
      for (SchemaRelation::Child& ch : copy->children)
        if (ch.name == from) ch.name = to;
      if (!to.empty()) std::replace(copy->sources.begin(), copy->sources.end(), from, to);
      if (to.empty()) std::erase_if(copy->foreign_keys, [&](const SchemaForeignKey& fk) { return fk.referenced == from; });
      else
        for (SchemaForeignKey& fk : copy->foreign_keys)
          if (fk.referenced == from) fk.referenced = to;
      changed.emplace_back(k, std::move(copy));
    }
    for (auto& [k, r] : changed) set(k, place, std::move(r));
  };
  // A dropped table's partitions (and, with CASCADE, its inheriting children) go with it.
  std::vector<ObjectName> dropped;
  for (const DroppedObject& d : facts.drops) dropped.push_back(d.name);
  for (std::size_t i = 0; i < dropped.size() && i < 10000; ++i) {
    const auto* r = latest(key(dropped[i]), now);
    if (!r || !*r) continue;
    const bool table = (*r)->kind == ObjectKind::Table;
    for (const SchemaRelation::Child& ch : (*r)->children) dropped.push_back(ch.name);
    set(key(dropped[i]), place, nullptr);
    if (table) repoint(qualified(dropped[i]), {});
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
