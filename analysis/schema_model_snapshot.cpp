// SchemaModel::seed: a schema snapshot (format 2) as the model's state before every place, so
// the classifier asks one model whatever the source (docs/snapshot.md). Format 1 files lack the
// foreign keys' ends and the internal type names; they are not seeded (the classifier reads
// them directly, as before).
#include <cstdlib>

#include "analysis/schema.h"
#include "analysis/schema_model.h"

namespace lockward::analysis {
namespace {

// format_type()'s modifiers: "character varying(20)" → {20}, "numeric(10,2)" → {10, 2},
// "timestamp(3) with time zone" → {3}; the parser gives the same for the same declaration.
std::vector<long> typmods_of(const std::string& spelling) {
  std::vector<long> out;
  std::size_t open = spelling.find('('), close = spelling.find(')', open);
  if (open == std::string::npos || close == std::string::npos) return out;
  for (std::size_t at = open + 1; at < close;) {
    out.push_back(std::strtol(spelling.c_str() + at, nullptr, 10));
    std::size_t comma = spelling.find(',', at);
    if (comma == std::string::npos || comma > close) break;
    at = comma + 1;
  }
  return out;
}

ColumnType column_type_of(const SnapshotColumn& c) {
  ColumnType type{c.internal, typmods_of(c.type), c.array};
  // A domain's column: the parser names the domain, so does the model (its base is not used).
  if (!c.domain.empty()) type = ColumnType{c.domain.name, {}, c.array};
  return type;
}

}  // namespace

void SchemaModel::seed(const SchemaSnapshot& snapshot) {
  if (snapshot.version < 2) return;
  seeded_ = true;
  taken_at_ = snapshot.taken_at;
  auto add = [&](std::shared_ptr<SchemaRelation> r) {
    r->name = qualified(r->name);
    r->source = "snapshot";
    const std::string k = key(r->name);
    put(k, 0, std::move(r));
  };
  // The DEFAULT partition is recorded on its parent.
  std::unordered_map<std::string, ObjectName> defaults;
  for (const SnapshotTable& t : snapshot.tables)
    if (t.default_partition && !t.partition_of.empty()) defaults[key(t.partition_of)] = qualified(t.name);
  for (const SnapshotTable& t : snapshot.tables) {
    auto r = std::make_shared<SchemaRelation>();
    r->kind = ObjectKind::Table;
    r->name = t.name;
    for (const SnapshotColumn& c : t.columns) r->columns.push_back({c.name, column_type_of(c)});
    for (const SnapshotConstraint& c : t.constraints)
      if (c.type == 'f' && !c.referenced.empty())
        r->foreign_keys.push_back(
            {c.name, qualified(c.referenced), c.columns, c.referenced_columns, c.on_delete, c.on_update});
    if (auto d = defaults.find(key(t.name)); d != defaults.end()) r->default_partition = d->second;
    r->partitioned = t.partitioned;
    if (!t.partition_of.empty()) r->partition_of = qualified(t.partition_of);
    for (const ObjectName& p : t.inherits) r->inherits.push_back(qualified(p));
    add(std::move(r));
    for (const SnapshotIndex& i : t.indexes) {
      auto x = std::make_shared<SchemaRelation>();
      x->kind = ObjectKind::Index;
      x->name = ObjectName{t.name.schema, i.name};
      x->table = qualified(t.name);
      add(std::move(x));
    }
  }
  for (const SnapshotView& v : snapshot.views) {
    auto r = std::make_shared<SchemaRelation>();
    r->kind = v.materialized ? ObjectKind::MaterializedView : ObjectKind::View;
    r->name = v.name;
    for (const ObjectName& read : v.reads) r->reads.push_back(qualified(read));
    add(std::move(r));
  }
  for (const SnapshotSequence& s : snapshot.sequences) {
    auto r = std::make_shared<SchemaRelation>();
    r->kind = ObjectKind::Sequence;
    r->name = s.name;
    add(std::move(r));
  }
}

}  // namespace lockward::analysis
