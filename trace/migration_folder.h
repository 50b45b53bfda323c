// The migrations that come before a file: the .sql files in its folder whose names sort
// before it (migration tools apply them in name order). Trace replays them first.
#pragma once

#include <filesystem>
#include <vector>

namespace lockward::trace {

std::vector<std::filesystem::path> preceding_migrations(const std::filesystem::path& file);

}  // namespace lockward::trace
