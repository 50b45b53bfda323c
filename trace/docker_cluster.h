// A throwaway PostgreSQL in a Docker or Podman container: `postgres:<major>-alpine` (or an
// image the user names), published on 127.0.0.1 only at a port the engine picks, with a
// random password that lives only in this process and the container's environment (never in
// argv, a file or a log), data on a tmpfs, durability off. The CLI runs attached, so when
// lockward dies (even by SIGKILL) the CLI gets SIGINT and passes it to PostgreSQL (fast
// shutdown) and `--rm` removes the container; containers are labelled with their owner's pid
// and host so that the next start removes any that outlived their owner.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace lockward::trace {

struct DockerOptions {
  std::filesystem::path cli;            // from choose_container_cli
  std::string image;                    // checked with image_reference_error
  std::vector<std::string> extra_args;  // from $LOCKWARD_DOCKER_ARGS
  int timeout_seconds = 300;            // pull and start together
};

class DockerCluster {
 public:
  // Starts a container, or returns nullptr with `error` set: one line of what failed with the
  // next step, then the CLI's and container's output tail (credentials scrubbed).
  static std::unique_ptr<DockerCluster> start(const DockerOptions& options, std::string& error);
  ~DockerCluster();
  DockerCluster(const DockerCluster&) = delete;
  DockerCluster& operator=(const DockerCluster&) = delete;

  // libpq connection string: host=127.0.0.1, the published port, user postgres, the password.
  std::string conninfo(const std::string& database = "postgres") const;
  const std::string& container_name() const { return name_; }
  int port() const { return port_; }
  const std::string& server_version() const { return version_; }  // "17.2"
  double startup_seconds() const { return startup_seconds_; }
  const DockerOptions& options() const { return options_; }
  const std::filesystem::path& directory() const { return dir_; }  // 0700, holds owner.pid
  // Removes the container (rm -f), reaps the CLI and removes the private directory.
  void stop();

 private:
  DockerCluster() = default;
  std::string redact(std::string text) const;
  DockerOptions options_;
  std::string name_;
  std::string password_;
  int port_ = 0;
  pid_t cli_pid_ = -1;
  std::filesystem::path dir_;  // 0700; holds owner.pid and the attached CLI's output
  std::string version_;
  double startup_seconds_ = 0;
};

// Removes the labelled containers this host started whose owning process is gone. Returns
// how many were removed; 0 when the CLI cannot list them (start() then says why).
int remove_orphaned_containers(const std::filesystem::path& cli);

}  // namespace lockward::trace
