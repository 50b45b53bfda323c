#include "trace/warm_cluster.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "trace/local_cluster.h"
#include "trace/signal_guard.h"

namespace lockward::trace {
namespace fs = std::filesystem;

namespace {

// flock(2) on the registry's lock file for the lifetime of the object.
class RegistryLock {
 public:
  explicit RegistryLock(const fs::path& state_dir) {
    fd_ = open((state_dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0 && flock(fd_, LOCK_EX) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RegistryLock() {
    if (fd_ >= 0) close(fd_);  // releases the lock
  }
  RegistryLock(const RegistryLock&) = delete;
  RegistryLock& operator=(const RegistryLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

bool make_private_directories(const fs::path& state_dir, std::string& error) {
  for (const fs::path& d : {state_dir, state_dir / "clusters", state_dir / "leases"}) {
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec || chmod(d.c_str(), 0700) != 0) {
      error = "cannot create the state directory " + d.string() + ": " + (ec ? ec.message() : std::strerror(errno));
      return false;
    }
  }
  return true;
}

// One installation, one warm cluster: the major version and the binaries' directory.
std::string key_of(const PgBinaries& binaries) {
  std::string key = "pg" + std::to_string(binaries.major);
  for (char c : binaries.bin_dir.lexically_normal().string())
    key += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return key.substr(0, 200);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Written whole or not at all: readers never see half a file.
void write_text(const fs::path& file, const std::string& text) {
  fs::path tmp = file;
  tmp += ".tmp";
  std::ofstream(tmp) << text << "\n";
  std::error_code ec;
  fs::rename(tmp, file, ec);
}

pid_t read_pid(const fs::path& file) { return static_cast<pid_t>(std::atol(read_text(file).c_str())); }

long now_epoch() { return static_cast<long>(std::time(nullptr)); }

// Leases held by live processes; removes those of dead ones.
int live_leases(const fs::path& lease_dir) {
  int live = 0;
  std::error_code ec;
  for (fs::directory_iterator it(lease_dir, ec), end; !ec && it != end; it.increment(ec)) {
    pid_t holder = static_cast<pid_t>(std::atol(it->path().filename().string().c_str()));
    if (process_alive(holder)) {
      ++live;
    } else {
      std::error_code rm;
      fs::remove(it->path(), rm);
    }
  }
  return live;
}

// The registered cluster for `key` when its keeper runs and it accepts connections.
fs::path running_cluster(const fs::path& state_dir, const std::string& key) {
  fs::path dir = read_text(state_dir / "clusters" / key);
  if (dir.empty() || !process_alive(read_pid(dir / "owner.pid"))) return {};
  if (PQping(local_conninfo(dir, "postgres").c_str()) != PQPING_OK) return {};
  return dir;
}

void unregister(const fs::path& state_dir, const std::string& key) {
  std::error_code ec;
  fs::remove(state_dir / "clusters" / key, ec);
  fs::remove(state_dir / "clusters" / (key + ".keep"), ec);
  fs::remove_all(state_dir / "leases" / key, ec);
}

// Starts a keeper detached from us (its own session, reparented to init) and waits for its
// report: the cluster's directory, or why it could not start one.
fs::path spawn_keeper(const std::vector<std::string>& command, const PgBinaries& binaries, const fs::path& state_dir,
                      const std::string& key, std::string& error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return {};
  }
  std::vector<std::string> args = command;
  for (const std::string& a : {std::string("--pg-bin"), binaries.bin_dir.string(), std::string("--state-dir"),
                               state_dir.string(), std::string("--ready-fd"), std::to_string(fds[1])})
    args.push_back(a);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log = (state_dir / (key + ".log")).string();
  pid_t first = fork();
  if (first < 0) {
    close(fds[0]);
    close(fds[1]);
    error = std::string("fork: ") + std::strerror(errno);
    return {};
  }
  if (first == 0) {  // only async-signal-safe calls from here to exec
    setsid();        // no Ctrl-C from our terminal
    pid_t keeper = fork();
    if (keeper != 0) _exit(keeper < 0 ? 1 : 0);
    int null_fd = open("/dev/null", O_RDONLY);
    int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(null_fd, 0);
    dup2(log_fd >= 0 ? log_fd : null_fd, 1);
    dup2(log_fd >= 0 ? log_fd : null_fd, 2);
    fcntl(fds[1], F_SETFD, 0);  // the report pipe survives exec
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // a SignalGuard's mask is inherited
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  int status = 0;
  waitpid(first, &status, 0);
  std::string report;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF: the keeper died without a report
    report.append(buf, static_cast<std::size_t>(n));
    if (report.find('\n') != std::string::npos) break;  // one line is the whole report
  }
  close(fds[0]);
  while (!report.empty() && report.back() == '\n') report.pop_back();
  if (report.rfind("ready ", 0) == 0) return fs::path(report.substr(6));
  if (report.rfind("error ", 0) == 0) error = report.substr(6);
  else error = "the cluster keeper (" + args[0] + ") did not report; see " + log;
  return {};
}

std::atomic<int> lease_counter{0};

}  // namespace

fs::path warm_state_directory() {
  if (const char* dir = std::getenv("LOCKWARD_STATE_DIR"); dir && *dir) return dir;
  return cluster_parent_directory() / ("lockward-state-" + std::to_string(getuid()));
}

std::unique_ptr<WarmLease> WarmLease::acquire(const PgBinaries& binaries, const std::vector<std::string>& keeper_command,
                                              std::string& error) {
  auto started = std::chrono::steady_clock::now();
  std::unique_ptr<WarmLease> lease(new WarmLease());
  lease->binaries_ = binaries;
  lease->state_dir_ = warm_state_directory();
  lease->key_ = key_of(binaries);
  if (!make_private_directories(lease->state_dir_, error)) return nullptr;
  RegistryLock lock(lease->state_dir_);
  if (!lock.ok()) {
    error = "cannot lock " + (lease->state_dir_ / "lock").string();
    return nullptr;
  }
  lease->cluster_dir_ = running_cluster(lease->state_dir_, lease->key_);
  if (lease->cluster_dir_.empty()) {
    unregister(lease->state_dir_, lease->key_);  // a keeper that died, or a cluster that did
    lease->cluster_dir_ = spawn_keeper(keeper_command, binaries, lease->state_dir_, lease->key_, error);
    if (lease->cluster_dir_.empty()) return nullptr;
    lease->started_ = true;
  }
  lease->keeper_ = read_pid(lease->cluster_dir_ / "owner.pid");
  fs::path lease_dir = lease->state_dir_ / "leases" / lease->key_;
  std::error_code ec;
  fs::create_directories(lease_dir, ec);
  lease->lease_file_ = lease_dir / (std::to_string(getpid()) + "-" + std::to_string(++lease_counter));
  std::ofstream(lease->lease_file_).close();
  if (!fs::exists(lease->lease_file_)) {
    error = "cannot write a lease in " + lease_dir.string();
    return nullptr;
  }
  lease->startup_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return lease;
}

WarmLease::~WarmLease() { release(); }

std::string WarmLease::conninfo(const std::string& database) const { return local_conninfo(cluster_dir_, database); }

void WarmLease::release() {
  if (released_ || lease_file_.empty()) return;
  released_ = true;
  bool due = false;
  {
    RegistryLock lock(state_dir_);
    std::error_code ec;
    fs::remove(lease_file_, ec);
    fs::path keep_file = state_dir_ / "clusters" / (key_ + ".keep");
    long keep_until = std::atol(read_text(keep_file).c_str());
    if (keep_warm_.count() > 0 && now_epoch() + keep_warm_.count() > keep_until) {
      keep_until = now_epoch() + keep_warm_.count();
      write_text(keep_file, std::to_string(keep_until));
    }
    due = live_leases(state_dir_ / "leases" / key_) == 0 && keep_until <= now_epoch();
  }
  if (keeper_ > 0) kill(keeper_, SIGUSR1);  // look now, not at the next tick
  for (int i = 0; due && i < 1000 && process_alive(keeper_); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

int run_warm_keeper(const PgBinaries& binaries, const fs::path& state_dir, int ready_fd) {
  auto report = [&](const std::string& line) {
    std::string text = line + "\n";
    if (write(ready_fd, text.data(), text.size()) < 0) {}
    close(ready_fd);
  };
  fcntl(ready_fd, F_SETFD, FD_CLOEXEC);  // initdb and the postmaster must not inherit it
  std::string error;
  if (!make_private_directories(state_dir, error)) {
    report("error " + error);
    return 1;
  }
  // SIGUSR1 wakes the loop below (a lease ended); the signal guard's thread must not take it.
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &wake, nullptr);
  const std::string key = key_of(binaries);
  SignalGuard guard([&] {
    unregister(state_dir, key);
    remove_own_clusters();
  });
  std::unique_ptr<LocalCluster> cluster = LocalCluster::start(binaries, error);
  if (!cluster) {
    report("error cannot start a PostgreSQL " + std::to_string(binaries.major) + " cluster: " + error);
    return 1;
  }
  // The spawning process holds the registry lock while it waits for this report.
  write_text(state_dir / "clusters" / key, cluster->directory().string());
  report("ready " + cluster->directory().string());
  const std::string conninfo = cluster->conninfo();
  for (;;) {
    timespec tick{1, 0};
    sigtimedwait(&wake, nullptr, &tick);
    RegistryLock lock(state_dir);
    bool server_gone = PQping(conninfo.c_str()) == PQPING_NO_RESPONSE;
    long keep_until = std::atol(read_text(state_dir / "clusters" / (key + ".keep")).c_str());
    if (server_gone || (live_leases(state_dir / "leases" / key) == 0 && now_epoch() >= keep_until)) {
      unregister(state_dir, key);
      cluster->stop();
      return server_gone ? 1 : 0;
    }
  }
}

int stop_warm_clusters() {
  fs::path state_dir = warm_state_directory();
  std::vector<pid_t> keepers;
  {
    RegistryLock lock(state_dir);
    std::error_code ec;
    for (fs::directory_iterator it(state_dir / "clusters", ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".keep" || it->path().extension() == ".tmp") continue;
      pid_t keeper = read_pid(fs::path(read_text(it->path())) / "owner.pid");
      if (process_alive(keeper)) keepers.push_back(keeper);
    }
  }
  for (pid_t keeper : keepers) kill(keeper, SIGTERM);
  for (pid_t keeper : keepers) {
    for (int i = 0; i < 1000 && process_alive(keeper); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return static_cast<int>(keepers.size());
}

}  // namespace lockward::trace
