// The history of an open document: the up parts its migration tool runs before it (server/
// migrations; other open buffers' text in place of their files), folded into a SchemaModel.
// Built off the event loop when marked stale (the document opened; another one changed, opened,
// closed or was saved; watched files or settings changed), and then reused as is when the up
// parts hash the same: an edit to the document itself never re-reads its history.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/migration_history.h"
#include "analysis/model.h"
#include "analysis/options.h"
#include "analysis/schema_model.h"
#include "server/migrations/migration_set.h"

namespace lockward::server::lsp {

struct DocumentHistory {
  std::shared_ptr<const MigrationSet> set;
  MigrationSet::Place place;
  std::uint64_t hash = 0;                              // of the tool, the place and the up parts
  std::shared_ptr<const analysis::SchemaModel> model;  // the migrations before it, at places 0…
  std::size_t migrations = 0;                          // how many it holds
  // What each of them changes, by place (name, facts): a model holding the document's own up
  // part as well (RollbackSchema) is built from these without reading or parsing them again.
  std::shared_ptr<const std::vector<std::pair<std::string, analysis::MigrationFacts>>> facts;
};

// Lists and reads the document's set (I/O) and folds its history, reusing `previous`'s model
// when nothing in it changed. Needs kParseStackBytes of stack, as analyze() does.
std::shared_ptr<const DocumentHistory> build_document_history(const std::filesystem::path& file,
                                                              const analysis::Options& options, const Overlay& overlay,
                                                              std::shared_ptr<const DocumentHistory> previous);

// `options` with the history's schema (as of the document's place) and its tool's transaction
// default.
analysis::Options options_with_history(const analysis::Options& options, const DocumentHistory* history);

// The schema a goose/dbmate/sql-migrate document's Down section runs against: its history plus
// its own up part at its place (a rollback runs after the up part), as the CLI's history holds
// it (server/cli/history). One per document (AnalysisMemory); the model is built again from the
// history's facts only when the history or the up part's schema changes (its schema-changing
// statements, their text and place), so a keystroke in the Down section reuses it.
class RollbackSchema {
 public:
  // `options` as options_with_history gives them for the document (schema at its place);
  // `up_text` is the document's up part (analysis::part_text). Returns the options for
  // analysis::analyze_down_section: the same, with the model that holds the up part.
  analysis::Options options(const analysis::Options& options, const DocumentHistory* history, std::string_view up_text);

 private:
  std::uint64_t key_ = 0;
  std::unique_ptr<analysis::SchemaModel> model_;
};

}  // namespace lockward::server::lsp
