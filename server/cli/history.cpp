#include "server/cli/history.h"

#include <algorithm>
#include <mutex>

#include "analysis/migration_history.h"

namespace lockward::server {

void Histories::add(const std::string& path, const analysis::Options& options) {
  std::shared_ptr<const MigrationSet> set = sets_.of(path, options.migration_tool);
  Folder& folder = folders_[set.get()];
  if (!folder.set) {
    folder.set = set;
    folder.options = &options;
  }
  const MigrationSet::Place place = set->place(path);
  // A file's own up part is history of its down part (section or down file).
  if (place.member) folder.needed = std::max(folder.needed, std::min(place.index + 1, set->migrations().size()));
  // Its up part is the history build() reads at its place: parsed there for its analysis too.
  // Facts and analysis must classify alike: same PostgreSQL version.
  if (place.member && !place.down_file && options.pg_version == folder.options->pg_version)
    folder.checked.try_emplace(place.index, Checked{path, &options});
  files_[path] = {&folder, place};
}

void Histories::build(PoolParallelFor& pool) {
  struct Job {
    Folder* folder;
    std::size_t index;
    analysis::MigrationFacts facts;
    std::unique_ptr<analysis::StatementCache> parsed;
  };
  std::vector<Job> jobs;
  // A snapshot describes production: the model starts from it, the history adds to it.
  for (auto& [key, folder] : folders_)
    if (folder.options->snapshot) folder.model->seed(*folder.options->snapshot);
  for (auto& [key, folder] : folders_)
    for (std::size_t i = 0; i < folder.needed; ++i) jobs.push_back({&folder, i, {}, nullptr});
  // Checked as well: parsed once, for its place in the history and for its own analysis (the
  // options check_command analyses its up part with; the model is not written until every
  // file is parsed, and what consults it is classified again in its place).
  auto prepare = [](Job& job, const std::string& text, const analysis::ParallelFor* parallel) {
    const MigrationSet::Place place{true, job.index, false};
    analysis::Options options = options_in_set(*job.folder->checked.at(job.index).options, *job.folder->set, place);
    options.schema = job.folder->model.get();
    options.schema_place = static_cast<analysis::SchemaModel::Place>(job.index);
    job.parsed = std::make_unique<analysis::StatementCache>();
    job.facts = analysis::prepare_analysis(text, options, *job.parsed, parallel);
  };
  std::mutex large_mutex;
  std::vector<std::pair<Job*, std::string>> large;  // checked files parsed on every thread, after
  pool(jobs.size(), [&](std::size_t k) {
    Job& job = jobs[k];
    std::optional<std::string> text = job.folder->set->up_text(job.index);
    if (!text) {
      // No up part (an undo without its migration) changes nothing; an unreadable one, unknown.
      job.facts.unknown = !job.folder->set->migrations()[job.index].up.empty();
      return;
    }
    if (!job.folder->checked.contains(job.index)) {
      job.facts = analysis::migration_facts(*text, *job.folder->options);
      return;
    }
    if (text->size() < kLargeFileBytes) return prepare(job, *text, nullptr);
    std::lock_guard lock(large_mutex);
    large.emplace_back(&job, std::move(*text));
  });
  const analysis::ParallelFor parallel = pool.parallel_for();
  for (auto& [job, text] : large) prepare(*job, text, &parallel);
  for (Job& job : jobs) {  // in each set's order
    analysis::apply_migration(*job.folder->model, job.facts, static_cast<analysis::SchemaModel::Place>(job.index),
                              job.folder->set->migrations()[job.index].up);
    if (job.parsed) parsed_[job.folder->checked.at(job.index).path] = std::move(job.parsed);
  }
}

std::unique_ptr<analysis::StatementCache> Histories::take_parsed(const std::string& path) {
  std::lock_guard lock(parsed_mutex_);
  auto it = parsed_.find(path);
  if (it == parsed_.end()) return nullptr;
  return std::move(it->second);
}

const analysis::SchemaModel* Histories::snapshot_model(const analysis::SchemaSnapshot* snapshot) {
  if (!snapshot || snapshot->version < 2) return nullptr;
  std::unique_ptr<analysis::SchemaModel>& model = snapshot_models_[snapshot];
  if (!model) {
    model = std::make_unique<analysis::SchemaModel>();
    model->seed(*snapshot);
  }
  return model.get();
}

const analysis::SchemaModel* Histories::snapshot_model(const analysis::SchemaSnapshot* snapshot) const {
  auto it = snapshot_models_.find(snapshot);
  return it == snapshot_models_.end() ? nullptr : it->second.get();
}

analysis::SchemaView Histories::view(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end() || !it->second.place.member) return {};
  return {it->second.folder->model.get(), static_cast<analysis::SchemaModel::Place>(it->second.place.index)};
}

std::shared_ptr<const MigrationSet> Histories::set(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : it->second.folder->set;
}

MigrationSet::Place Histories::place(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? MigrationSet::Place{} : it->second.place;
}

}  // namespace lockward::server
