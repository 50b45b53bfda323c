#include "trace/private_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace lockward::trace {
namespace fs = std::filesystem;

namespace {

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string problem_of(const struct stat& st) {
  if (S_ISLNK(st.st_mode)) return "it is a symlink";
  if (!S_ISDIR(st.st_mode)) return "it is not a directory";
  if (st.st_uid != geteuid())
    return "it is owned by uid " + std::to_string(st.st_uid) + ", not by us (uid " + std::to_string(geteuid()) + ")";
  if (st.st_mode & (S_IWGRP | S_IWOTH)) return "other users can write to it (mode " + octal_mode(st.st_mode) + ")";
  return {};
}

}  // namespace

std::string private_directory_problem(const fs::path& dir) {
  struct stat st{};
  if (lstat(dir.c_str(), &st) != 0) return std::strerror(errno);
  return problem_of(st);
}

bool ensure_private_directory(const fs::path& dir, std::string& error) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    error = "cannot create " + dir.string() + ": " + std::strerror(errno);
    return false;
  }
  // Checked on the opened directory itself: the name cannot be swapped between check and use.
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st{};
  std::string problem = fd < 0 ? (errno == ELOOP || errno == ENOTDIR ? private_directory_problem(dir)
                                                                      : std::string(std::strerror(errno)))
                               : (fstat(fd, &st) != 0 ? std::string(std::strerror(errno)) : problem_of(st));
  if (problem.empty() && fchmod(fd, 0700) != 0) problem = std::strerror(errno);
  if (fd >= 0) close(fd);
  if (!problem.empty()) {
    error = "refusing " + dir.string() + ": " + problem +
            ". Another user may have planted it; remove it, or point LOCKWARD_STATE_DIR at a directory of your own";
    return false;
  }
  return true;
}

bool write_file_atomically(const fs::path& file, const std::string& text) {
  fs::path tmp = file;
  tmp += "." + std::to_string(getpid()) + ".tmp";
  unlink(tmp.c_str());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::string line = text + "\n";
  bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  close(fd);
  if (ok && rename(tmp.c_str(), file.c_str()) == 0) return true;
  unlink(tmp.c_str());
  return false;
}

std::optional<std::string> read_owned_file(const fs::path& file, uid_t owner) {
  int fd = open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st{};
  std::optional<std::string> text;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == owner) {
    text.emplace();
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0 && text->size() < (1 << 20);)
      text->append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return text;
}

namespace {

// Removes the entry `name` of the directory `parent`; a directory is opened with O_NOFOLLOW
// and emptied through its descriptor, so a symlink is only ever unlinked, never followed.
bool remove_at(int parent, const char* name, int depth) {
  if (unlinkat(parent, name, 0) == 0 || errno == ENOENT) return true;
  if ((errno != EISDIR && errno != EPERM) || depth > 64) return false;
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* dir = fdopendir(fd);
  if (!dir) {
    close(fd);
    return false;
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  }
  bool ok = true;
  for (const auto& n : names) ok = remove_at(dirfd(dir), n.c_str(), depth + 1) && ok;
  closedir(dir);
  if (unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT) ok = false;
  return ok;
}

// "process 123 (lockward, uid 0)" for the holder of the flock on `fd`'s file, from /proc/locks.
std::string lock_holder(int fd) {
  struct stat st{};
  if (fstat(fd, &st) != 0) return "another process";
  std::ifstream locks("/proc/locks");
  for (std::string line; std::getline(locks, line);) {
    std::istringstream in(line);
    std::string id, kind, advisory, mode, pid, where;
    in >> id >> kind;
    if (kind == "->") continue;  // a waiter, not the holder
    in >> advisory >> mode >> pid >> where;
    unsigned maj = 0, min = 0;
    unsigned long long inode = 0;
    if (std::sscanf(where.c_str(), "%x:%x:%llu", &maj, &min, &inode) != 3) continue;
    if (inode != st.st_ino || maj != major(st.st_dev) || min != minor(st.st_dev)) continue;
    std::string comm, uid;
    std::ifstream status("/proc/" + pid + "/status");
    for (std::string s; std::getline(status, s);) {
      if (s.rfind("Name:", 0) == 0) comm = s.substr(s.find_first_not_of(" \t", 5));
      if (s.rfind("Uid:", 0) == 0) std::istringstream(s.substr(4)) >> uid;
    }
    return "process " + pid + (comm.empty() ? "" : " (" + comm + ", uid " + uid + ")");
  }
  return "another process";
}

}  // namespace

bool remove_tree(const fs::path& path) {
  fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  int fd = open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  bool ok = remove_at(fd, path.filename().c_str(), 0);
  close(fd);
  return ok;
}

FileLock::FileLock(const fs::path& file, int timeout_seconds) {
  fd_ = open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error_ = "cannot open " + file.string() + ": " + std::strerror(errno);
    return;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    if (flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      error_ = "cannot lock " + file.string() + ": " + std::strerror(errno);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      error_ = file.string() + " has been locked by " + lock_holder(fd_) + " for more than " +
               std::to_string(timeout_seconds) + " s; if that process is stuck, end it and try again";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  close(fd_);
  fd_ = -1;
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // releases the lock
}

}  // namespace lockward::trace
