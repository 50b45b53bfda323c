// Files and directories other local users must not be able to plant, redirect or hold: the
// warm-cluster registry and the cluster directories live in shared places (/dev/shm, /tmp)
// and lockward often runs as root, so every path there is checked before it is trusted
// (owned by us, a real directory, writable by nobody else), files are opened without
// following symlinks, and trees are removed without following them either.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace lockward::trace {

// Creates `dir` (mode 0700) when missing. An existing one must be a directory, not a
// symlink, owned by us and writable by no one else; it is then set to 0700. Anything else is
// refused (nothing is used or cleaned) with `error` saying what is wrong and what to do.
bool ensure_private_directory(const std::filesystem::path& dir, std::string& error);

// Why `dir` cannot be trusted ("" when it is a real directory owned by us that no one else
// can write).
std::string private_directory_problem(const std::filesystem::path& dir);

// Replaces `file` whole (a fresh temporary beside it, then rename): readers never see half a
// file, and a symlink planted at the temporary's name is never followed.
bool write_file_atomically(const std::filesystem::path& file, const std::string& text);

// The content of `file` when it is a regular file owned by `owner` (not a symlink); nullopt
// otherwise.
std::optional<std::string> read_owned_file(const std::filesystem::path& file, uid_t owner);

// Removes `path` and everything under it without following a symlink, even one another user
// swaps in while it runs (openat/unlinkat from directory descriptors). False when something
// could not be removed.
bool remove_tree(const std::filesystem::path& path);

// An exclusive flock(2) on `file` (created 0600, never through a symlink), held until the
// object is destroyed. Waits at most `timeout_seconds`; then `error()` names the process that
// holds it.
class FileLock {
 public:
  FileLock(const std::filesystem::path& file, int timeout_seconds);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

}  // namespace lockward::trace
