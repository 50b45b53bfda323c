#include "trace/warm_cluster.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "trace/local_cluster.h"
#include "trace/pg_connection.h"
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

std::string sanitized(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return out;
}

// One installation or image, one warm cluster.
std::string key_of(const WarmSpec& spec) {
  std::string key = spec.kind == WarmSpec::Kind::Docker
                        ? "docker_" + sanitized(spec.docker.image) + "_" + sanitized(spec.docker.cli.filename().string())
                        : "pg" + std::to_string(spec.binaries.major) + sanitized(spec.binaries.bin_dir.lexically_normal().string());
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

struct Registered {
  fs::path dir;     // the cluster's private directory, with owner.pid
  fs::path socket;  // where the keeper answers the connection string
};

Registered read_registration(const fs::path& state_dir, const std::string& key) {
  std::ifstream in(state_dir / "clusters" / key);
  Registered r;
  std::string line;
  if (std::getline(in, line)) r.dir = line;
  if (std::getline(in, line)) r.socket = line;
  return r;
}

bool fill_socket_address(const fs::path& path, sockaddr_un& addr) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.string().size() + 1);
  return true;
}

// Asks the keeper listening on `socket` for the connection string ("" when it does not answer).
std::string ask_keeper(const fs::path& socket_path) {
  sockaddr_un addr;
  if (!fill_socket_address(socket_path, addr)) return {};
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    char buf[1024];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) break;
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      answer.append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  while (!answer.empty() && answer.back() == '\n') answer.pop_back();
  return answer;
}

// Answers the connection string to processes of this user that connect to `path`, from a
// thread of its own, until destroyed.
class ConninfoServer {
 public:
  ConninfoServer(fs::path path, std::string answer) : path_(std::move(path)), answer_(std::move(answer)) {
    sockaddr_un addr;
    if (!fill_socket_address(path_, addr)) return;
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(path_.c_str());
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || chmod(path_.c_str(), 0600) != 0 ||
        listen(fd_, 16) != 0) {
      if (fd_ >= 0) close(fd_);
      fd_ = -1;
      return;
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~ConninfoServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  bool ok() const { return fd_ >= 0; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      ucred peer{};
      socklen_t len = sizeof peer;
      if (getsockopt(client, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 && peer.uid == geteuid()) {
        std::string text = answer_ + "\n";
        if (write(client, text.data(), text.size()) < 0) {}
      }
      close(client);
    }
  }
  fs::path path_;
  std::string answer_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The registered cluster for `key` when its keeper runs and it accepts connections, with its
// connection string.
Registered running_cluster(const fs::path& state_dir, const std::string& key, std::string& conninfo) {
  Registered r = read_registration(state_dir, key);
  if (r.dir.empty() || !process_alive(read_pid(r.dir / "owner.pid"))) return {};
  conninfo = ask_keeper(r.socket);
  if (conninfo.empty() || PQping(conninfo.c_str()) != PQPING_OK) return {};
  return r;
}

void unregister(const fs::path& state_dir, const std::string& key) {
  std::error_code ec;
  fs::remove(state_dir / "clusters" / key, ec);
  fs::remove(state_dir / "clusters" / (key + ".keep"), ec);
  fs::remove_all(state_dir / "leases" / key, ec);
}

// Starts a keeper detached from us (its own session, reparented to init) and waits for its
// report: "ready", or why it could not start a cluster (several lines).
bool spawn_keeper(const std::vector<std::string>& command, const WarmSpec& spec, const fs::path& state_dir,
                  const std::string& key, std::string& error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  std::vector<std::string> args = command;
  if (spec.kind == WarmSpec::Kind::Docker) {
    for (const std::string& a : {std::string("--docker-image"), spec.docker.image, std::string("--docker-cli"),
                                 spec.docker.cli.string()})
      args.push_back(a);
  } else {
    args.push_back("--pg-bin");
    args.push_back(spec.binaries.bin_dir.string());
  }
  for (const std::string& a : {std::string("--state-dir"), state_dir.string(), std::string("--ready-fd"),
                               std::to_string(fds[1])})
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
    return false;
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
  // The keeper closes its end after reporting (nothing it starts inherits it): read to EOF.
  std::string report;
  char buf[4096];
  // initdb and start take seconds; a container may first pull its image (DockerOptions' limit).
  int limit = spec.kind == WarmSpec::Kind::Docker ? spec.docker.timeout_seconds + 30 : 120;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    report.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  while (!report.empty() && report.back() == '\n') report.pop_back();
  if (report == "ready") return true;
  if (report.rfind("error ", 0) == 0) error = report.substr(6);
  else error = "the cluster keeper (" + args[0] + ") did not report; see " + log;
  return false;
}

std::atomic<int> lease_counter{0};

}  // namespace

fs::path warm_state_directory() {
  if (const char* dir = std::getenv("LOCKWARD_STATE_DIR"); dir && *dir) return dir;
  return cluster_parent_directory() / ("lockward-state-" + std::to_string(getuid()));
}

std::unique_ptr<WarmLease> WarmLease::acquire(const WarmSpec& spec, const std::vector<std::string>& keeper_command,
                                              std::string& error) {
  auto started = std::chrono::steady_clock::now();
  std::unique_ptr<WarmLease> lease(new WarmLease());
  lease->state_dir_ = warm_state_directory();
  lease->key_ = key_of(spec);
  if (!make_private_directories(lease->state_dir_, error)) return nullptr;
  RegistryLock lock(lease->state_dir_);
  if (!lock.ok()) {
    error = "cannot lock " + (lease->state_dir_ / "lock").string();
    return nullptr;
  }
  Registered found = running_cluster(lease->state_dir_, lease->key_, lease->base_conninfo_);
  if (found.dir.empty()) {
    unregister(lease->state_dir_, lease->key_);  // a keeper that died, or a cluster that did
    if (!spawn_keeper(keeper_command, spec, lease->state_dir_, lease->key_, error)) return nullptr;
    found = running_cluster(lease->state_dir_, lease->key_, lease->base_conninfo_);
    if (found.dir.empty()) {
      error = "the cluster keeper reported ready but does not answer";
      return nullptr;
    }
    lease->started_ = true;
  }
  lease->cluster_dir_ = found.dir;
  lease->keeper_ = read_pid(found.dir / "owner.pid");
  {
    PgConnection probe(lease->base_conninfo_);
    std::string version = probe.exec("SHOW server_version").value(0, 0);
    lease->server_version_ = version.substr(0, version.find(' '));  // "15.18 (Debian …)"
  }
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

// libpq takes the last value of a repeated keyword.
std::string WarmLease::conninfo(const std::string& database) const { return base_conninfo_ + " dbname=" + database; }

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

int run_warm_keeper(const WarmSpec& spec, const fs::path& state_dir, int ready_fd) {
  fcntl(ready_fd, F_SETFD, FD_CLOEXEC);  // initdb, the postmaster and the CLI must not inherit it
  auto report = [&](const std::string& line) {
    std::string text = line + "\n";
    if (write(ready_fd, text.data(), text.size()) < 0) {}
    close(ready_fd);
  };
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
  const std::string key = key_of(spec);
  std::mutex cluster_mutex;
  std::unique_ptr<LocalCluster> local;
  std::unique_ptr<DockerCluster> container;
  auto stop = [&] {
    std::lock_guard<std::mutex> hold(cluster_mutex);
    if (local) local->stop();
    if (container) container->stop();
  };
  SignalGuard guard([&] {
    unregister(state_dir, key);
    stop();
  });
  fs::path dir;
  std::string conninfo;
  if (spec.kind == WarmSpec::Kind::Docker) {
    auto started = DockerCluster::start(spec.docker, error);
    std::lock_guard<std::mutex> hold(cluster_mutex);
    container = std::move(started);
    if (container) {
      dir = container->directory();
      conninfo = container->conninfo();
    }
  } else {
    auto started = LocalCluster::start(spec.binaries, error);
    std::lock_guard<std::mutex> hold(cluster_mutex);
    local = std::move(started);
    if (local) {
      dir = local->directory();
      conninfo = local->conninfo();
    }
  }
  if (dir.empty()) {
    report("error " + error);
    return 1;
  }
  // Registered while the spawning process holds the registry lock and waits for the report.
  const fs::path socket_path = state_dir / ("s" + std::to_string(getpid()));
  ConninfoServer server(socket_path, conninfo);
  if (!server.ok()) {
    stop();
    report("error cannot listen on " + socket_path.string());
    return 1;
  }
  write_text(state_dir / "clusters" / key, dir.string() + "\n" + socket_path.string());
  report("ready");
  for (;;) {
    timespec tick{1, 0};
    sigtimedwait(&wake, nullptr, &tick);
    RegistryLock lock(state_dir);
    bool server_gone = PQping(conninfo.c_str()) == PQPING_NO_RESPONSE;
    long keep_until = std::atol(read_text(state_dir / "clusters" / (key + ".keep")).c_str());
    if (server_gone || (live_leases(state_dir / "leases" / key) == 0 && now_epoch() >= keep_until)) {
      unregister(state_dir, key);
      stop();
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
      pid_t keeper = read_pid(read_registration(state_dir, it->path().filename().string()).dir / "owner.pid");
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
