#include "server/cli/history.h"

#include <algorithm>

#include "analysis/migration_history.h"
#include "server/cli/input_files.h"

namespace lockward::server {
namespace fs = std::filesystem;

void Histories::add(const std::string& path, const analysis::Options& options) {
  std::error_code ec;
  fs::path file = fs::absolute(path, ec);
  fs::path dir = file.parent_path();
  auto [it, inserted] = folders_.try_emplace(dir);
  Folder& folder = it->second;
  if (inserted) {
    for (fs::directory_iterator d(dir, ec), end; !ec && d != end; d.increment(ec)) {
      if (d->path().extension() == ".sql") folder.files.push_back(d->path());
    }
    std::sort(folder.files.begin(), folder.files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
    folder.options = &options;
  }
  const std::string name = file.filename().string();
  const auto place = static_cast<std::size_t>(
      std::lower_bound(folder.files.begin(), folder.files.end(), name,
                       [](const fs::path& f, const std::string& n) { return f.filename().string() < n; }) -
      folder.files.begin());
  folder.needed = std::max(folder.needed, place);
  files_[path] = {&folder, static_cast<analysis::SchemaModel::Place>(place)};
}

void Histories::build(PoolParallelFor& pool) {
  struct Job {
    Folder* folder;
    std::size_t index;
    analysis::MigrationFacts facts;
  };
  std::vector<Job> jobs;
  for (auto& [dir, folder] : folders_)
    for (std::size_t i = 0; i < folder.needed; ++i) jobs.push_back({&folder, i, {}});
  pool(jobs.size(), [&](std::size_t k) {
    Job& job = jobs[k];
    std::string text, error;
    if (!read_file(job.folder->files[job.index].string(), text, error)) {
      job.facts.unknown = true;  // what it would have changed is not known
      return;
    }
    job.facts = analysis::migration_facts(text, *job.folder->options);
  });
  for (Job& job : jobs) {  // in each folder's order
    analysis::apply_migration(*job.folder->model, job.facts, static_cast<analysis::SchemaModel::Place>(job.index),
                              job.folder->files[job.index].filename().string());
  }
}

analysis::SchemaView Histories::view(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end()) return {};
  return {it->second.first->model.get(), it->second.second};
}

}  // namespace lockward::server
