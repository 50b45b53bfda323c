// The schema as one statement of a file sees it: the model the earlier migrations built (as of
// the file's place), then what the file's earlier statements changed. The file's own changes
// are History entries (keys starting with 's'), added and taken back with their statement, so
// an incremental re-analysis sees exactly what a whole-file run sees. Pure.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "analysis/classify/classify.h"
#include "analysis/schema_model.h"

namespace lockward::analysis {

class FileSchema final : public SchemaLookup {
 public:
  // The latest History value for a key as seen from the statement being analysed.
  using Latest = std::function<std::optional<std::string>(const std::string& key)>;
  using Remember = std::function<void(const std::string& key, std::string value)>;

  FileSchema(SchemaView base, Latest latest) : base_(base), latest_(std::move(latest)) {}

  std::optional<ObjectName> index_table(const ObjectName& index) const override;
  std::vector<ObjectName> indexes_of(const ObjectName& table) const override;
  std::optional<ColumnType> column_type(const ObjectName& table, std::string_view column) const override;
  std::vector<ObjectName> references(const ObjectName& table) const override;
  std::vector<ObjectName> referenced_by(const ObjectName& table) const override;
  std::optional<bool> exists(const ObjectName& name) const override;
  std::optional<ObjectName> foreign_key_target(const ObjectName& table, std::string_view constraint) const override;
  ForeignKeyEnds foreign_key_ends(const ObjectName& table, std::string_view column) const override;
  std::vector<IncomingForeignKey> incoming_foreign_keys(const ObjectName& table) const override;
  std::optional<ObjectName> default_partition(const ObjectName& parent) const override;
  std::vector<Child> children(const ObjectName& parent) const override;
  std::optional<std::vector<ObjectName>> view_sources(const ObjectName& view, bool materialized) const override;
  std::optional<std::vector<ObjectName>> tables_using_type(const ObjectName& type) const override;
  std::optional<std::vector<Trigger>> triggers_calling(const ObjectName& function) const override;

  // The History entry for a statement the schema cannot follow (unanalysable, or not parsed):
  // from there on, nothing is known to be absent.
  static constexpr const char* kUnknownKey = "sU";
  // The History entries for what `facts` changes (given the schema before the statement).
  void record(const StatementFacts& facts, const Remember& remember) const;

  // Set when a lookup was made: the classification depended on the schema.
  mutable bool consulted = false;

 private:
  struct ForeignKey {
    std::string name;
    std::string referenced;  // encoded name
    std::vector<std::string> columns, referenced_columns;
    char on_delete = 'a', on_update = 'a';
  };
  std::vector<ForeignKey> outgoing(const std::string& table) const;
  std::vector<std::string> incoming(const std::string& table) const;
  const SchemaRelation* base(const std::string& encoded) const;
  // A table's triggers (name, encoded function), and the tables that may have one calling a function.
  std::vector<std::pair<std::string, std::string>> triggers_of(const std::string& table) const;
  std::vector<std::string> trigger_tables(const std::string& function) const;

  SchemaView base_;
  Latest latest_;
};

}  // namespace lockward::analysis
