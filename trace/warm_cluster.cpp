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
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "trace/local_cluster.h"
#include "trace/pg_connection.h"
#include "trace/private_files.h"
#include "trace/signal_guard.h"

extern "C" char** environ;

namespace lockward::trace {
namespace fs = std::filesystem;

namespace {

// flock(2) on the registry's lock file for the lifetime of the object. Held by others for at
// most a cluster's start (the process starting it waits for its keeper's report under it), so
// a longer wait means a stuck holder, which the error names.
class RegistryLock : public FileLock {
 public:
  explicit RegistryLock(const fs::path& state_dir, int timeout_seconds = 150)
      : FileLock(state_dir / "lock", timeout_seconds) {}
};

// The state directory and its subdirectories, created 0700 or checked to be ours: one another
// user planted (to redirect our writes through symlinks in it, or to hold its lock) is refused.
bool make_private_directories(const fs::path& state_dir, std::string& error) {
  std::error_code ec;
  if (state_dir.has_parent_path()) fs::create_directories(state_dir.parent_path(), ec);
  for (const fs::path& d : {state_dir, state_dir / "clusters", state_dir / "leases"}) {
    if (!ensure_private_directory(d, error)) return false;
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

// A registry file (ours; never read through a symlink), without its trailing newline.
std::string read_text(const fs::path& file) {
  std::string s = read_owned_file(file, geteuid()).value_or("");
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Written whole or not at all: readers never see half a file.
bool write_text(const fs::path& file, const std::string& text) { return write_file_atomically(file, text); }

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
  fs::path dir;     // the cluster's directory (its socket's)
  fs::path socket;  // where the keeper answers the connection string
};

Registered read_registration(const fs::path& state_dir, const std::string& key) {
  std::istringstream in(read_text(state_dir / "clusters" / key));
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

struct KeeperAnswer {
  std::string conninfo;  // "" when no keeper of ours answered
  pid_t pid = -1;        // the keeper, as the kernel knows the socket's listener
};

// Asks the keeper listening on `socket` for the connection string. The keeper's pid comes from
// the kernel (SO_PEERCRED), never from a file: only a process of ours listening there counts.
KeeperAnswer ask_keeper(const fs::path& socket_path) {
  sockaddr_un addr;
  if (!fill_socket_address(socket_path, addr)) return {};
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  std::string answer;
  ucred peer{};
  socklen_t len = sizeof peer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 && peer.uid == geteuid() && peer.pid > 0) {
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
  if (answer.empty()) return {};
  return {answer, peer.pid};
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
        if (send(client, text.data(), text.size(), MSG_NOSIGNAL) < 0) {}  // a client gone is no reason to die
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

// The registered cluster for `key` when its keeper answers and the cluster accepts
// connections, with its connection string and keeper.
Registered running_cluster(const fs::path& state_dir, const std::string& key, std::string& conninfo, pid_t& keeper) {
  Registered r = read_registration(state_dir, key);
  if (r.dir.empty()) return {};
  KeeperAnswer answer = ask_keeper(r.socket);
  if (answer.conninfo.empty() || PQping(answer.conninfo.c_str()) != PQPING_OK) return {};
  conninfo = answer.conninfo;
  keeper = answer.pid;
  return r;
}

// A keeper's socket is "s<pid>" in the state directory.
bool is_keeper_socket(const fs::path& state_dir, const fs::path& socket) {
  return socket.parent_path() == state_dir && socket.filename().string().rfind('s', 0) == 0;
}

void unregister(const fs::path& state_dir, const std::string& key) {
  std::error_code ec;
  fs::path socket = read_registration(state_dir, key).socket;
  if (!socket.empty() && is_keeper_socket(state_dir, socket)) fs::remove(socket, ec);
  fs::remove(state_dir / "clusters" / key, ec);
  fs::remove(state_dir / "clusters" / (key + ".keep"), ec);
  fs::remove_all(state_dir / "leases" / key, ec);
}

// Starts a keeper detached from us (its own session, reparented to init) and waits for its
// report: "ready", or why it could not start a cluster (several lines).
bool spawn_keeper(const std::vector<std::string>& command, const WarmSpec& spec, const fs::path& state_dir,
                  const std::string& key, std::string& error, const std::function<bool()>& cancelled) {
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
  // The environment, with the spec's container options as the keeper reads them (built before
  // fork: the child may only make async-signal-safe calls).
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "LOCKWARD_DOCKER_ARGS=", 21) != 0) env_strings.emplace_back(*e);
  }
  if (spec.kind == WarmSpec::Kind::Docker && !spec.docker.extra_args.empty()) {
    std::string joined = "LOCKWARD_DOCKER_ARGS=";
    for (std::size_t i = 0; i < spec.docker.extra_args.size(); ++i)
      joined += (i ? " " : "") + spec.docker.extra_args[i];
    env_strings.push_back(joined);
  }
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
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
    int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
    dup2(null_fd, 0);
    dup2(log_fd >= 0 ? log_fd : null_fd, 1);
    dup2(log_fd >= 0 ? log_fd : null_fd, 2);
    fcntl(fds[1], F_SETFD, 0);  // the report pipe survives exec
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // a SignalGuard's mask is inherited
    execve(argv[0], argv.data(), envp.data());
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
    if (cancelled && cancelled()) {
      // Closing our end makes the keeper's report fail: it stops the cluster it started.
      close(fds[0]);
      error = "cancelled";
      return false;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 10) <= 0) continue;
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
                                              std::string& error, const std::function<bool()>& cancelled) {
  auto started = std::chrono::steady_clock::now();
  std::unique_ptr<WarmLease> lease(new WarmLease());
  lease->state_dir_ = warm_state_directory();
  lease->key_ = key_of(spec);
  if (!make_private_directories(lease->state_dir_, error)) return nullptr;
  // Another process may be starting this cluster under the lock: wait as long as a start may take.
  int start_limit = spec.kind == WarmSpec::Kind::Docker ? spec.docker.timeout_seconds + 60 : 150;
  RegistryLock lock(lease->state_dir_, start_limit);
  if (!lock.ok()) {
    error = lock.error();
    return nullptr;
  }
  Registered found = running_cluster(lease->state_dir_, lease->key_, lease->base_conninfo_, lease->keeper_);
  if (found.dir.empty()) {
    unregister(lease->state_dir_, lease->key_);  // a keeper that died, or a cluster that did
    if (!spawn_keeper(keeper_command, spec, lease->state_dir_, lease->key_, error, cancelled)) return nullptr;
    found = running_cluster(lease->state_dir_, lease->key_, lease->base_conninfo_, lease->keeper_);
    if (found.dir.empty()) {
      error = "the cluster keeper reported ready but does not answer";
      return nullptr;
    }
    lease->started_ = true;
  }
  lease->cluster_dir_ = found.dir;
  {
    PgConnection probe(lease->base_conninfo_);
    std::string version = probe.exec("SHOW server_version").value(0, 0);
    lease->server_version_ = version.substr(0, version.find(' '));  // "15.18 (Debian …)"
  }
  fs::path lease_dir = lease->state_dir_ / "leases" / lease->key_;
  std::error_code ec;
  fs::create_directories(lease_dir, ec);
  lease->lease_file_ = lease_dir / (std::to_string(getpid()) + "-" + std::to_string(++lease_counter));
  if (!write_text(lease->lease_file_, "")) {
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
    RegistryLock lock(state_dir_, 30);
    std::error_code ec;
    fs::remove(lease_file_, ec);  // also without the lock: the keeper then stops it at its next tick
    if (!lock.ok()) {
      std::fprintf(stderr, "lockward: %s\n", lock.error().c_str());
      return;
    }
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
  // The process that started us may be gone (killed during our start): its closed pipe, or a
  // client that hung up, must be an error we handle, not a signal that kills us mid-way.
  signal(SIGPIPE, SIG_IGN);
  // False when nobody reads the report any more.
  auto report = [&](const std::string& line) {
    std::string text = line + "\n";
    bool read = write(ready_fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(ready_fd);
    return read;
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
  const fs::path socket_path = state_dir / ("s" + std::to_string(getpid()));
  SignalGuard guard([&] {
    unregister(state_dir, key);
    unlink(socket_path.c_str());  // the guard exits without running destructors
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
  ConninfoServer server(socket_path, conninfo);
  if (!server.ok()) {
    stop();
    report("error cannot listen on " + socket_path.string());
    return 1;
  }
  if (!write_text(state_dir / "clusters" / key, dir.string() + "\n" + socket_path.string())) {
    stop();
    report("error cannot register the cluster in " + (state_dir / "clusters").string());
    return 1;
  }
  if (!report("ready")) {  // whoever asked for the cluster died waiting: nobody will lease it
    unregister(state_dir, key);
    stop();
    return 1;
  }
  for (;;) {
    timespec tick{1, 0};
    sigtimedwait(&wake, nullptr, &tick);
    RegistryLock lock(state_dir, 1);
    if (!lock.ok()) continue;  // held long by a stuck process: look again at the next tick
    bool server_gone = PQping(conninfo.c_str()) == PQPING_NO_RESPONSE;
    long keep_until = std::atol(read_text(state_dir / "clusters" / (key + ".keep")).c_str());
    if (server_gone || (live_leases(state_dir / "leases" / key) == 0 && now_epoch() >= keep_until)) {
      unregister(state_dir, key);
      stop();
      return server_gone ? 1 : 0;
    }
  }
}

int stop_warm_clusters(std::string& error) {
  fs::path state_dir = warm_state_directory();
  if (!fs::exists(state_dir)) return 0;
  if (!make_private_directories(state_dir, error)) return -1;
  std::vector<pid_t> keepers;
  {
    RegistryLock lock(state_dir, 30);
    if (!lock.ok()) {
      error = lock.error();
      return -1;
    }
    std::error_code ec;
    for (fs::directory_iterator it(state_dir / "clusters", ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".keep" || it->path().extension() == ".tmp") continue;
      pid_t keeper = ask_keeper(read_registration(state_dir, it->path().filename().string()).socket).pid;
      if (keeper > 0) keepers.push_back(keeper);
    }
  }
  for (pid_t keeper : keepers) kill(keeper, SIGTERM);
  for (pid_t keeper : keepers) {
    for (int i = 0; i < 1000 && process_alive(keeper); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Sockets of keepers that were killed outright, so nobody removed them.
  std::error_code ec;
  for (fs::directory_iterator it(state_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() > 1 && name[0] == 's' && std::isdigit(static_cast<unsigned char>(name[1])) &&
        !process_alive(static_cast<pid_t>(std::atol(name.c_str() + 1))) && it->is_socket(ec))
      fs::remove(it->path(), ec);
  }
  return static_cast<int>(keepers.size());
}

}  // namespace lockward::trace
