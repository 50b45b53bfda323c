#include "trace/container_cli.h"

#include <unistd.h>

#include <sstream>

namespace lockward::trace {
namespace fs = std::filesystem;

namespace {

bool executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

std::optional<fs::path> find_on_path(const std::string& name, const std::string& path_env) {
  std::stringstream dirs(path_env);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;  // an empty entry means "."; never run a CLI from the cwd
    fs::path candidate = fs::path(dir) / name;
    if (executable(candidate)) return fs::absolute(candidate);
  }
  return std::nullopt;
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// A label's value in Docker's "k=v,k=v" or Podman's "map[k:v k:v]"; "" when absent.
std::string label_value(const std::string& labels, const std::string& key) {
  for (std::size_t at = labels.find(key); at != std::string::npos; at = labels.find(key, at + 1)) {
    bool starts = at == 0 || labels[at - 1] == ',' || labels[at - 1] == ' ' || labels[at - 1] == '[';
    std::size_t sep = at + key.size();
    if (!starts || sep >= labels.size() || (labels[sep] != '=' && labels[sep] != ':')) continue;
    std::size_t end = labels.find_first_of(", ]", sep + 1);
    return labels.substr(sep + 1, end == std::string::npos ? std::string::npos : end - sep - 1);
  }
  return "";
}

}  // namespace

CliChoice choose_container_cli(const std::string& requested, const std::string& path_env) {
  CliChoice choice;
  if (!requested.empty()) {
    if (requested.find('/') != std::string::npos) {
      if (executable(requested)) choice.path = fs::absolute(requested);
      else choice.error = "the container CLI " + requested + " is not an executable file";
      return choice;
    }
    choice.path = find_on_path(requested, path_env);
    if (!choice.path)
      choice.error = "the container CLI '" + requested + "' is not on PATH; install it, or pass --docker-cli with its path";
    return choice;
  }
  for (const char* name : {"docker", "podman"}) {
    if ((choice.path = find_on_path(name, path_env))) return choice;
  }
  choice.error =
      "neither docker nor podman is on PATH; install one (or pass --docker-cli PATH), or use --provider local "
      "(a throwaway cluster from a local PostgreSQL installation)";
  return choice;
}

std::vector<std::string> split_extra_args(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

std::vector<std::string> container_run_argv(const RunSpec& spec) {
  // PGDATA on a tmpfs of its own: nothing of the throwaway cluster reaches the disk, and no
  // image's VOLUME path is involved (PostgreSQL 18 images moved theirs).
  const std::string pgdata = "/var/lib/postgresql/lockward";
  std::vector<std::string> argv = {spec.cli.string(),
                                   "run",
                                   "--rm",
                                   "--sig-proxy=true",
                                   "--name", spec.name,
                                   "--label", kClusterLabel,
                                   "--label", std::string(kOwnerPidLabel) + "=" + std::to_string(spec.owner_pid),
                                   "--label", std::string(kOwnerHostLabel) + "=" + spec.owner_host,
                                   "-p", "127.0.0.1::5432",
                                   "-e", kPasswordVariable,
                                   "-e", "PGDATA=" + pgdata,
                                   "--tmpfs", pgdata};
  argv.insert(argv.end(), spec.extra_args.begin(), spec.extra_args.end());
  argv.push_back(spec.image);
  // The image's entrypoint hands arguments that start with '-' to postgres.
  for (const char* setting : {"fsync=off", "synchronous_commit=off", "full_page_writes=off", "autovacuum=off",
                              "max_locks_per_transaction=256"}) {
    argv.push_back("-c");
    argv.push_back(setting);
  }
  return argv;
}

std::vector<std::string> container_port_argv(const fs::path& cli, const std::string& container) {
  return {cli.string(), "port", container, "5432/tcp"};
}

std::vector<std::string> container_remove_argv(const fs::path& cli, const std::vector<std::string>& ids) {
  std::vector<std::string> argv = {cli.string(), "rm", "-f"};
  argv.insert(argv.end(), ids.begin(), ids.end());
  return argv;
}

std::vector<std::string> container_list_argv(const fs::path& cli) {
  // {{.Labels}}, not {{.Label "k"}}: Podman 4 has no .Label, and the two print .Labels
  // differently (parse_container_list reads both).
  return {cli.string(), "ps", "-a", "--no-trunc", "--filter", std::string("label=") + kClusterLabel,
          "--format", "{{.ID}} {{.Labels}}"};
}

std::vector<std::string> container_logs_argv(const fs::path& cli, const std::string& container) {
  return {cli.string(), "logs", "--tail", "30", container};
}

std::optional<int> parse_port_output(const std::string& output, std::string& error) {
  std::optional<int> any, loopback;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    if (std::size_t arrow = line.find("->"); arrow != std::string::npos) line = trim(line.substr(arrow + 2));
    std::size_t colon = line.rfind(':');
    if (line.empty() || colon == std::string::npos || colon + 1 == line.size()) continue;
    std::string host = line.substr(0, colon), port_text = line.substr(colon + 1);
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) continue;
    int port = std::stoi(port_text);
    if (port <= 0 || port > 65535) continue;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "127.0.0.1" || host == "localhost") {
      if (!loopback) loopback = port;
    } else if (host == "0.0.0.0" || host == "::" || host.empty()) {
      if (!any) any = port;
    }
  }
  if (loopback) return loopback;
  if (any) return any;  // published on every address: still reachable on 127.0.0.1
  std::string shown = trim(output);
  if (shown.size() > 200) shown = shown.substr(0, 200) + "…";
  error = shown.empty() ? "the container publishes no port for 5432/tcp"
                        : "cannot read the published port of 5432/tcp from: " + shown;
  return std::nullopt;
}

std::vector<LabelledContainer> parse_container_list(const std::string& output) {
  std::vector<LabelledContainer> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    std::size_t space = line.find(' ');
    std::string id = line.substr(0, space);
    if (id.empty() || id.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
    std::string labels = space == std::string::npos ? "" : line.substr(space + 1);
    LabelledContainer c;
    c.id = id;
    std::string pid = label_value(labels, kOwnerPidLabel);
    if (!pid.empty() && pid.size() < 10 && pid.find_first_not_of("0123456789") == std::string::npos)
      c.owner_pid = static_cast<pid_t>(std::stol(pid));
    c.owner_host = label_value(labels, kOwnerHostLabel);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> select_orphans(const std::vector<LabelledContainer>& containers, const std::string& host,
                                        const std::function<bool(pid_t)>& alive) {
  std::vector<std::string> out;
  for (const auto& c : containers) {
    // Another machine's containers (a shared engine) are not ours to judge.
    if (c.owner_host != host) continue;
    if (c.owner_pid && *c.owner_pid > 0 && alive(*c.owner_pid)) continue;
    out.push_back(c.id);
  }
  return out;
}

std::string diagnose_container_failure(const std::string& output, const std::string& image, const fs::path& cli) {
  auto has = [&](const char* needle) { return output.find(needle) != std::string::npos; };
  std::string name = cli.filename().string();
  if (has("Cannot connect to the Docker daemon") || has("permission denied while trying to connect") ||
      has("Is the docker daemon running") || has("unable to connect to Podman"))
    return "the container engine is not reachable through " + name +
           "; start it (or check your rights on its socket), pass --docker-cli podman, or use --provider local";
  if (has("Unable to find image") || has("pull access denied") || has("manifest unknown") ||
      has("repository does not exist") || has("initializing source") || has("Error: short-name") ||
      has("failed to resolve reference") || has("requested access to the resource is denied") ||
      has("image not known"))
    return "the image " + image + " is not available and could not be pulled; run `" + name + " pull " + image +
           "` where a registry is reachable, or pass --docker-image with an image present locally";
  if (has("OCI runtime") || has("setrlimit") || has("crun:") || has("runc:") || has("cgroup"))
    return "the container runtime refused to start the container; set LOCKWARD_DOCKER_ARGS to the options this "
           "host needs (for Podman on some hosts: --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)";
  return "the container stopped before PostgreSQL accepted connections; its output follows";
}

}  // namespace lockward::trace
