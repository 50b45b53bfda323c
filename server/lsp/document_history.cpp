#include "server/lsp/document_history.h"

#include <algorithm>
#include <cstdint>
#include <string>

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
    out->facts = previous->facts;
    return out;
  }
  auto facts = std::make_shared<std::vector<std::pair<std::string, analysis::MigrationFacts>>>();
  facts->reserve(before.size());
  auto model = std::make_shared<analysis::SchemaModel>();
  if (options.snapshot) model->seed(*options.snapshot);  // production, before the history
  for (std::size_t i = 0; i < before.size(); ++i) {
    facts->emplace_back(before[i].first, analysis::migration_facts(before[i].second, options));
    analysis::apply_migration(*model, facts->back().second, static_cast<analysis::SchemaModel::Place>(i),
                              before[i].first);
  }
  out->model = std::move(model);
  out->facts = std::move(facts);
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

analysis::Options RollbackSchema::options(const analysis::Options& options, const DocumentHistory* history,
                                          std::string_view up_text) {
  // Only a document of its set whose Down section is in the file itself: a down file's history
  // already holds its own migration's up part (MigrationSet::history_before).
  if (!history || !history->set || !history->place.member || history->place.down_file || !history->facts ||
      !options.schema) {
    model_.reset();
    return options;
  }
  analysis::MigrationFacts up = analysis::migration_facts(up_text, options);
  std::uint64_t key = 1469598103934665603ULL;
  fnv(key, std::to_string(history->hash));
  fnv(key, up.unknown ? "?" : "");
  for (const analysis::TextRange& r : up.ranges) {
    fnv(key, std::to_string(r.begin) + "-" + std::to_string(r.end));  // origins are byte ranges
    fnv(key, up_text.substr(std::min<std::size_t>(r.begin, up_text.size()), r.end - r.begin));
  }
  if (!model_ || key != key_) {
    auto model = std::make_unique<analysis::SchemaModel>();
    if (options.snapshot) model->seed(*options.snapshot);  // as the history's model is
    const auto& before = *history->facts;
    for (std::size_t i = 0; i < before.size(); ++i)
      analysis::apply_migration(*model, before[i].second, static_cast<analysis::SchemaModel::Place>(i),
                                before[i].first);
    const analysis::SchemaModel::Place own = options.schema_place;
    analysis::apply_migration(*model, up, own, history->set->migrations()[history->place.index].up);
    model_ = std::move(model);
    key_ = key;
  }
  analysis::Options out = options;
  out.schema = model_.get();
  return out;
}

}  // namespace lockward::server::lsp
