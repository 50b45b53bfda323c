#include "trace/pg_binaries.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "trace/process.h"

namespace lockward::trace {
namespace fs = std::filesystem;

fs::path lockward_cache_dir() {
  if (const char* dir = std::getenv("LOCKWARD_CACHE_DIR"); dir && *dir) return fs::path(dir);
  // As root, PostgreSQL runs as an unprivileged user who must reach the binaries: /root is
  // private, so root's cache lives in /var/cache.
  if (geteuid() == 0) return fs::path("/var/cache/lockward");
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "lockward";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "lockward";
  return fs::temp_directory_path() / "lockward-cache";
}

std::optional<PgBinaries> probe_pg_bin(const fs::path& bin_dir) {
  std::error_code ec;
  if (!fs::exists(bin_dir / "postgres", ec) || !fs::exists(bin_dir / "initdb", ec)) return std::nullopt;
  ProcessResult r = run_process({(bin_dir / "postgres").string(), "--version"}, {}, 10);
  if (r.exit_code != 0) return std::nullopt;
  // "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
  auto pos = r.output.find(") ");
  if (pos == std::string::npos) return std::nullopt;
  std::string version = r.output.substr(pos + 2);
  version = version.substr(0, version.find_first_of(" \n"));
  PgBinaries b;
  b.bin_dir = bin_dir;
  b.version = version;
  b.major = std::atoi(version.c_str());
  if (b.major < 10) return std::nullopt;
  return b;
}

std::vector<PgBinaries> list_pg_installations() {
  std::vector<fs::path> candidates;
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    for (std::size_t start = 0; start <= p.size();) {
      std::size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      if (end > start) candidates.emplace_back(p.substr(start, end - start));
      start = end + 1;
    }
  }
  std::error_code ec;
  for (const fs::path& root : {fs::path("/usr/lib/postgresql"), lockward_cache_dir() / "pg"}) {
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      candidates.push_back(it->path() / "bin");
    }
  }
  std::vector<PgBinaries> out;
  std::set<std::string> seen;
  for (const auto& dir : candidates) {
    fs::path canonical = fs::weakly_canonical(dir / "postgres", ec);  // symlinked bin dirs are one installation
    if (!seen.insert(canonical.string()).second) continue;
    if (auto b = probe_pg_bin(dir)) out.push_back(*b);
  }
  std::stable_sort(out.begin(), out.end(), [](const PgBinaries& a, const PgBinaries& b) { return a.major > b.major; });
  return out;
}

PgLookup find_pg_binaries(const PgSearch& search) {
  PgLookup out;
  if (search.pg_bin) {
    auto b = probe_pg_bin(*search.pg_bin);
    if (!b) {
      out.error = "no runnable initdb and postgres in " + search.pg_bin->string();
    } else if (search.major && b->major != *search.major) {
      out.error = search.pg_bin->string() + " holds PostgreSQL " + b->version + ", not " + std::to_string(*search.major);
    } else {
      out.binaries = b;
    }
    return out;
  }
  std::vector<PgBinaries> all = list_pg_installations();
  for (const auto& b : all) {
    if (!search.major || b.major == *search.major) {
      out.binaries = b;
      return out;
    }
  }
  std::string found;
  for (const auto& b : all) found += (found.empty() ? "" : ", ") + b.version + " in " + b.bin_dir.string();
  out.error = search.major ? "no PostgreSQL " + std::to_string(*search.major) + " server found" : "no PostgreSQL server found";
  out.error += found.empty() ? " (looked in PATH, /usr/lib/postgresql/*/bin and " + (lockward_cache_dir() / "pg").string() + ")"
                             : " (found " + found + ")";
  if (search.major) out.error += "; run `lockward pg install " + std::to_string(*search.major) + "` or pass --pg-bin";
  return out;
}

}  // namespace lockward::trace
