// `lockward check --changed-since REF`: the files that differ from a git ref (committed,
// staged, in the working tree, or new and not ignored). Only this flag needs git.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>

namespace lockward::server {

// Absolute, normalised paths; nullopt and `error` set when git fails (not a repository, an
// unknown ref, no git).
std::optional<std::set<std::filesystem::path>> files_changed_since(const std::string& ref, std::string& error);

}  // namespace lockward::server
