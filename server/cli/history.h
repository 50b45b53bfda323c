// The history of the files `lockward check` is given: the migrations that run before each of
// them in its migration set (its tool's order, up parts only: server/migrations), folded into
// one analysis::SchemaModel per set. Each set is read and applied once, whatever number of its
// files are checked; the migrations' facts are computed on the pool, then applied in order.
// History files are read, never reported; the up part of a file that is checked as well is
// parsed once, for both.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "analysis/options.h"
#include "analysis/schema_model.h"
#include "analysis/statement_cache.h"
#include "server/migrations/migration_set.h"
#include "server/pool_parallel_for.h"

namespace lockward::server {

// Files this large are parsed and analysed one at a time with their statements on every
// thread; smaller ones side by side, one file per thread (splitting a few statements gains
// nothing).
constexpr std::size_t kLargeFileBytes = 256 * 1024;

class Histories {
 public:
  // `sets` reads the migration sets (its overlay: standard input in place of its file).
  explicit Histories(MigrationSets sets = MigrationSets()) : sets_(std::move(sets)) {}
  // Registers a file to check; its folder's options (the PostgreSQL version parses the history,
  // migration_tool names the tool when set).
  void add(const std::string& path, const analysis::Options& options);
  // Reads and applies every set's history up to its last registered file.
  void build(PoolParallelFor& pool);
  // The schema as of `path` (registered before build()).
  analysis::SchemaView view(const std::string& path) const;
  // For a file without history (--no-history, unnamed standard input, not a migration): a model
  // holding only `snapshot` (format 2; null otherwise). The first form makes it (not
  // thread-safe), the second finds one made before.
  const analysis::SchemaModel* snapshot_model(const analysis::SchemaSnapshot* snapshot);
  const analysis::SchemaModel* snapshot_model(const analysis::SchemaSnapshot* snapshot) const;
  // The set `path` belongs to and its place there (registered before build()); null set when
  // the path was not registered.
  std::shared_ptr<const MigrationSet> set(const std::string& path) const;
  MigrationSet::Place place(const std::string& path) const;
  // The up part of a checked file is history too (of its own down part, of later files), and
  // build() parsed it once for both: its statements, for the analysis of its up part with
  // options_in_set(options given to add(), set, place) and view(path) as the schema. Handed out
  // once (null after, and for every other file); thread-safe.
  std::unique_ptr<analysis::StatementCache> take_parsed(const std::string& path);

 private:
  struct Checked {
    std::string path;
    const analysis::Options* options;
  };
  struct Folder {
    std::shared_ptr<const MigrationSet> set;
    std::size_t needed = 0;  // migrations [0, needed) are history of some checked file
    const analysis::Options* options = nullptr;
    std::map<std::size_t, Checked> checked;  // by migration: checked files that are its up part
    std::unique_ptr<analysis::SchemaModel> model = std::make_unique<analysis::SchemaModel>();
  };
  struct File {
    Folder* folder = nullptr;
    MigrationSet::Place place;
  };
  MigrationSets sets_;
  std::map<const MigrationSet*, Folder> folders_;
  std::map<std::string, File> files_;
  std::mutex parsed_mutex_;
  std::map<std::string, std::unique_ptr<analysis::StatementCache>> parsed_;
  std::map<const analysis::SchemaSnapshot*, std::unique_ptr<analysis::SchemaModel>> snapshot_models_;
};

}  // namespace lockward::server
