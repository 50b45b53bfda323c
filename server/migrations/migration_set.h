// A file's migration set read from disk: the folder listed, the tool's files and the .sql files
// read (an editor's open buffers in place of their files on disk), then analysis/migration_set
// decides the tool, the order and the parts. Shared by `check` (history), `trace` (replay) and
// the language server.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/migration_set.h"

namespace lockward::server {

// The text of a file open in an editor, by absolute path; nullopt: read it from disk.
using Overlay = std::function<std::optional<std::string>(const std::filesystem::path&)>;

// A tool's configuration file (analysis::kToolConfigFiles) that names a folder as its
// migrations folder, found by walking up from that folder.
struct ConfiguredFolder {
  std::string tool;
  std::filesystem::path file;
};
std::optional<ConfiguredFolder> configured_folder(const std::filesystem::path& folder);

class MigrationSet {
 public:
  // The folder the set of `file` lives in: the file's folder, or the one above it for a folder
  // per migration (Prisma, Diesel) and for sqitch's deploy/ and revert/; a tool's configuration
  // file that names either as its migrations folder decides first.
  static std::filesystem::path root_of(const std::filesystem::path& file);
  // Lists and reads the set at `root`. `configured`: the migration_tool setting ("" when unset).
  // `open_file`, when given, belongs to the set even before it exists on disk (an editor's new,
  // unsaved document); its text comes from `overlay`.
  static std::shared_ptr<const MigrationSet> load(const std::filesystem::path& root, std::string_view configured,
                                                   const Overlay& overlay = nullptr,
                                                   const std::filesystem::path& open_file = {});

  const std::filesystem::path& root() const { return root_; }
  const analysis::ToolChoice& tool() const { return tool_; }
  const std::vector<analysis::Migration>& migrations() const { return migrations_; }

  struct Place {
    bool member = false;    // false: the tool does not run this file (then index is 0)
    std::size_t index = 0;  // its migration's place in the order
    bool down_file = false; // the file is a migration's down part (a .down.sql, revert/, U…)
  };
  Place place(const std::filesystem::path& file) const;

  // The up part of migration `i` (its other part blanked); nullopt when it has none or its
  // file could not be read.
  std::optional<std::string> up_text(std::size_t i) const;
  // A file of the set by its path relative to the root; null when not read.
  const std::string* text(std::string_view relative) const;
  // The up parts the tool runs before `file` (for a down file: its own migration's too), in
  // order: {path relative to the root, text}.
  std::vector<std::pair<std::string, std::string>> history_before(const std::filesystem::path& file) const;
  // Its tool's transaction default decides, unless a side file says otherwise.
  std::optional<bool> in_transaction(std::size_t i) const { return migrations_[i].in_transaction; }

  // "goose (`-- +goose Up` annotations (3 files))": the tool and why.
  std::string describe() const;
  // What a report on the file at `place` notes ("" when nothing): a mixed folder, a file its
  // tool does not run, what the tool does that the folder cannot show (drizzle's transaction).
  std::string place_note(Place place) const;

 private:
  std::filesystem::path root_;
  analysis::ToolChoice tool_;
  std::vector<analysis::FolderEntry> entries_;
  std::vector<analysis::Migration> migrations_;
};

// The options a file of `set` at `place` is analysed with: the set's tool (configured or
// detected) decides the transaction default, unless a side file (Diesel's metadata.toml,
// Flyway's .conf) or the command line says otherwise.
analysis::Options options_in_set(analysis::Options options, const MigrationSet& set, MigrationSet::Place place);

// The migration sets of many files, each loaded once (by root).
class MigrationSets {
 public:
  // `open_file`, when given, belongs to its set even when it is not on disk (`check -` with
  // `--stdin-filename`); `overlay` gives its text.
  explicit MigrationSets(Overlay overlay = nullptr, std::filesystem::path open_file = {})
      : overlay_(std::move(overlay)), open_file_(std::move(open_file)) {}
  std::shared_ptr<const MigrationSet> of(const std::filesystem::path& file, std::string_view configured);

 private:
  Overlay overlay_;
  std::filesystem::path open_file_;
  std::map<std::filesystem::path, std::filesystem::path> roots_;  // a file's folder → its set's root
  std::vector<std::pair<std::filesystem::path, std::shared_ptr<const MigrationSet>>> sets_;
};

}  // namespace lockward::server
