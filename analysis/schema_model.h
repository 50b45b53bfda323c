// The schema that earlier migrations built, as pure data: relations (tables with their columns'
// types and foreign keys, indexes with their table, views, materialized views, sequences) and
// one step, apply(), that folds one classified statement into it. Versioned by place: a folder's
// migrations are applied once, in order, each file at its own place, and the view of any file
// ("what exists before file N") is asked for without copies, so files are analysed side by side.
//
// Names: an unqualified name means `public` (the default search_path). The model never guesses:
// a lookup it cannot answer returns nullopt, and once a statement it cannot follow was applied
// (a DO block, a function body, a syntax error) it no longer claims that anything is absent.
// Lock facts are not here: the catalogue says which lock a form takes, the model only which
// objects a row's roles resolve to. Immutable while analyses read it; thread-safe to read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis/model.h"
#include "analysis/object_name.h"
#include "analysis/text_range.h"

namespace lockward::analysis {

struct StatementFacts;
struct SchemaSnapshot;

// A column's type as the parser spells it: the last name part, lower case ("varchar", "int4",
// "numeric", "text"), its modifiers ((20) → {20}; (10,2) → {10, 2}) and whether it is an array.
struct ColumnType {
  std::string name;
  std::vector<long> typmods;
  bool array = false;
  friend bool operator==(const ColumnType&, const ColumnType&) = default;
};
std::string column_type_sql(const ColumnType& type);  // "varchar(20)", "int4[]"

struct SchemaColumn {
  std::string name;
  ColumnType type;
};

struct SchemaForeignKey {
  std::string name;       // PostgreSQL's default name when declared without one; empty if too long
  ObjectName referenced;  // schema always filled
  std::vector<std::string> columns;             // on the referencing table
  std::vector<std::string> referenced_columns;  // empty: the referenced table's primary key
  char on_delete = 'a';  // as AddedConstraint: 'a' NO ACTION, 'r', 'c', 'n', 'd'
  char on_update = 'a';
};

// A relation as the model knows it. `table` is the index's table (indexes only).
struct SchemaRelation {
  ObjectKind kind = ObjectKind::Table;
  ObjectName name;  // schema always filled
  std::vector<SchemaColumn> columns;
  std::vector<SchemaForeignKey> foreign_keys;  // outgoing
  ObjectName table;
  ObjectName default_partition;  // a partitioned table's DEFAULT partition (empty: none known)
  struct Child {
    ObjectName name;
    bool partition = false;  // false: an inheriting child
  };
  std::vector<Child> children;      // direct partitions and inheriting children
  std::vector<ObjectName> sources;  // a view's or materialized view's query relations
  std::vector<std::pair<std::string, ObjectName>> triggers;  // name, the function it calls
  std::string source;  // where it was created: "0001_init.sql"
  // Known from a snapshot (seed()); empty otherwise.
  bool partitioned = false;
  ObjectName partition_of;          // a partition's parent
  std::vector<ObjectName> inherits;  // inheritance parents
  std::vector<ObjectName> reads;     // a view's or materialized view's source relations

  const SchemaColumn* column(std::string_view column_name) const;
};

// An object whose origin the model records: a relation (table, index, view, materialized view,
// sequence: one namespace, as in pg_class), a type (enum, domain, composite, range), or a
// column or constraint of a relation.
enum class OriginKind : std::uint8_t { Relation, Column, Constraint, Type };
struct ObjectRef {
  OriginKind kind = OriginKind::Relation;
  ObjectName name;     // the relation or type; for a column or constraint, its table
  std::string member;  // the column or constraint
  friend bool operator==(const ObjectRef&, const ObjectRef&) = default;
};

// One statement that touched an object: its file (by place) and its byte range in that file.
// Kept per object as a few integers; the files' names are stored once (SchemaModel::source).
enum class TouchKind : std::uint8_t { Created, Changed, Renamed, Dropped };
struct Touch {
  std::uint32_t place = 0;
  std::uint32_t begin = 0, end = 0;  // the statement, in its file
  TouchKind kind = TouchKind::Changed;
};

class SchemaModel {
 public:
  using Place = std::uint32_t;

  SchemaModel() = default;
  // Not copied: the index of what points where holds addresses into the relations' map.
  SchemaModel(const SchemaModel&) = delete;
  SchemaModel& operator=(const SchemaModel&) = delete;
  SchemaModel(SchemaModel&&) = default;
  SchemaModel& operator=(SchemaModel&&) = default;

  // Folds a statement's facts in at `place` (places never decrease). `source` names where the
  // statement is ("0001_init.sql"). A statement lockward could not follow (unanalysable, a
  // syntax error) is given as `understood = false`: the model then stops claiming absence.
  // `range`: the statement's bytes in its file, recorded as the touch of every object it names.
  void apply(const StatementFacts& facts, Place place, std::string_view source, TextRange range = {});
  void apply_unknown(Place place);
  // A snapshot of production, before every place (schema_model_snapshot.cpp): its relations
  // exist for every file; history applied afterwards adds what was created after it, and a
  // CREATE of a relation the snapshot has (and nothing dropped since) keeps the snapshot's
  // (production wins for what existed when it was taken). Call once, before apply().
  void seed(const SchemaSnapshot& snapshot);
  bool seeded() const { return seeded_; }
  const std::string& snapshot_taken_at() const { return taken_at_; }
  // One more source file before `place` (counted for reports: "schema: 41 earlier migrations").
  void count_file(Place place) { files_.push_back(place); }

  // Lookups as of just before `place`.
  const SchemaRelation* relation(const ObjectName& name, Place before) const;
  // The indexes on `table`, by name.
  std::vector<ObjectName> indexes_of(const ObjectName& table, Place before) const;
  // The tables whose foreign keys point at `table` (never `table` itself).
  std::vector<ObjectName> referencing(const ObjectName& table, Place before) const;
  // The tables whose foreign keys name `column` of `table` among their referenced columns.
  std::vector<ObjectName> referencing_column(const ObjectName& table, std::string_view column, Place before) const;
  // The tables (as known: CREATE TABLE, ADD COLUMN, ALTER … TYPE) with a column whose type is
  // named `type` (the last name part, not an array); empty when the model saw no such type created.
  std::vector<ObjectName> tables_using_type(const ObjectName& type, Place before) const;
  // The triggers calling `function`, as (table, trigger) pairs, by table name.
  std::vector<std::pair<ObjectName, std::string>> triggers_calling(const ObjectName& function, Place before) const;
  // True when everything before `place` was understood and at least one file was applied or a
  // snapshot seeded: an object the model does not know then does not exist (as far as the
  // migrations and the snapshot go).
  bool complete(Place before) const;
  std::size_t files_before(Place before) const;

  // Origins. Every statement applied that created, changed, renamed or dropped the object, in
  // order (a rename carries the object's earlier touches to its new name); empty: none known.
  const std::vector<Touch>& touches(const ObjectRef& ref) const;
  // The statement that created the object as it exists just before `before`: nullopt when the
  // model saw no creation, or the object was dropped (or renamed away) since.
  std::optional<Touch> origin(const ObjectRef& ref, Place before) const;
  // The file applied at `place` ("0001_init.sql"); empty when none.
  std::string_view source(Place place) const;
  // The object in words, as of just before `before`: "index users_email_idx on users",
  // "column users.email", "constraint orders_user_fk on orders", "type mood".
  std::string describe(const ObjectRef& ref, Place before) const;

  // The model's key of a name: "schema.name", public when unqualified.
  static std::string key(const ObjectName& name);
  static ObjectName qualified(const ObjectName& name);

 private:
  using Version = std::pair<Place, std::shared_ptr<const SchemaRelation>>;  // null: dropped
  using Versions = std::vector<Version>;
  const std::shared_ptr<const SchemaRelation>* latest(const std::string& key, Place before) const;
  static const std::shared_ptr<const SchemaRelation>* latest(const Versions& versions, Place before);
  void set(const std::string& key, Place place, std::shared_ptr<const SchemaRelation> value);
  // Versions are stored at place + 1; a snapshot's at 0, before every place.
  void put(const std::string& key, Place stored, std::shared_ptr<const SchemaRelation> value);
  // The relations (their version lists) that point at a table's key in any version: those with
  // a foreign key to it, and its indexes. A superset at any place; each is checked as of the
  // place asked for. Saves scanning every relation per lookup (a folder of a thousand files
  // asked that once per statement).
  std::vector<const Versions*> pointing_at(const ObjectName& target) const;
  std::unordered_map<std::string, Versions> relations_;
  std::unordered_map<std::string, std::vector<const Versions*>> pointers_;
  void record_touches(const StatementFacts& facts, Place place, TextRange range);
  void touch(const ObjectRef& ref, Place place, TextRange range, TouchKind kind);
  void move_touches(const ObjectRef& from, const ObjectRef& to);
  static std::string origin_key(const ObjectRef& ref);
  std::unordered_map<std::string, std::vector<Touch>> touches_;  // by origin_key
  std::vector<std::pair<Place, std::string>> sources_;           // by place, ascending
  std::vector<Place> unknown_;  // places of statements the model could not follow
  std::vector<Place> files_;
  bool seeded_ = false;
  std::string taken_at_;
};

// The schema as one statement sees it: the model before its file (may be null) and the snapshot
// facts the classifier already reads. What the earlier statements of the same file changed is
// layered on top by analyze() (it lives in the file's History, so an edit re-analyses it).
struct SchemaView {
  const SchemaModel* model = nullptr;
  SchemaModel::Place place = 0;
};

}  // namespace lockward::analysis
