// Reads table sizes (--stats-file) and schema snapshots (--snapshot) from JSON, and writes
// snapshots. Errors name the file and the JSON path of the bad field. Formats: docs/snapshot.md.
#pragma once

#include <filesystem>
#include <string>

#include "analysis/schema.h"

namespace lockward::server {

// Returns "" on success, else the error.
std::string load_stats_file(const std::filesystem::path& file, analysis::TableStats& out);
std::string load_snapshot_file(const std::filesystem::path& file, analysis::SchemaSnapshot& out);
std::string snapshot_to_json(const analysis::SchemaSnapshot& snapshot, int pg_version);

}  // namespace lockward::server
