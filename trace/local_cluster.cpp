#include "trace/local_cluster.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <thread>

#include "trace/private_files.h"

namespace lockward::trace {
namespace fs = std::filesystem;

namespace {

// The end of the server's log (its user's file: never read through a symlink).
std::string tail(const fs::path& file, uid_t owner, std::size_t max_bytes = 2000) {
  std::string s = read_owned_file(file, owner).value_or("");
  return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

// Creates the cluster's directories (see local_cluster.h): a fresh, unpredictably named one of
// ours holding owner.pid, and pg/ in it for the server's user.
bool make_cluster_directories(fs::path& root, fs::path& dir, std::optional<RunAs> server_user) {
  std::string tmpl = (cluster_parent_directory() / "lockward-pg-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return false;
  root = tmpl;
  int fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = false;
  int pid_fd = openat(fd, "owner.pid", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (pid_fd >= 0) {
    std::string text = std::to_string(getpid()) + "\n";
    ok = write(pid_fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(pid_fd);
  }
  ok = ok && mkdirat(fd, "pg", 0700) == 0;
  if (ok && server_user) {
    // The server's user may pass through ours (0710, its group) but write only in pg/.
    ok = fchownat(fd, "pg", server_user->uid, server_user->gid, AT_SYMLINK_NOFOLLOW) == 0 &&
         fchown(fd, geteuid(), server_user->gid) == 0 && fchmod(fd, 0710) == 0;
  }
  close(fd);
  dir = root / "pg";
  return ok;
}

}  // namespace

fs::path cluster_parent_directory() {
  if (const char* parent = std::getenv("LOCKWARD_CLUSTER_PARENT"); parent && *parent) return parent;
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0) return "/dev/shm";
  return fs::temp_directory_path();
}

bool process_alive(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) return false;
  // A zombie has exited: in a container whose init does not reap, a detached process that
  // ended stays one for good.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::size_t close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

std::string local_conninfo(const fs::path& directory, const std::string& database) {
  return "host=" + directory.string() + " user=postgres dbname=" + database + " application_name=lockward";
}

namespace {

// The first number in `file` when it is a regular file of `owner`'s; 0 otherwise.
pid_t read_pid(const fs::path& file, uid_t owner) {
  std::optional<std::string> text = read_owned_file(file, owner);
  return text ? static_cast<pid_t>(std::atol(text->c_str())) : 0;
}

// Stops the postmaster of an orphaned cluster's server directory. postmaster.pid is the
// server user's file, so whatever it names is checked first: a process of that user, running
// postgres, in that data directory. Anything else is left alone.
void stop_orphaned_postmaster(const fs::path& server_dir) {
  struct stat st{};
  if (lstat(server_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;  // a container's: no server here
  pid_t postmaster = read_pid(server_dir / "data" / "postmaster.pid", st.st_uid);
  if (!process_alive(postmaster) || !process_matches(postmaster, st.st_uid, "postgres", server_dir / "data")) return;
  kill(postmaster, SIGINT);
  for (int i = 0; i < 1000 && process_alive(postmaster); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (process_alive(postmaster)) kill(postmaster, SIGKILL);
}

// Removes the clusters `select` picks (by owner pid); returns how many were removed.
template <class Select>
int remove_clusters(Select select) {
  int removed = 0;
  const uid_t self = geteuid();
  std::error_code ec;
  for (fs::directory_iterator it(cluster_parent_directory(), ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path root = it->path();
    if (root.filename().string().rfind("lockward-pg-", 0) != 0) continue;
    // Another user's cluster, or something planted to look like ours: not ours to judge.
    if (!private_directory_problem(root).empty()) continue;
    pid_t owner = read_pid(root / "owner.pid", self);
    if (!select(owner)) continue;
    if (owner <= 0) {
      // Being created right now, or left from a crash during creation: only old ones go.
      struct stat st{};
      if (lstat(root.c_str(), &st) != 0 || std::time(nullptr) - st.st_mtime < 300) continue;
    }
    stop_orphaned_postmaster(root / "pg");
    bool gone = remove_tree(root);
    if (!gone) {  // a dying postmaster may still have been writing: once more
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      gone = remove_tree(root);
    }
    if (gone) ++removed;
  }
  return removed;
}

}  // namespace

int remove_orphaned_clusters() {
  return remove_clusters([](pid_t owner) { return !(owner > 0 && process_alive(owner)); });
}

void remove_own_clusters() {
  pid_t self = getpid();
  remove_clusters([self](pid_t owner) { return owner == self; });
}

std::unique_ptr<LocalCluster> LocalCluster::start(const PgBinaries& binaries, std::string& error) {
  auto started = std::chrono::steady_clock::now();
  remove_orphaned_clusters();
  std::unique_ptr<LocalCluster> cluster(new LocalCluster());
  cluster->binaries_ = binaries;
  cluster->run_as_ = unprivileged_user();
  if (!make_cluster_directories(cluster->root_, cluster->dir_, cluster->run_as_)) {
    error = "cannot create a private directory under " + cluster_parent_directory().string() + ": " +
            std::strerror(errno);
    return nullptr;
  }
  fs::path data = cluster->dir_ / "data";
  ProcessResult init = run_process({(binaries.bin_dir / "initdb").string(), "-D", data.string(), "-A", "trust", "-U",
                                    "postgres", "-N", "--locale=C", "-E", "UTF8"},
                                   cluster->run_as_, 120);
  if (init.exit_code != 0) {
    error = "initdb failed: " + init.output;
    return nullptr;
  }
  // Settings for a disposable, fast cluster; the socket lives in the private directory.
  std::vector<std::string> argv = {(binaries.bin_dir / "postgres").string(),
                                   "-D", data.string(),
                                   "-k", cluster->dir_.string(),
                                   "-c", "listen_addresses=",
                                   "-c", "fsync=off",
                                   "-c", "synchronous_commit=off",
                                   "-c", "full_page_writes=off",
                                   "-c", "wal_level=minimal",
                                   "-c", "max_wal_senders=0",
                                   "-c", "autovacuum=off",
                                   "-c", "shared_buffers=32MB",
                                   "-c", "max_connections=30",
                                   "-c", "max_locks_per_transaction=256"};
  fs::path log = cluster->dir_ / "server.log";
  if (cluster->run_as_) {
    // The log file must be writable by the unprivileged user; created fresh (never through a
    // symlink) and given to them.
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || fchown(fd, cluster->run_as_->uid, cluster->run_as_->gid) != 0) {
      error = "cannot create " + log.string() + ": " + std::strerror(errno);
      if (fd >= 0) close(fd);
      return nullptr;
    }
    close(fd);
  }
  cluster->pid_ = spawn_process(argv, cluster->run_as_, log.string(), true);
  if (cluster->pid_ < 0) {
    error = "cannot start postgres";
    return nullptr;
  }
  const uid_t server_uid = cluster->run_as_ ? cluster->run_as_->uid : geteuid();
  // Ready when a connection is accepted; poll every 5 ms (pg_ctl -w polls every 100 ms).
  std::string conninfo = cluster->conninfo();
  for (int i = 0; i < 6000; ++i) {
    if (PQping(conninfo.c_str()) == PQPING_OK) {
      cluster->startup_seconds_ =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return cluster;
    }
    int status = 0;
    if (waitpid(cluster->pid_, &status, WNOHANG) == cluster->pid_) {
      cluster->pid_ = -1;
      error = "postgres exited during startup: " + tail(log, server_uid);
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  error = "postgres did not accept connections within 30 s: " + tail(log, server_uid);
  return nullptr;
}

std::string LocalCluster::conninfo(const std::string& database) const {
  return local_conninfo(dir_, database);
}

fs::path LocalCluster::make_server_directory(const std::string& name) const {
  // dir_ is the server user's: work from descriptors, so nothing it swaps in is followed.
  int parent = open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (parent < 0) return {};
  int fd = mkdirat(parent, name.c_str(), 0700) == 0 ? openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
  close(parent);
  if (fd < 0) return {};
  bool ok = fchmod(fd, 0700) == 0 && (!run_as_ || fchown(fd, run_as_->uid, run_as_->gid) == 0);
  close(fd);
  return ok ? dir_ / name : fs::path();
}

void LocalCluster::stop() {
  stop_child(pid_, SIGINT, 10000);  // fast shutdown
  pid_ = -1;
  if (!root_.empty()) {
    if (!remove_tree(root_)) {  // the postmaster's last writes may have raced us: once more
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      remove_tree(root_);
    }
    root_.clear();
    dir_.clear();
  }
}

LocalCluster::~LocalCluster() { stop(); }

}  // namespace lockward::trace
