#include "server/lsp/document_history.h"

#include <cstdint>

#include "analysis/migration_history.h"

namespace lockward::server::lsp {
namespace {

void fnv(std::uint64_t& h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= 0xff;  // separates one piece from the next
  h *= 1099511628211ULL;
}

}  // namespace

std::shared_ptr<const DocumentHistory> build_document_history(const std::filesystem::path& file,
                                                              const analysis::Options& options, const Overlay& overlay,
                                                              std::shared_ptr<const DocumentHistory> previous) {
  auto out = std::make_shared<DocumentHistory>();
  out->set = MigrationSet::load(MigrationSet::root_of(file), options.migration_tool, overlay, file);
  out->place = out->set->place(file);
  const auto before = out->set->history_before(file);
  std::uint64_t h = 1469598103934665603ULL;
  fnv(h, out->set->tool().tool);
  fnv(h, std::to_string(options.pg_version));
  fnv(h, std::to_string(reinterpret_cast<std::uintptr_t>(options.snapshot)));  // seeds the model
  for (const auto& [name, text] : before) {
    fnv(h, name);
    fnv(h, text);
  }
  out->hash = h;
  out->migrations = before.size();
  if (previous && previous->hash == h) {
    out->model = previous->model;
    return out;
  }
  auto model = std::make_shared<analysis::SchemaModel>();
  if (options.snapshot) model->seed(*options.snapshot);  // production, before the history
  for (std::size_t i = 0; i < before.size(); ++i)
    analysis::apply_migration(*model, before[i].second, static_cast<analysis::SchemaModel::Place>(i), before[i].first,
                              options);
  out->model = std::move(model);
  return out;
}

analysis::Options options_with_history(const analysis::Options& options, const DocumentHistory* history) {
  if (!history || !history->set) return options;
  analysis::Options out = options_in_set(options, *history->set, history->place);
  if (history->place.member) {
    out.schema = history->model.get();
    // The model holds the migrations before the file's up part; a down file's history holds
    // its own up part too, and analyze_migration moves one place on for a rollback.
    out.schema_place = static_cast<analysis::SchemaModel::Place>(history->migrations - (history->place.down_file ? 1 : 0));
  }
  return out;
}

}  // namespace lockward::server::lsp
