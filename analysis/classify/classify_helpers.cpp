// Text and tree helpers shared by the classify_*.cpp files: row choice by version, ranges of
// type names and identifiers, relations read by a query, snapshot look-ups.
#include <algorithm>
#include <cctype>

#include "analysis/classify/classify_internal.h"

namespace lockward::analysis::classify_detail {
namespace {

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

bool equals_ci(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Words that end a type name inside a column definition or ALTER … TYPE clause.
bool ends_type(std::string_view word) {
  static constexpr std::string_view kStop[] = {"not", "null", "default", "constraint", "check", "unique", "primary",
                                               "references", "generated", "collate", "using", "compression",
                                               "storage", "deferrable", "initially", "as"};
  return std::any_of(std::begin(kStop), std::end(kStop), [&](std::string_view s) { return equals_ci(word, s); });
}

// Depth-first, in document order, on a heap stack: a tree may be thousands of levels deep.
void collect_range_vars(const Json& root, std::vector<ObjectName>& out) {
  struct Todo {
    const Json* node;
    bool range_var;  // a RangeVar's body: its name is the next relation, in document order
  };
  std::vector<Todo> todo{{&root, false}};
  std::vector<Todo> children;
  while (!todo.empty()) {
    Todo next = todo.back();
    todo.pop_back();
    const Json& node = *next.node;
    if (next.range_var) {
      ObjectName name = ast::range_var(node);
      if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
      continue;
    }
    children.clear();
    if (node.is_array()) {
      for (const auto& item : node) children.push_back({&item, false});
    } else if (node.is_object()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        // CTE bodies are walked through their own queries (range_vars_in); their names are not tables.
        if (it.key() == "withClause" || it.key() == "ctes") continue;
        children.push_back({&*it, it.key() == "RangeVar"});
      }
    }
    todo.insert(todo.end(), children.rbegin(), children.rend());
  }
}

}  // namespace

std::string_view first_row(const Input& in, std::initializer_list<std::string_view> ids) {
  for (std::string_view id : ids) {
    if (find_row(id, in.context.pg_version)) return id;
  }
  return {};
}

void add_locks_on(Effect& effect, Role role, const std::vector<ObjectName>& objects) {
  if (!effect.row) return;
  const RoleLock* lock = lock_for(*effect.row, role);
  if (!lock) return;
  for (const ObjectName& o : objects) {
    bool present = std::any_of(effect.locks.begin(), effect.locks.end(),
                               [&](const LockFact& l) { return l.object == o && l.role == role; });
    if (!present && !o.empty()) effect.locks.push_back(
          LockFact{o, kind_for_role(role), role, lock->mode, false, lock->until_statement_end, lock->if_rows_change});
  }
}

TextRange type_range(const Input& in, const Json& tn) {
  long loc = ast::location(tn);
  if (loc < 0) return TextRange{in.statement.begin, in.statement.begin};
  std::string_view s = in.text;
  std::size_t begin = in.at(loc), i = begin, end = begin;
  std::size_t limit = std::min(in.statement.end, s.size());
  bool first = true;
  while (i < limit) {
    std::size_t j = i;
    while (j < limit && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j >= limit) break;
    char c = s[j];
    if (c == '"') {
      std::size_t close = s.find('"', j + 1);
      if (close == std::string_view::npos || close >= limit) break;
      i = end = close + 1;
    } else if (is_word(c)) {
      std::size_t k = j;
      while (k < limit && is_word(s[k])) ++k;
      if (!first && ends_type(s.substr(j, k - j))) break;
      i = end = k;
    } else if (c == '.' ) {
      i = end = j + 1;
    } else if (c == '(' || c == '[') {
      char open = c, close = c == '(' ? ')' : ']';
      int depth = 0;
      std::size_t k = j;
      for (; k < limit; ++k) {
        if (s[k] == open) ++depth;
        else if (s[k] == close && --depth == 0) break;
      }
      if (k >= limit) break;
      i = end = k + 1;
    } else {
      break;
    }
    first = false;
  }
  return TextRange{begin, end};
}

std::string text_after_keyword(const Input& in, std::size_t from, std::size_t end, std::string_view keyword) {
  std::string_view s = in.text;
  end = std::min(end, s.size());
  for (std::size_t i = from; i + keyword.size() <= end; ++i) {
    if (s[i] == '\'' || s[i] == '"') {
      char q = s[i];
      for (++i; i < end && s[i] != q; ++i) {}
      continue;
    }
    if ((i > 0 && is_word(s[i - 1])) || !equals_ci(s.substr(i, keyword.size()), keyword)) continue;
    std::size_t b = i + keyword.size();
    if (b < end && is_word(s[b])) continue;
    std::size_t e = end;
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
  }
  return {};
}

TextRange name_range(const Input& in, std::size_t from, std::string_view name) {
  std::string_view s = in.text.substr(0, std::min(in.statement.end, in.text.size()));
  for (const std::string& spelling : {quote_identifier(name), std::string(name)}) {
    std::size_t at = from;
    while ((at = s.find(spelling, at)) != std::string_view::npos) {
      bool left_ok = at == 0 || !is_word(s[at - 1]);
      bool right_ok = at + spelling.size() >= s.size() || !is_word(s[at + spelling.size()]);
      if (left_ok && right_ok) return TextRange{at, at + spelling.size()};
      ++at;
    }
  }
  return TextRange{from, from};
}

std::string column_list_sql(const std::vector<std::string>& columns) {
  std::string out = "(";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ", ";
    out += quote_identifier(columns[i]);
  }
  return out + ")";
}

std::vector<ObjectName> range_vars_in(const Json& node) {
  std::vector<ObjectName> out;
  collect_range_vars(node, out);
  // Relations read inside CTE bodies still count; only the CTE names themselves are skipped.
  if (node.is_object()) {
    for (const auto& cte : ast::list(ast::field(node, "withClause"), "ctes"))
      collect_range_vars(ast::field(ast::unwrap(cte, "CommonTableExpr"), "ctequery"), out);
  }
  return out;
}

const SnapshotTable* snapshot_table(const Input& in, const ObjectName& table) {
  return in.context.snapshot && !table.empty() ? in.context.snapshot->find(table) : nullptr;
}

ObjectName table_of_index(const Input& in, const ObjectName& index) {
  if (in.context.schema) {
    if (std::optional<ObjectName> table = in.context.schema->index_table(index)) return *table;
  }
  if (!in.context.snapshot) return {};
  for (const SnapshotTable& t : in.context.snapshot->tables) {
    if (!index.schema.empty() && t.name.schema != index.schema) continue;
    for (const SnapshotIndex& i : t.indexes) {
      if (i.name == index.name) return index.schema.empty() ? ObjectName{"", t.name.name} : t.name;
    }
  }
  return {};
}

namespace {
// The table a foreign key's pg_get_constraintdef() names after REFERENCES.
ObjectName references_in_definition(const std::string& definition) {
  std::size_t at = definition.find("REFERENCES ");
  if (at == std::string::npos) return {};
  std::string ref = definition.substr(at + 11);
  ref = ref.substr(0, ref.find('('));
  while (!ref.empty() && ref.back() == ' ') ref.pop_back();
  std::size_t dot = ref.find('.');
  auto unquote = [](std::string v) {
    return v.size() >= 2 && v.front() == '"' && v.back() == '"' ? v.substr(1, v.size() - 2) : v;
  };
  if (dot == std::string::npos) return ObjectName{"", unquote(ref)};
  return ObjectName{unquote(ref.substr(0, dot)), unquote(ref.substr(dot + 1))};
}

// The column lists of a foreign key's pg_get_constraintdef(): "FOREIGN KEY (a, b) REFERENCES
// t(c, d) …" gives {a, b} and {c, d}. Quoted names are unquoted; a name with a comma or a
// parenthesis in it is not split correctly, and then matches no column.
std::pair<std::vector<std::string>, std::vector<std::string>> foreign_key_columns(const std::string& definition) {
  auto list_after = [&](std::size_t from) {
    std::vector<std::string> out;
    std::size_t open = definition.find('(', from), close = definition.find(')', open);
    if (open == std::string::npos || close == std::string::npos) return out;
    std::string inside = definition.substr(open + 1, close - open - 1);
    std::size_t at = 0;
    while (at <= inside.size()) {
      std::size_t comma = inside.find(',', at);
      std::string item = inside.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      while (!item.empty() && item.front() == ' ') item.erase(item.begin());
      while (!item.empty() && item.back() == ' ') item.pop_back();
      if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);
      out.push_back(item);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    return out;
  };
  std::size_t references = definition.find("REFERENCES ");
  if (definition.rfind("FOREIGN KEY", 0) != 0 || references == std::string::npos) return {};
  return {list_after(0), list_after(references)};
}

void add_unique(std::vector<ObjectName>& out, const ObjectName& name) {
  auto same = [&](const ObjectName& o) {
    return o.name == name.name && (o.schema == name.schema || (o.schema.empty() ? name.schema : o.schema) == "public");
  };
  if (!name.empty() && std::none_of(out.begin(), out.end(), same)) out.push_back(name);
}
}  // namespace

ObjectName referenced_table_of(const Input& in, const ObjectName& table, std::string_view constraint) {
  if (in.context.schema) {
    if (std::optional<ObjectName> target = in.context.schema->foreign_key_target(table, constraint)) return *target;
  }
  const SnapshotTable* t = snapshot_table(in, table);
  if (!t) return {};
  for (const SnapshotConstraint& c : t->constraints) {
    if (c.type == 'f' && c.name == constraint) return references_in_definition(c.definition);
  }
  return {};
}

std::vector<ObjectName> tables_referenced_by(const Input& in, const ObjectName& table) {
  std::vector<ObjectName> out;
  if (in.context.schema)
    for (const ObjectName& o : in.context.schema->references(table)) add_unique(out, o);
  if (const SnapshotTable* t = snapshot_table(in, table)) {
    for (const SnapshotConstraint& c : t->constraints)
      if (c.type == 'f') add_unique(out, references_in_definition(c.definition));
  }
  std::erase_if(out, [&](const ObjectName& o) { return o.name == table.name; });  // a self-reference
  return out;
}

std::vector<ObjectName> tables_referencing(const Input& in, const ObjectName& table) {
  std::vector<ObjectName> out;
  if (in.context.schema)
    for (const ObjectName& o : in.context.schema->referenced_by(table)) add_unique(out, o);
  if (in.context.snapshot) {
    const SnapshotTable* target = snapshot_table(in, table);
    for (const SnapshotTable& t : in.context.snapshot->tables) {
      if (!target || t.name == target->name) continue;
      for (const SnapshotConstraint& c : t.constraints) {
        if (c.type != 'f') continue;
        ObjectName ref = references_in_definition(c.definition);
        if (ref.name == target->name.name && (ref.schema.empty() || ref.schema == target->name.schema)) {
          add_unique(out, t.name.schema == "public" ? ObjectName{"", t.name.name} : t.name);
          break;
        }
      }
    }
  }
  return out;
}

char foreign_key_action(const Json& con, const char* field) {
  std::string a = ast::str(con, field);
  return a.size() == 1 && std::string_view("arcnd").find(a[0]) != std::string_view::npos ? a[0] : 'a';
}

namespace {
// "… ON UPDATE CASCADE ON DELETE SET NULL" of pg_get_constraintdef(): NO ACTION is not written.
char action_in_definition(const std::string& definition, std::string_view on) {
  std::size_t at = definition.find(on);
  if (at == std::string::npos) return 'a';
  std::string_view rest = std::string_view(definition).substr(at + on.size());
  if (rest.starts_with("CASCADE")) return 'c';
  if (rest.starts_with("SET NULL")) return 'n';
  if (rest.starts_with("SET DEFAULT")) return 'd';
  if (rest.starts_with("RESTRICT")) return 'r';
  return 'a';
}

std::vector<SchemaLookup::IncomingForeignKey> incoming_foreign_keys(const Input& in, const ObjectName& table) {
  std::vector<SchemaLookup::IncomingForeignKey> out;
  if (in.context.schema) out = in.context.schema->incoming_foreign_keys(table);
  if (in.context.snapshot) {
    const SnapshotTable* target = snapshot_table(in, table);
    for (const SnapshotTable& t : in.context.snapshot->tables) {
      if (!target || t.name == target->name) continue;
      for (const SnapshotConstraint& c : t.constraints) {
        if (c.type != 'f') continue;
        ObjectName ref = references_in_definition(c.definition);
        if (ref.name != target->name.name || !(ref.schema.empty() || ref.schema == target->name.schema)) continue;
        out.push_back({t.name.schema == "public" ? ObjectName{"", t.name.name} : t.name,
                       foreign_key_columns(c.definition).second, action_in_definition(c.definition, " ON DELETE "),
                       action_in_definition(c.definition, " ON UPDATE ")});
      }
    }
  }
  return out;
}
}  // namespace

ReferentialActions referential_actions(const Input& in, const ObjectName& table,
                                       const std::vector<std::string>* updated) {
  ReferentialActions out;
  std::vector<ObjectName> deleted{table}, seen{table};
  while (!deleted.empty()) {
    ObjectName next = std::move(deleted.back());
    deleted.pop_back();
    for (const SchemaLookup::IncomingForeignKey& fk : incoming_foreign_keys(in, next)) {
      if (fk.table.name == next.name && fk.table.schema == next.schema) continue;  // a self-reference
      char action = fk.on_delete;
      if (updated) {
        // An UPDATE fires them only when it changes a referenced column; which columns the
        // primary key has is not known here, so a key named by default is not claimed.
        if (fk.referenced_columns.empty() ||
            std::none_of(fk.referenced_columns.begin(), fk.referenced_columns.end(), [&](const std::string& c) {
              return std::find(updated->begin(), updated->end(), c) != updated->end();
            }))
          continue;
        action = fk.on_update;
      }
      if (action == 'a' || action == 'r') {
        add_unique(out.checked, fk.table);
      } else {
        add_unique(out.written, fk.table);
        std::size_t before = seen.size();
        add_unique(seen, fk.table);
        // Rows deleted there fire the triggers of the tables referencing it (UPDATE … SET NULL
        // changes only the referencing columns, not a key others point at, and is not followed).
        if (!updated && action == 'c' && seen.size() > before) deleted.push_back(fk.table);
      }
    }
  }
  // A table both checked and written holds the stronger lock: ROW EXCLUSIVE.
  std::erase_if(out.checked, [&](const ObjectName& o) {
    return std::find(out.written.begin(), out.written.end(), o) != out.written.end();
  });
  std::erase_if(out.checked, [&](const ObjectName& o) { return o.name == table.name; });
  std::erase_if(out.written, [&](const ObjectName& o) { return o.name == table.name; });
  return out;
}

std::vector<ObjectName> indexes_on(const Input& in, const ObjectName& table) {
  std::vector<ObjectName> out;
  if (in.context.schema)
    for (const ObjectName& o : in.context.schema->indexes_of(table)) add_unique(out, o);
  if (const SnapshotTable* t = snapshot_table(in, table)) {
    for (const SnapshotIndex& i : t->indexes)
      add_unique(out, table.schema.empty() ? ObjectName{"", i.name} : ObjectName{t->name.schema, i.name});
  }
  return out;
}

SchemaLookup::ForeignKeyEnds foreign_key_ends(const Input& in, const ObjectName& table, std::string_view column) {
  SchemaLookup::ForeignKeyEnds out;
  SchemaLookup::ForeignKeyEnds known;
  if (in.context.schema) known = in.context.schema->foreign_key_ends(table, column);
  auto has = [&](const std::vector<std::string>& list) { return std::find(list.begin(), list.end(), column) != list.end(); };
  if (const SnapshotTable* t = snapshot_table(in, table)) {
    for (const SnapshotConstraint& c : t->constraints)
      if (c.type == 'f' && has(foreign_key_columns(c.definition).first))
        known.referenced.push_back(references_in_definition(c.definition));
  }
  if (in.context.snapshot) {
    const SnapshotTable* target = snapshot_table(in, table);
    for (const SnapshotTable& other : in.context.snapshot->tables) {
      if (!target || other.name == target->name) continue;
      for (const SnapshotConstraint& c : other.constraints) {
        if (c.type != 'f') continue;
        ObjectName ref = references_in_definition(c.definition);
        if (ref.name == target->name.name && (ref.schema.empty() || ref.schema == target->name.schema) &&
            has(foreign_key_columns(c.definition).second)) {
          known.referencing.push_back(other.name.schema == "public" ? ObjectName{"", other.name.name} : other.name);
          break;
        }
      }
    }
  }
  auto self = [&](const ObjectName& o) { return o.name == table.name; };  // a self-reference
  for (const ObjectName& o : known.referenced) add_unique(out.referenced, o);
  for (const ObjectName& o : known.referencing) add_unique(out.referencing, o);
  std::erase_if(out.referenced, self);
  std::erase_if(out.referencing, self);
  return out;
}

std::vector<ObjectName> tables_referencing_transitively(const Input& in, const ObjectName& table) {
  std::vector<ObjectName> out, pending{table};
  while (!pending.empty()) {
    ObjectName next = std::move(pending.back());
    pending.pop_back();
    for (const ObjectName& o : tables_referencing(in, next)) {
      if (o.name == table.name && o.schema == table.schema) continue;
      std::size_t before = out.size();
      add_unique(out, o);
      if (out.size() > before) pending.push_back(o);
    }
  }
  return out;
}

std::string default_foreign_key_name(const ObjectName& table, const std::vector<std::string>& columns) {
  if (columns.empty()) return {};
  std::string name = table.name;
  for (const std::string& c : columns) name += "_" + c;
  name += "_fkey";
  return name.size() <= 63 ? name : std::string{};
}

bool absent(const Input& in, const ObjectName& name, bool snapshot_covers) {
  std::optional<bool> known = in.context.schema ? in.context.schema->exists(name) : std::nullopt;
  if (known && *known) return false;
  const SchemaSnapshot* snapshot = in.context.snapshot;
  if (snapshot && (snapshot->find(name) || !table_of_index(in, name).empty())) return false;
  return (known && !*known) || (snapshot && snapshot_covers);
}

Effect absent_effect(const Input& in, const ObjectName& name, ObjectKind kind) {
  Effect effect = make_effect(in, "drop-absent", Targets{}, in.statement);
  effect.detail = std::string(object_kind_name(kind)) + " " + name.sql();
  effect.table = name;  // named, not locked: the trace checks that it is indeed absent
  return effect;
}

}  // namespace lockward::analysis::classify_detail
