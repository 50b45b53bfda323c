// The history of an open document: the up parts its migration tool runs before it (server/
// migrations; other open buffers' text in place of their files), folded into a SchemaModel.
// Built off the event loop when marked stale (the document opened; another one changed, opened,
// closed or was saved; watched files or settings changed), and then reused as is when the up
// parts hash the same: an edit to the document itself never re-reads its history.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

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
};

// Lists and reads the document's set (I/O) and folds its history, reusing `previous`'s model
// when nothing in it changed. Needs kParseStackBytes of stack, as analyze() does.
std::shared_ptr<const DocumentHistory> build_document_history(const std::filesystem::path& file,
                                                              const analysis::Options& options, const Overlay& overlay,
                                                              std::shared_ptr<const DocumentHistory> previous);

// `options` with the history's schema (as of the document's place) and its tool's transaction
// default.
analysis::Options options_with_history(const analysis::Options& options, const DocumentHistory* history);

}  // namespace lockward::server::lsp
