#include "trace/schema_compare.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace lockward::trace {
namespace {

using analysis::ObjectKind;
using analysis::ObjectName;
using analysis::SchemaModel;

// The live catalog as the comparison asks it, every name qualified.
struct Live {
  explicit Live(const analysis::SchemaSnapshot& s) : snapshot(s) {
    for (const auto& t : s.tables) {
      tables[SchemaModel::key(t.name)] = &t;
      for (const auto& i : t.indexes) {
        index_table[SchemaModel::key({t.name.schema, i.name})] = t.name;
        if (i.unique || i.primary) implicit.insert(SchemaModel::key({t.name.schema, i.name}));
      }
      if (t.default_partition && !t.partition_of.empty()) default_of[SchemaModel::key(t.partition_of)] = t.name;
      for (const auto& c : t.constraints)
        if (c.type == 'f' && !c.referenced.empty()) referencing[SchemaModel::key(c.referenced)].insert(t.name);
    }
    for (const auto& v : s.views) others.insert(SchemaModel::key(v.name));
    for (const auto& q : s.sequences) {
      others.insert(SchemaModel::key(q.name));
      if (!q.owned_by.empty()) implicit.insert(SchemaModel::key(q.name));
    }
  }
  bool has(const ObjectName& n) const {
    const std::string k = SchemaModel::key(n);
    return tables.contains(k) || index_table.contains(k) || others.contains(k);
  }
  std::set<ObjectName> references(const ObjectName& table) const {
    std::set<ObjectName> out;
    auto it = tables.find(SchemaModel::key(table));
    if (it == tables.end()) return out;
    for (const auto& c : it->second->constraints)
      if (c.type == 'f' && !c.referenced.empty() && c.referenced != it->second->name) out.insert(c.referenced);
    return out;
  }
  std::set<ObjectName> referenced_by(const ObjectName& table) const {
    auto it = referencing.find(SchemaModel::key(table));
    std::set<ObjectName> out = it == referencing.end() ? std::set<ObjectName>{} : it->second;
    out.erase(SchemaModel::qualified(table));
    return out;
  }
  const analysis::SchemaSnapshot& snapshot;
  std::map<std::string, const analysis::SnapshotTable*> tables;
  std::map<std::string, ObjectName> index_table, default_of;
  std::map<std::string, std::set<ObjectName>> referencing;
  std::set<std::string> others;
  // What a statement creates without naming it (a key's unique index, a serial's or identity's
  // sequence): the model does not track those, so their absence there is no disagreement.
  std::set<std::string> implicit;
};

std::string shown(const ObjectName& n) { return n.schema == "public" || n.schema.empty() ? n.name : n.sql(); }

std::string list(const std::set<ObjectName>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const ObjectName& n : names) out += (out.empty() ? "" : ", ") + shown(n);
  return out;
}

bool relation_kind(ObjectKind k) {
  return k == ObjectKind::Table || k == ObjectKind::Index || k == ObjectKind::View || k == ObjectKind::MaterializedView ||
         k == ObjectKind::Sequence;
}

}  // namespace

std::vector<analysis::Finding> compare_schema(const SchemaModel& model, SchemaModel::Place place,
                                              const analysis::SchemaSnapshot& live_snapshot,
                                              const analysis::Analysis& analysis) {
  std::vector<analysis::Finding> out;
  const Live live(live_snapshot);
  const bool complete = model.complete(place);
  std::set<std::string> compared;  // one finding per object per file: the first statement naming it
  for (const analysis::Statement& s : analysis.statements) {
    // The relations it locks, and those it names as absent (DROP … IF EXISTS: no lock).
    std::vector<ObjectName> named;
    for (const analysis::LockFact& l : s.locks)
      if (!l.new_object && relation_kind(l.kind) && !l.object.empty()) named.push_back(l.object);
    for (const analysis::Effect& e : s.effects)
      if (e.row && e.row->id == "drop-absent" && !e.table.empty()) named.push_back(e.table);
    for (const ObjectName& object : named) {
      const ObjectName name = SchemaModel::qualified(object);
      if (!compared.insert(SchemaModel::key(name)).second) continue;
      std::vector<std::string> differences;
      const analysis::SchemaRelation* r = model.relation(name, place);
      const std::string what = model.describe({analysis::OriginKind::Relation, name, {}}, place);
      if (r && !live.has(name)) {
        differences.push_back("the schema model has " + what + ", the replayed catalog does not");
      } else if (!r && complete && live.has(name) && !live.implicit.contains(SchemaModel::key(name))) {
        differences.push_back("the replayed catalog has " + shown(name) +
                              ", the schema model (every earlier statement understood) does not");
      } else if (r && r->kind == ObjectKind::Index) {
        auto it = live.index_table.find(SchemaModel::key(name));
        if (it != live.index_table.end() && !r->table.empty() && SchemaModel::qualified(r->table) != it->second)
          differences.push_back("index " + shown(name) + " is on " + shown(r->table) + " in the schema model, on " +
                                shown(it->second) + " in the replayed catalog");
      } else if (r && r->kind == ObjectKind::Table) {
        auto d = live.default_of.find(SchemaModel::key(name));
        const ObjectName live_default = d == live.default_of.end() ? ObjectName{} : d->second;
        const ObjectName model_default = r->default_partition;
        if (!(model_default.empty() && !complete) && model_default != live_default)
          differences.push_back("the DEFAULT partition of " + shown(name) + " is " +
                                (model_default.empty() ? "none" : shown(model_default)) + " in the schema model, " +
                                (live_default.empty() ? "none" : shown(live_default)) + " in the replayed catalog");
        std::set<ObjectName> model_refs;
        for (const auto& fk : r->foreign_keys)
          if (fk.referenced != name) model_refs.insert(fk.referenced);
        const std::set<ObjectName> live_refs = live.references(name);
        const std::vector<ObjectName> by = model.referencing(name, place);
        const std::set<ObjectName> model_by(by.begin(), by.end()), live_by = live.referenced_by(name);
        // A key the model has and the catalog lacks is a wrong claim; one it lacks, only when
        // the model says it knows everything.
        auto differ = [&](const std::set<ObjectName>& m, const std::set<ObjectName>& c) {
          return complete ? m != c : !std::includes(c.begin(), c.end(), m.begin(), m.end());
        };
        if (differ(model_refs, live_refs))
          differences.push_back("the foreign keys of " + shown(name) + " reference " + list(model_refs) +
                                " in the schema model, " + list(live_refs) + " in the replayed catalog");
        if (differ(model_by, live_by))
          differences.push_back("the tables whose foreign keys reference " + shown(name) + " are " + list(model_by) +
                                " in the schema model, " + list(live_by) + " in the replayed catalog");
      }
      for (std::string& d : differences) {
        analysis::Finding f;
        f.rule = "trace-schema-mismatch";
        f.statement = s.index;
        f.range = s.code;
        f.relation = object;
        f.risk = analysis::Risk::Unknown;  // the statement's predictions rest on a schema PostgreSQL does not have
        f.severity = analysis::Severity::Warning;
        f.message = d + " (a prediction resting on the model may be wrong)";
        out.push_back(std::move(f));
      }
    }
  }
  return out;
}

}  // namespace lockward::trace
