// The history of the files `lockward check` is given: the migrations before each of them in its
// folder (the *.sql files whose names sort before it, the order the trace replays them in),
// folded into one analysis::SchemaModel per folder. Each folder is read and applied once, whatever
// number of its files are checked; the files' facts are computed on the pool, then applied in
// order. History files are read, never reported.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/options.h"
#include "analysis/schema_model.h"
#include "server/pool_parallel_for.h"

namespace lockward::server {

class Histories {
 public:
  // Registers a file to check; its folder's options (the PostgreSQL version parses the history).
  void add(const std::string& path, const analysis::Options& options);
  // Reads and applies every folder's history up to its last registered file.
  void build(PoolParallelFor& pool);
  // The schema as of `path` (registered before build()).
  analysis::SchemaView view(const std::string& path) const;

 private:
  struct Folder {
    std::vector<std::filesystem::path> files;  // its *.sql files, in name order
    std::size_t needed = 0;                    // files [0, needed) are history of some checked file
    const analysis::Options* options = nullptr;
    std::unique_ptr<analysis::SchemaModel> model = std::make_unique<analysis::SchemaModel>();
  };
  std::map<std::filesystem::path, Folder> folders_;
  std::map<std::string, std::pair<const Folder*, analysis::SchemaModel::Place>> files_;
};

}  // namespace lockward::server
