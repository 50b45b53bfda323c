// Finds a PostgreSQL server installation (initdb + postgres) of a wanted major version:
// an explicit --pg-bin directory, then PATH, then Debian's /usr/lib/postgresql/*/bin, then
// lockward's own cache (<cache>/pg/<major>/bin, filled by `lockward pg install`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lockward::trace {

struct PgBinaries {
  std::filesystem::path bin_dir;
  int major = 0;
  std::string version;  // "15.20"
};

struct PgSearch {
  std::optional<std::filesystem::path> pg_bin;  // --pg-bin: use only this directory
  std::optional<int> major;                     // wanted major version; nullopt: the newest found
};

// The installation to use, or an error that says what was looked at and what to do next.
struct PgLookup {
  std::optional<PgBinaries> binaries;
  std::string error;
};

PgLookup find_pg_binaries(const PgSearch& search);

// Every installation found, newest first (for verify-rules and error messages).
std::vector<PgBinaries> list_pg_installations();

// The version a bin directory's `postgres --version` reports, if it runs.
std::optional<PgBinaries> probe_pg_bin(const std::filesystem::path& bin_dir);

// $LOCKWARD_CACHE_DIR; as root /var/cache/lockward; else $XDG_CACHE_HOME/lockward or
// ~/.cache/lockward.
std::filesystem::path lockward_cache_dir();

}  // namespace lockward::trace
