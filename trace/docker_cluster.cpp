#include "trace/docker_cluster.h"

#include <libpq-fe.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "trace/connection_secrets.h"
#include "trace/container_cli.h"
#include "trace/local_cluster.h"
#include "trace/pg_connection.h"
#include "trace/process.h"

namespace lockward::trace {
namespace fs = std::filesystem;

namespace {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  std::size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom(buffer.data() + got, bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got < bytes) return "";  // never fall back to a guessable password
  std::string out;
  char hex[3];
  for (unsigned char b : buffer) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    out += hex;
  }
  return out;
}

std::string this_host() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string tail(const fs::path& file, std::size_t max_bytes = 2000) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? "…" + s.substr(s.size() - max_bytes) : s;
}

// The CLI's and container's output under the one-line diagnosis, indented as detail.
std::string indented(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out += "\n  " + line;
  return out;
}

// Private 0700 directory named like the local provider's, so orphan removal of cluster
// directories (owner.pid) covers it too.
bool make_private_dir(fs::path& dir) {
  std::string tmpl = (cluster_parent_directory() / "lockward-pg-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return false;
  dir = tmpl;
  chmod(dir.c_str(), 0700);
  std::ofstream(dir / "owner.pid") << getpid() << "\n";
  return true;
}

}  // namespace

int remove_orphaned_containers(const fs::path& cli) {
  ProcessResult list = run_process(container_list_argv(cli), std::nullopt, 30);
  if (list.exit_code != 0) return 0;
  std::vector<std::string> orphans = select_orphans(parse_container_list(list.output), this_host(), [](int pid) { return process_alive(pid); });
  if (orphans.empty()) return 0;
  ProcessResult removed = run_process(container_remove_argv(cli, orphans), std::nullopt, 60);
  return removed.exit_code == 0 ? static_cast<int>(orphans.size()) : 0;
}

std::string DockerCluster::redact(std::string text) const { return scrub_credentials(std::move(text), {password_}); }

std::unique_ptr<DockerCluster> DockerCluster::start(const DockerOptions& options, std::string& error) {
  auto started = std::chrono::steady_clock::now();
  remove_orphaned_clusters();
  remove_orphaned_containers(options.cli);
  std::unique_ptr<DockerCluster> cluster(new DockerCluster());
  cluster->options_ = options;
  cluster->password_ = random_hex(24);
  std::string suffix = random_hex(4);
  if (cluster->password_.empty() || suffix.empty()) {
    error = "cannot read random bytes for the container's password";
    return nullptr;
  }
  if (!make_private_dir(cluster->dir_)) {
    error = "cannot create a private directory under " + cluster_parent_directory().string();
    return nullptr;
  }
  RunSpec spec;
  spec.cli = options.cli;
  spec.image = options.image;
  spec.name = "lockward-pg-" + std::to_string(getpid()) + "-" + suffix;
  spec.owner_pid = getpid();
  spec.owner_host = this_host();
  spec.extra_args = options.extra_args;
  cluster->name_ = spec.name;
  fs::path log = cluster->dir_ / "container.log";
  cluster->cli_pid_ = spawn_process(container_run_argv(spec), std::nullopt, log.string(), true,
                                    {std::string(kPasswordVariable) + "=" + cluster->password_});
  if (cluster->cli_pid_ < 0) {
    error = "cannot run " + options.cli.string();
    return nullptr;
  }
  auto deadline = started + std::chrono::seconds(options.timeout_seconds);
  std::string port_error = "the container has not started yet";
  std::string connect_error;
  auto last_port_query = std::chrono::steady_clock::time_point{};
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(cluster->cli_pid_, &status, WNOHANG) == cluster->cli_pid_) {
      cluster->cli_pid_ = -1;
      std::string output = tail(log);
      error = diagnose_container_failure(output, options.image, options.cli) + cluster->redact(indented(output));
      return nullptr;
    }
    auto now = std::chrono::steady_clock::now();
    if (cluster->port_ == 0 && now - last_port_query >= std::chrono::milliseconds(250)) {
      // Each query is a process; while the image is pulled the container does not exist yet.
      last_port_query = now;
      ProcessResult port = run_process(container_port_argv(options.cli, cluster->name_), std::nullopt, 15);
      if (port.exit_code == 0) {
        if (auto p = parse_port_output(port.output, port_error)) cluster->port_ = *p;
      } else {
        port_error = port.output;
      }
    }
    if (cluster->port_ != 0 && PQping((cluster->conninfo() + " connect_timeout=2").c_str()) == PQPING_OK) {
      PgConnection probe(cluster->conninfo());
      if (probe.connected()) {
        cluster->version_ = probe.exec("SHOW server_version").value(0, 0);
        if (std::size_t space = cluster->version_.find(' '); space != std::string::npos)
          cluster->version_.resize(space);  // "17.2 (Debian 17.2-1.pgdg120+1)"
        cluster->startup_seconds_ =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return cluster;
      }
      connect_error = probe.error();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::ostringstream why;
  why << "PostgreSQL in container " << cluster->name_ << " did not accept connections within "
      << options.timeout_seconds << " s (";
  if (cluster->port_ == 0) why << "port 5432 not published: " << port_error;
  else why << "127.0.0.1:" << cluster->port_ << (connect_error.empty() ? " does not answer" : ": " + connect_error);
  why << "); check that " << options.image
      << " is a PostgreSQL image with the official image's entrypoint (POSTGRES_PASSWORD, PGDATA, "
         "arguments passed to postgres)"
      << indented(tail(log));
  error = cluster->redact(why.str());
  return nullptr;
}

std::string DockerCluster::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres password=" + password_ +
         " dbname=" + database + " sslmode=disable application_name=lockward";
}

void DockerCluster::stop() {
  bool seen = port_ != 0;
  // The container goes first; the attached CLI then ends by itself.
  if (!name_.empty()) run_process(container_remove_argv(options_.cli, {name_}), std::nullopt, 60);
  if (cli_pid_ > 0) {
    stop_child(cli_pid_, SIGINT, 10000);  // still pulling or creating: abort that
    cli_pid_ = -1;
    // A CLI stopped mid-start may have created the container after the first removal.
    if (!seen && !name_.empty()) run_process(container_remove_argv(options_.cli, {name_}), std::nullopt, 60);
  }
  name_.clear();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

DockerCluster::~DockerCluster() { stop(); }

}  // namespace lockward::trace
