#include "server/cli/changed_files.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "trace/process.h"

namespace lockward::server {
namespace fs = std::filesystem;

namespace {

constexpr int kGitTimeoutSeconds = 60;

// NUL-separated names (git's -z), relative to `top`.
void add_names(const std::string& output, const fs::path& top, std::set<fs::path>& out) {
  std::size_t at = 0;
  while (at < output.size()) {
    std::size_t end = output.find('\0', at);
    if (end == std::string::npos) end = output.size();
    std::error_code ec;
    if (end > at) out.insert(fs::weakly_canonical(top / output.substr(at, end - at), ec));
    at = end + 1;
  }
}

// git from PATH (run_process takes a path, not a name to search for).
std::optional<std::string> find_git() {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / "git";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::set<fs::path>> files_changed_since(const std::string& ref, std::string& error) {
  if (ref.empty() || ref.starts_with("-")) {
    error = "--changed-since: expected a git ref (a branch, tag or commit), got \"" + ref + "\"";
    return std::nullopt;
  }
  const std::optional<std::string> git = find_git();
  if (!git) {
    error = "--changed-since needs git, and there is none on PATH";
    return std::nullopt;
  }
  trace::ProcessResult top = trace::run_process({*git, "rev-parse", "--show-toplevel"}, std::nullopt, kGitTimeoutSeconds);
  if (top.exit_code != 0) {
    error = "--changed-since needs a git work tree: " + top.output;
    while (!error.empty() && error.back() == '\n') error.pop_back();
    return std::nullopt;
  }
  std::string top_dir = top.output;
  while (!top_dir.empty() && (top_dir.back() == '\n' || top_dir.back() == '\r')) top_dir.pop_back();
  // `--end-of-options` keeps a ref from being read as an option; the ref's tree against the
  // working tree covers committed, staged and unstaged changes. Deleted files have nothing to check.
  trace::ProcessResult diff = trace::run_process(
      {*git, "-C", top_dir, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", "--end-of-options", ref, "--"},
      std::nullopt, kGitTimeoutSeconds);
  if (diff.exit_code != 0) {
    error = "--changed-since " + ref + ": git diff failed: " + diff.output;
    while (!error.empty() && error.back() == '\n') error.pop_back();
    return std::nullopt;
  }
  trace::ProcessResult untracked = trace::run_process(
      {*git, "-C", top_dir, "ls-files", "-z", "--others", "--exclude-standard"}, std::nullopt, kGitTimeoutSeconds);
  std::set<fs::path> out;
  add_names(diff.output, top_dir, out);
  if (untracked.exit_code == 0) add_names(untracked.output, top_dir, out);
  return out;
}

}  // namespace lockward::server
