#include "trace/migration_folder.h"

#include <algorithm>

namespace lockward::trace {
namespace fs = std::filesystem;

std::vector<fs::path> preceding_migrations(const fs::path& file) {
  std::vector<fs::path> out;
  if (file.empty()) return out;
  std::error_code ec;
  fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".sql" && it->path().filename().string() < file.filename().string())
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace lockward::trace
