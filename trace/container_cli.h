// The Docker or Podman command line, as pure functions: which CLI to use, the argument
// vectors lockward runs (never through a shell), and the parsing of what the CLI prints
// (`port`, `ps`). Separate from the container's lifecycle so all of it is testable without
// a container engine.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lockward::trace {

// Labels on every container lockward starts; orphan removal finds them by these.
inline constexpr const char* kClusterLabel = "lockward.cluster=1";
inline constexpr const char* kOwnerPidLabel = "lockward.owner-pid";
inline constexpr const char* kOwnerHostLabel = "lockward.owner-host";

struct CliChoice {
  std::optional<std::filesystem::path> path;  // absolute path to the CLI
  std::string error;                          // why none was found, with the next step
};

// `requested` (--docker-cli, else $LOCKWARD_DOCKER_CLI) is a name looked up in `path_env`
// or a path with a '/'; when it is empty, `docker` and then `podman` are looked up.
CliChoice choose_container_cli(const std::string& requested, const std::string& path_env);

// $LOCKWARD_DOCKER_ARGS split at whitespace: extra `run` options the engine needs (for
// Podman on some hosts: --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024).
std::vector<std::string> split_extra_args(const std::string& text);

struct RunSpec {
  std::filesystem::path cli;
  std::string image;
  std::string name;        // container name, so it can be found before its id is known
  pid_t owner_pid = 0;
  std::string owner_host;
  std::vector<std::string> extra_args;
};

// The name of the environment variable the password travels in. Only its name goes in argv
// (`-e POSTGRES_PASSWORD`): the CLI copies the value from its own environment.
inline constexpr const char* kPasswordVariable = "POSTGRES_PASSWORD";

// `<cli> run --rm --sig-proxy=true --name … --label … -p 127.0.0.1::5432 -e POSTGRES_PASSWORD
// [extra] <image> -c fsync=off …`: attached, so the container gets the CLI's SIGINT (fast
// shutdown) when the CLI dies with lockward.
std::vector<std::string> container_run_argv(const RunSpec& spec);
std::vector<std::string> container_port_argv(const std::filesystem::path& cli, const std::string& container);
std::vector<std::string> container_remove_argv(const std::filesystem::path& cli, const std::vector<std::string>& ids);
std::vector<std::string> container_list_argv(const std::filesystem::path& cli);
std::vector<std::string> container_logs_argv(const std::filesystem::path& cli, const std::string& container);

// The host port from `docker port <c> 5432/tcp` (or podman's): lines such as
// "127.0.0.1:49153", "0.0.0.0:49153", "[::]:49153" or "5432/tcp -> 127.0.0.1:49153". A
// 127.0.0.1 binding is preferred. nullopt with `error` set for anything else.
std::optional<int> parse_port_output(const std::string& output, std::string& error);

struct LabelledContainer {
  std::string id;
  std::optional<pid_t> owner_pid;
  std::string owner_host;
};

// The output of container_list_argv: one "<id> <labels>" line per container, where labels
// are Docker's "k=v,k=v" or Podman's "map[k:v k:v]".
std::vector<LabelledContainer> parse_container_list(const std::string& output);

// The containers to remove: started on `host` by a process that is no longer alive.
std::vector<std::string> select_orphans(const std::vector<LabelledContainer>& containers, const std::string& host,
                                        const std::function<bool(pid_t)>& alive);

// One line that says why a container did not come up and what to do next, from the CLI's
// and the container's output (image not pulled, engine unreachable, runtime refused).
std::string diagnose_container_failure(const std::string& output, const std::string& image,
                                       const std::filesystem::path& cli);

}  // namespace lockward::trace
