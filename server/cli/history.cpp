#include "server/cli/history.h"

#include <algorithm>

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
  files_[path] = {&folder, place};
}

void Histories::build(PoolParallelFor& pool) {
  struct Job {
    Folder* folder;
    std::size_t index;
    analysis::MigrationFacts facts;
  };
  std::vector<Job> jobs;
  for (auto& [key, folder] : folders_)
    for (std::size_t i = 0; i < folder.needed; ++i) jobs.push_back({&folder, i, {}});
  pool(jobs.size(), [&](std::size_t k) {
    Job& job = jobs[k];
    std::optional<std::string> text = job.folder->set->up_text(job.index);
    if (!text) {
      // No up part (an undo without its migration) changes nothing; an unreadable one, unknown.
      job.facts.unknown = !job.folder->set->migrations()[job.index].up.empty();
      return;
    }
    job.facts = analysis::migration_facts(*text, *job.folder->options);
  });
  for (Job& job : jobs) {  // in each set's order
    analysis::apply_migration(*job.folder->model, job.facts, static_cast<analysis::SchemaModel::Place>(job.index),
                              job.folder->set->migrations()[job.index].up);
  }
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
