#include "trace/local_cluster.h"

#include <libpq-fe.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace lockward::trace {
namespace fs = std::filesystem;

namespace {

std::string tail(const fs::path& file, std::size_t max_bytes = 2000) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

bool make_private_dir(fs::path& dir, std::optional<RunAs> owner) {
  std::string tmpl = (cluster_parent_directory() / "lockward-pg-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return false;
  dir = tmpl;
  chmod(dir.c_str(), 0700);
  if (owner && chown(dir.c_str(), owner->uid, owner->gid) != 0) return false;
  return true;
}

}  // namespace

fs::path cluster_parent_directory() {
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

pid_t read_pid(const fs::path& file) {
  std::ifstream in(file);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

}  // namespace

namespace {

// Removes the clusters `select` picks (by owner pid); returns how many were removed.
template <class Select>
int remove_clusters(Select select) {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(cluster_parent_directory(), ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().rfind("lockward-pg-", 0) != 0) continue;
    pid_t owner = read_pid(it->path() / "owner.pid");
    if (!select(owner)) continue;
    if (owner <= 0) {
      // Being created right now, or left from a crash during creation: only old ones go.
      auto age = fs::file_time_type::clock::now() - fs::last_write_time(it->path(), ec);
      if (ec || age < std::chrono::minutes(5)) continue;
    }
    pid_t postmaster = read_pid(it->path() / "data" / "postmaster.pid");
    if (process_alive(postmaster)) {
      kill(postmaster, SIGINT);
      for (int i = 0; i < 1000 && process_alive(postmaster); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (process_alive(postmaster)) kill(postmaster, SIGKILL);
    }
    std::error_code rm;
    fs::remove_all(it->path(), rm);
    if (rm) {  // a dying postmaster may still have been writing: once more
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      rm.clear();
      fs::remove_all(it->path(), rm);
    }
    if (!rm) ++removed;
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
  if (!make_private_dir(cluster->dir_, cluster->run_as_)) {
    error = "cannot create a private directory under " + cluster_parent_directory().string();
    return nullptr;
  }
  std::ofstream(cluster->dir_ / "owner.pid") << getpid() << "\n";
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
    // The log file must be writable by the unprivileged user; create it as them.
    std::ofstream(log.string()).close();
    if (chown(log.c_str(), cluster->run_as_->uid, cluster->run_as_->gid) != 0) {}
  }
  cluster->pid_ = spawn_process(argv, cluster->run_as_, log.string(), true);
  if (cluster->pid_ < 0) {
    error = "cannot start postgres";
    return nullptr;
  }
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
      error = "postgres exited during startup: " + tail(log);
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  error = "postgres did not accept connections within 30 s: " + tail(log);
  return nullptr;
}

std::string LocalCluster::conninfo(const std::string& database) const {
  return local_conninfo(dir_, database);
}

fs::path LocalCluster::make_server_directory(const std::string& name) const {
  fs::path dir = dir_ / name;
  std::error_code ec;
  if (!fs::create_directory(dir, ec) || chmod(dir.c_str(), 0700) != 0) return {};
  if (run_as_ && chown(dir.c_str(), run_as_->uid, run_as_->gid) != 0) return {};
  return dir;
}

void LocalCluster::stop() {
  stop_child(pid_, SIGINT, 10000);  // fast shutdown
  pid_ = -1;
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

LocalCluster::~LocalCluster() { stop(); }

}  // namespace lockward::trace
