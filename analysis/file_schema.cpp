#include "analysis/file_schema.h"

#include <algorithm>

namespace lockward::analysis {
namespace {

// History keys: 's', a letter for the fact, then the encoded name(s).
//   sE<rel>          "1" created in the file, "0" dropped
//   sI<index>        the index's table (encoded)
//   sC<table>\x1e<column>  the column's type (encoded), "" dropped
//   sF<table>        its foreign keys: name \x1d referenced \x1d columns \x1d referenced columns
//                    \x1d ON DELETE and ON UPDATE actions ("ac"; columns \x1c between), \x1e between the keys
//   sG<table>        the tables whose foreign keys point at it, \x1e between
//   sA<table>        renamed in the file: its old name
//   sD<table>        its DEFAULT partition (encoded), "" none
//   sH<table>        its partitions ('p' then encoded) and inheriting children ('i'), \x1e between
//   sY<type>         "1": created in the file
//   sM<type name>    the columns given a created type in the file: table \x1d column, \x1e between
//   sT<table>        its triggers: name \x1d the function (encoded), \x1e between
//   sW<function>     the tables that may have a trigger calling it (a superset), \x1e between
constexpr char kSep = '\x1e', kPair = '\x1d', kList = '\x1c';

std::string encode(const ObjectName& name) {
  return (name.schema.empty() ? std::string("public") : name.schema) + '\x1f' + name.name;
}
ObjectName decode(const std::string& encoded) {
  std::size_t at = encoded.find('\x1f');
  if (at == std::string::npos) return ObjectName{"", encoded};
  ObjectName out{encoded.substr(0, at), encoded.substr(at + 1)};
  if (out.schema == "public") out.schema.clear();  // shown as a migration usually writes it
  return out;
}
ObjectName shown(const ObjectName& qualified) { return qualified.schema == "public" ? ObjectName{"", qualified.name} : qualified; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t from = 0;
  while (true) {
    std::size_t at = s.find(sep, from);
    out.push_back(s.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) break;
    from = at + 1;
  }
  return out;
}
std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(1, kSep) : "") + parts[i];
  return out;
}

std::string join_list(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(1, kList) : "") + parts[i];
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string encode_type(const ColumnTypeUse& u) {
  std::string out = u.type + kPair;
  for (std::size_t i = 0; i < u.typmods.size(); ++i) out += (i ? "," : "") + std::to_string(u.typmods[i]);
  return out + kPair + (u.array ? "1" : "0");
}
ColumnType decode_type(const std::string& s) {
  std::vector<std::string> parts = split(s, kPair);
  ColumnType t;
  if (parts.size() != 3) return t;
  t.name = parts[0];
  for (const std::string& m : split(parts[1], ',')) t.typmods.push_back(std::strtol(m.c_str(), nullptr, 10));
  t.array = parts[2] == "1";
  return t;
}

}  // namespace

const SchemaRelation* FileSchema::base(const std::string& encoded) const {
  if (!base_.model) return nullptr;
  std::size_t at = encoded.find('\x1f');
  return base_.model->relation(ObjectName{encoded.substr(0, at), encoded.substr(at + 1)}, base_.place);
}

std::optional<ObjectName> FileSchema::index_table(const ObjectName& index) const {
  consulted = true;
  const std::string k = encode(index);
  if (std::optional<std::string> v = latest_("sE" + k); v && *v == "0") return std::nullopt;
  if (std::optional<std::string> v = latest_("sI" + k)) return decode(*v);
  const SchemaRelation* r = base(k);
  if (r && r->kind == ObjectKind::Index) return shown(r->table);
  return std::nullopt;
}

std::vector<ObjectName> FileSchema::indexes_of(const ObjectName& table) const {
  consulted = true;
  std::vector<ObjectName> out;
  if (!base_.model) return out;
  // Those the file dropped, or moved to another table, are left out.
  for (const ObjectName& index : base_.model->indexes_of(table, base_.place)) {
    ObjectName name = shown(index);
    std::optional<ObjectName> now = index_table(name);
    if (now && now->name == table.name) out.push_back(std::move(name));
  }
  return out;
}

std::optional<ColumnType> FileSchema::column_type(const ObjectName& table, std::string_view column) const {
  consulted = true;
  std::string k = encode(table);
  bool renamed = false;
  for (int hops = 0; hops < 2; ++hops) {
    if (std::optional<std::string> v = latest_("sC" + k + kSep + std::string(column))) {
      if (v->empty()) return std::nullopt;
      return decode_type(*v);
    }
    if (std::optional<std::string> old = latest_("sA" + k)) {
      k = *old;  // renamed in this file: its columns are still under the old name
      renamed = true;
      continue;
    }
    break;
  }
  if (std::optional<std::string> v = latest_("sE" + k); !renamed && v && *v == "0") return std::nullopt;
  const SchemaRelation* r = base(k);
  const SchemaColumn* c = r ? r->column(column) : nullptr;
  if (c) return c->type;
  return std::nullopt;
}

std::vector<FileSchema::ForeignKey> FileSchema::outgoing(const std::string& table) const {
  std::vector<ForeignKey> out;
  if (std::optional<std::string> v = latest_("sF" + table)) {
    for (const std::string& item : split(*v, kSep)) {
      std::vector<std::string> parts = split(item, kPair);
      parts.resize(5);
      char on_delete = parts[4].size() == 2 ? parts[4][0] : 'a', on_update = parts[4].size() == 2 ? parts[4][1] : 'a';
      out.push_back({parts[0], parts[1], split(parts[2], kList), split(parts[3], kList), on_delete, on_update});
    }
    return out;
  }
  if (const SchemaRelation* r = base(table))
    for (const SchemaForeignKey& fk : r->foreign_keys)
      out.push_back({fk.name, encode(fk.referenced), fk.columns, fk.referenced_columns, fk.on_delete, fk.on_update});
  return out;
}

std::vector<std::string> FileSchema::incoming(const std::string& table) const {
  if (std::optional<std::string> v = latest_("sG" + table)) return split(*v, kSep);
  std::vector<std::string> out;
  if (base_.model) {
    std::size_t at = table.find('\x1f');
    for (const ObjectName& t : base_.model->referencing(ObjectName{table.substr(0, at), table.substr(at + 1)}, base_.place))
      out.push_back(encode(t));
  }
  return out;
}

std::vector<ObjectName> FileSchema::references(const ObjectName& table) const {
  consulted = true;
  std::vector<ObjectName> out;
  for (const ForeignKey& fk : outgoing(encode(table))) {
    ObjectName n = decode(fk.referenced);
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(std::move(n));
  }
  return out;
}

std::vector<ObjectName> FileSchema::referenced_by(const ObjectName& table) const {
  consulted = true;
  std::vector<ObjectName> out;
  for (const std::string& t : incoming(encode(table))) out.push_back(decode(t));
  return out;
}

std::optional<ObjectName> FileSchema::foreign_key_target(const ObjectName& table, std::string_view constraint) const {
  consulted = true;
  if (constraint.empty()) return std::nullopt;
  for (const ForeignKey& fk : outgoing(encode(table)))
    if (fk.name == constraint) return decode(fk.referenced);
  return std::nullopt;
}

SchemaLookup::ForeignKeyEnds FileSchema::foreign_key_ends(const ObjectName& table, std::string_view column) const {
  consulted = true;
  ForeignKeyEnds out;
  const std::string t = encode(table);
  for (const ForeignKey& fk : outgoing(t))
    if (contains(fk.columns, column)) out.referenced.push_back(decode(fk.referenced));
  for (const std::string& other : incoming(t)) {
    for (const ForeignKey& fk : outgoing(other)) {
      if (fk.referenced == t && contains(fk.referenced_columns, column)) {
        out.referencing.push_back(decode(other));
        break;
      }
    }
  }
  return out;
}

std::vector<SchemaLookup::IncomingForeignKey> FileSchema::incoming_foreign_keys(const ObjectName& table) const {
  consulted = true;
  std::vector<IncomingForeignKey> out;
  const std::string t = encode(table);
  for (const std::string& other : incoming(t)) {
    if (other == t) continue;
    for (const ForeignKey& fk : outgoing(other))
      if (fk.referenced == t) out.push_back({decode(other), fk.referenced_columns, fk.on_delete, fk.on_update});
  }
  return out;
}

std::optional<ObjectName> FileSchema::default_partition(const ObjectName& parent) const {
  consulted = true;
  std::string k = encode(parent);
  if (std::optional<std::string> v = latest_("sD" + k)) {
    if (v->empty()) return std::nullopt;
    // Dropped or renamed away in this file: no longer that partition.
    if (std::optional<std::string> e = latest_("sE" + *v); e && *e == "0") return std::nullopt;
    return decode(*v);
  }
  if (std::optional<std::string> v = latest_("sE" + k); v && *v == "0") return std::nullopt;
  const SchemaRelation* r = base(k);
  if (!r || r->default_partition.empty()) return std::nullopt;
  const std::string d = encode(r->default_partition);
  if (std::optional<std::string> e = latest_("sE" + d); e && *e == "0") return std::nullopt;
  return shown(r->default_partition);
}

std::vector<SchemaLookup::Child> FileSchema::children(const ObjectName& parent) const {
  consulted = true;
  const std::string k = encode(parent);
  std::vector<Child> out;
  auto live = [&](const std::string& encoded) {
    std::optional<std::string> e = latest_("sE" + encoded);
    return !e || *e == "1";
  };
  std::optional<std::string> v = latest_("sH" + k);
  std::string from = k;
  if (!v) {
    if (std::optional<std::string> e = latest_("sE" + k); e && *e == "0") return out;
    from = latest_("sA" + k).value_or(k);  // renamed in this file: its children stay
    if (from != k) v = latest_("sH" + from);
  }
  if (v) {
    for (const std::string& item : split(*v, kSep))
      if (item.size() > 1 && live(item.substr(1))) out.push_back({decode(item.substr(1)), item[0] == 'p'});
    return out;
  }
  if (const SchemaRelation* r = base(from))
    for (const SchemaRelation::Child& ch : r->children)
      if (live(encode(ch.name))) out.push_back({shown(ch.name), ch.partition});
  return out;
}

std::optional<std::vector<ObjectName>> FileSchema::view_sources(const ObjectName& view, bool materialized) const {
  consulted = true;
  const std::string k = encode(view);
  // Created (or replaced), dropped or renamed in the file: its query is not kept here (the
  // statement's effects are the analysis's by then), so it is not known.
  if (latest_("sE" + k)) return std::nullopt;
  const SchemaRelation* r = base(k);
  if (!r || r->kind != (materialized ? ObjectKind::MaterializedView : ObjectKind::View)) return std::nullopt;
  std::vector<ObjectName> out;
  for (const ObjectName& s : r->sources) out.push_back(shown(s));
  return out;
}

std::optional<std::vector<ObjectName>> FileSchema::tables_using_type(const ObjectName& type) const {
  consulted = true;
  std::vector<ObjectName> candidates;
  const bool here = latest_("sY" + encode(type)).has_value();
  if (base_.model) candidates = base_.model->tables_using_type(type, base_.place);
  if (!here && candidates.empty() &&
      !(base_.model && base_.model->origin(ObjectRef{OriginKind::Type, SchemaModel::qualified(type), {}}, base_.place)))
    return std::nullopt;  // a type the schema never saw created
  for (ObjectName& c : candidates) c = shown(c);
  // Each candidate's columns as the file left them: any of them still of the type.
  std::vector<ObjectName> out;
  auto uses = [&](const ObjectName& table, const std::string& column) {
    std::optional<ColumnType> t = column_type(table, column);
    return t && t->name == type.name && !t->array;
  };
  for (const ObjectName& table : candidates) {
    const SchemaRelation* r = base(encode(table));
    bool any = false;
    for (const SchemaColumn& col : r ? r->columns : std::vector<SchemaColumn>{}) any = any || uses(table, col.name);
    if (any) out.push_back(table);
  }
  if (std::optional<std::string> v = latest_("sM" + type.name))
    for (const std::string& item : split(*v, kSep)) {
      std::vector<std::string> parts = split(item, kPair);
      if (parts.size() != 2) continue;
      ObjectName table = decode(parts[0]);
      if (uses(table, parts[1]) && std::find(out.begin(), out.end(), table) == out.end()) out.push_back(table);
    }
  return out;
}

std::vector<std::pair<std::string, std::string>> FileSchema::triggers_of(const std::string& table) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (std::optional<std::string> v = latest_("sT" + table)) {
    for (const std::string& item : split(*v, kSep)) {
      std::vector<std::string> parts = split(item, kPair);
      parts.resize(2);
      out.emplace_back(parts[0], parts[1]);
    }
    return out;
  }
  if (std::optional<std::string> v = latest_("sE" + table); v && *v == "0") return out;
  if (const SchemaRelation* r = base(table))
    for (const auto& [name, function] : r->triggers) out.emplace_back(name, encode(function));
  return out;
}

std::vector<std::string> FileSchema::trigger_tables(const std::string& function) const {
  std::vector<std::string> out;
  if (std::optional<std::string> v = latest_("sW" + function)) out = split(*v, kSep);
  if (base_.model) {
    std::size_t at = function.find('\x1f');
    for (const auto& [table, name] : base_.model->triggers_calling(
             ObjectName{function.substr(0, at), function.substr(at + 1)}, base_.place))
      if (!contains(out, encode(table))) out.push_back(encode(table));
  }
  return out;
}

std::optional<std::vector<SchemaLookup::Trigger>> FileSchema::triggers_calling(const ObjectName& function) const {
  consulted = true;
  // Every trigger is known only when every statement before this one was understood.
  if (!base_.model || !base_.model->complete(base_.place) || latest_(kUnknownKey)) return std::nullopt;
  const std::string f = encode(function);
  std::vector<Trigger> out;
  for (const std::string& table : trigger_tables(f))
    for (const auto& [name, calls] : triggers_of(table))
      if (calls == f) out.emplace_back(decode(table), name);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<bool> FileSchema::exists(const ObjectName& name) const {
  consulted = true;
  if (std::optional<std::string> v = latest_("sE" + encode(name))) return *v == "1";
  if (!base_.model || latest_("sU")) return std::nullopt;  // the file did something the model cannot follow
  if (base_.model->relation(name, base_.place)) return true;
  if (base_.model->complete(base_.place)) return false;
  return std::nullopt;
}

void FileSchema::record(const StatementFacts& facts, const Remember& remember) const {
  if (facts.creates.empty() && facts.column_types.empty() && facts.constraints_added.empty() && facts.drops.empty() &&
      facts.columns_dropped.empty() && facts.constraints_dropped.empty() && facts.renames.empty() &&
      facts.partitions.empty() && facts.triggers.empty())
    return;
  // Within one statement, later changes read the earlier ones' values through this overlay.
  std::vector<std::pair<std::string, std::string>> mine;
  auto value = [&](const std::string& key) -> std::optional<std::string> {
    for (auto it = mine.rbegin(); it != mine.rend(); ++it)
      if (it->first == key) return it->second;
    return latest_(key);
  };
  FileSchema now(base_, value);
  auto put = [&](const std::string& key, std::string v) {
    remember(key, v);
    mine.emplace_back(key, std::move(v));
  };
  auto set_outgoing = [&](const std::string& table, const std::vector<ForeignKey>& fks) {
    std::vector<std::string> items;
    for (const ForeignKey& fk : fks)
      items.push_back(fk.name + kPair + fk.referenced + kPair + join_list(fk.columns) + kPair +
                      join_list(fk.referenced_columns) + kPair + fk.on_delete + fk.on_update);
    put("sF" + table, join(items));
  };

  for (const CreatedObject& c : facts.creates) {
    if (c.kind == ObjectKind::Type) put("sY" + encode(c.name), "1");
    if (c.kind == ObjectKind::Type || c.kind == ObjectKind::Schema || c.kind == ObjectKind::Database) continue;
    const std::string k = encode(c.name);
    put("sE" + k, "1");
    if (c.kind == ObjectKind::Index) put("sI" + k, encode(c.table));
    if (c.kind == ObjectKind::Table) {
      put("sF" + k, "");
      put("sG" + k, "");
      put("sH" + k, "");
      put("sT" + k, "");
    }
  }
  for (const StatementFacts::PartitionChange& p : facts.partitions) {
    const std::string parent = encode(p.parent), partition = encode(p.partition);
    std::vector<std::string> items;
    for (const Child& ch : now.children(p.parent))
      if (encode(ch.name) != partition) items.push_back((ch.partition ? "p" : "i") + encode(ch.name));
    if (p.attach) items.push_back((p.inheritance ? "i" : "p") + partition);
    put("sH" + parent, join(items));
    if (p.attach && p.is_default) put("sD" + parent, partition);
    else if (!p.attach) {
      std::optional<ObjectName> d = now.default_partition(p.parent);
      if (d && encode(*d) == partition) put("sD" + parent, "");
    }
  }
  for (const ColumnTypeUse& u : facts.column_types) {
    put("sC" + encode(u.table) + kSep + u.column, encode_type(u));
    // Only for a type the schema saw created (a domain, an enum): built-in types would make the
    // lists grow with every column of the file.
    const ObjectName type{"", u.type};
    if (!value("sY" + encode(type)) &&
        !(base_.model && base_.model->origin(ObjectRef{OriginKind::Type, SchemaModel::qualified(type), {}}, base_.place)))
      continue;
    std::vector<std::string> users = split(value("sM" + u.type).value_or(""), kSep);
    if (!contains(users, encode(u.table) + kPair + u.column)) users.push_back(encode(u.table) + kPair + u.column);
    put("sM" + u.type, join(users));
  }
  for (const auto& [table, column] : facts.columns_dropped) put("sC" + encode(table) + kSep + column, "");
  for (const AddedConstraint& c : facts.constraints_added) {
    if (c.type != 'f' || c.referenced.empty()) continue;
    const std::string t = encode(c.table), r = encode(c.referenced);
    std::vector<ForeignKey> fks = now.outgoing(t);
    fks.push_back({c.name, r, c.columns, c.referenced_columns, c.on_delete, c.on_update});
    set_outgoing(t, fks);
    if (r == t) continue;
    std::vector<std::string> in = now.incoming(r);
    if (std::find(in.begin(), in.end(), t) == in.end()) in.push_back(t);
    put("sG" + r, join(in));
  }
  // `table` no longer references `referenced` (when none of its foreign keys still does).
  auto unlink = [&](const std::string& table, const std::string& referenced) {
    std::vector<std::string> in = now.incoming(referenced);
    std::erase(in, table);
    put("sG" + referenced, join(in));
  };
  for (const auto& dropped : facts.constraints_dropped) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    const std::string& name = dropped.second;
    const std::string t = encode(dropped.first);
    std::vector<ForeignKey> fks = now.outgoing(t);
    auto it = std::find_if(fks.begin(), fks.end(), [&](const ForeignKey& fk) { return fk.name == name; });
    if (it == fks.end()) continue;
    std::string referenced = it->referenced;
    fks.erase(it);
    set_outgoing(t, fks);
    if (std::none_of(fks.begin(), fks.end(), [&](const ForeignKey& fk) { return fk.referenced == referenced; }))
      unlink(t, referenced);
  }
  for (const auto& dropped : facts.columns_dropped) {
    // A foreign key on the column goes with it.
    const std::string t = encode(dropped.first);
    const std::string& column = dropped.second;
    std::vector<ForeignKey> fks = now.outgoing(t);
    std::vector<std::string> gone;
    for (const ForeignKey& fk : fks)
      if (contains(fk.columns, column)) gone.push_back(fk.referenced);
    if (gone.empty()) continue;
    std::erase_if(fks, [&](const ForeignKey& fk) { return contains(fk.columns, column); });
    set_outgoing(t, fks);
    for (const std::string& referenced : gone)
      if (std::none_of(fks.begin(), fks.end(), [&](const ForeignKey& fk) { return fk.referenced == referenced; }))
        unlink(t, referenced);
  }
  std::vector<DroppedObject> drops = facts.drops;  // a dropped table's partitions and children go with it
  for (std::size_t i = 0; i < drops.size() && i < 10000; ++i)
    if (drops[i].kind == ObjectKind::Table)
      for (const Child& ch : now.children(drops[i].name)) drops.push_back({ch.name, ObjectKind::Table, false});
  for (const DroppedObject& d : drops) {
    const std::string k = encode(d.name);
    if (now.exists(d.name) == std::optional<bool>(false)) continue;
    put("sE" + k, "0");
    if (d.kind == ObjectKind::Index) put("sI" + k, "");
    if (d.kind != ObjectKind::Table) continue;
    for (const ForeignKey& fk : now.outgoing(k))
      if (fk.referenced != k) unlink(k, fk.referenced);
    for (const std::string& other : now.incoming(k)) {  // CASCADE drops their foreign keys
      std::vector<ForeignKey> fks = now.outgoing(other);
      std::erase_if(fks, [&](const ForeignKey& fk) { return fk.referenced == k; });
      set_outgoing(other, fks);
    }
    put("sF" + k, "");
    put("sG" + k, "");
    put("sT" + k, "");
  }
  auto set_triggers = [&](const std::string& table, const std::vector<std::pair<std::string, std::string>>& triggers) {
    std::vector<std::string> items;
    for (const auto& [name, function] : triggers) items.push_back(name + kPair + function);
    put("sT" + table, join(items));
  };
  for (const StatementFacts::TriggerChange& t : facts.triggers) {
    // Not structured bindings below: clang 14 (the fuzz build) cannot capture one in a lambda.
    if (t.table.empty()) {  // DROP FUNCTION … CASCADE: its triggers go
      const std::string f = encode(t.function);
      for (const std::string& table : now.trigger_tables(f)) {
        std::vector<std::pair<std::string, std::string>> list = now.triggers_of(table);
        if (std::erase_if(list, [&](const auto& x) { return x.second == f; })) set_triggers(table, list);
      }
      continue;
    }
    const std::string table = encode(t.table);
    std::vector<std::pair<std::string, std::string>> list = now.triggers_of(table);
    if (!t.to.empty()) {
      for (auto& x : list)
        if (x.first == t.name) x.first = t.to;
    } else {
      std::erase_if(list, [&](const auto& x) { return x.first == t.name; });
      if (!t.dropped) {
        const std::string f = encode(t.function);
        list.emplace_back(t.name, f);
        std::vector<std::string> tables = now.trigger_tables(f);
        if (!contains(tables, table)) tables.push_back(table);
        put("sW" + f, join(tables));
      }
    }
    set_triggers(table, list);
  }
  for (const RenamedObject& rn : facts.renames) {
    const std::string from = encode(rn.name);
    if (!rn.column.empty()) {
      if (std::optional<ColumnType> t = now.column_type(rn.name, rn.column)) {
        put("sC" + from + kSep + rn.to, encode_type(ColumnTypeUse{rn.name, rn.to, t->name, t->typmods, t->array, {}}));
        put("sC" + from + kSep + rn.column, "");
      }
      std::vector<ForeignKey> fks = now.outgoing(from);
      bool renamed = false;
      for (ForeignKey& fk : fks)
        for (std::string& c : fk.columns)
          if (c == rn.column) {
            c = rn.to;
            renamed = true;
          }
      if (renamed) set_outgoing(from, fks);
      continue;
    }
    const std::string to = encode(ObjectName{rn.name.schema, rn.to});
    put("sE" + from, "0");
    put("sE" + to, "1");
    if (rn.kind == ObjectKind::Index) {
      if (std::optional<ObjectName> table = now.index_table(rn.name)) put("sI" + to, encode(*table));
      continue;
    }
    put("sA" + to, from);
    std::vector<std::pair<std::string, std::string>> triggers = now.triggers_of(from);
    set_triggers(to, triggers);
    put("sT" + from, "");
    for (const auto& trigger : triggers) {
      std::vector<std::string> tables = now.trigger_tables(trigger.second);
      if (!contains(tables, to)) tables.push_back(to);
      put("sW" + trigger.second, join(tables));
    }
    std::vector<ForeignKey> fks = now.outgoing(from);
    std::vector<std::string> in = now.incoming(from);
    set_outgoing(to, fks);
    put("sG" + to, join(in));
    for (const ForeignKey& fk : fks) {
      std::vector<std::string> other = now.incoming(fk.referenced);
      std::replace(other.begin(), other.end(), from, to);
      put("sG" + fk.referenced, join(other));
    }
    for (const std::string& t : in) {
      std::vector<ForeignKey> other = now.outgoing(t);
      for (ForeignKey& fk : other)
        if (fk.referenced == from) fk.referenced = to;
      set_outgoing(t, other);
    }
  }
}

}  // namespace lockward::analysis
