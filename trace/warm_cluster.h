// Clusters shared by every lockward process of a user: back-to-back `lockward trace` runs and
// the language server reuse one warm cluster per installation or container image instead of
// starting their own.
//
// A cluster belongs to a keeper process (`lockward pg keep-warm`, detached from the terminal)
// that starts it (a LocalCluster or a DockerCluster), owns it (its owner.pid and container
// label: the postmaster or the container dies with the keeper, even by SIGKILL) and stops it
// once nobody holds a lease on it and the longest keep-warm period asked for by a releasing
// process has passed. The state directory (0700, ours: one another user created is refused)
// holds the registry:
//   lock                      flock(2) held while the registry is read or changed (waits
//                             time out with a message naming the holder)
//   clusters/<key>            the cluster's directory (its socket's) and the keeper's socket
//   s<pid>                    the keeper answers the connection string here, to this user only:
//                             a container's password never touches the disk. Its pid, the one
//                             lockward signals, comes from the kernel (SO_PEERCRED), never from
//                             a file the cluster's user could write
//   clusters/<key>.keep       epoch seconds until which it stays warm without leases
//   leases/<key>/<pid>-<n>    one file per lease; a lease whose process died no longer counts
// So a cluster never outlives its last user by more than the keep-warm period that user asked
// for, whether that user exited, was signalled or was killed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trace/docker_cluster.h"
#include "trace/pg_binaries.h"

namespace lockward::trace {

// What to keep warm: a local installation, or an image through a container CLI.
struct WarmSpec {
  enum class Kind { Local, Docker } kind = Kind::Local;
  PgBinaries binaries;  // Local
  DockerOptions docker;  // Docker
};

// $LOCKWARD_STATE_DIR, else lockward-state-<uid> beside the clusters (/dev/shm).
std::filesystem::path warm_state_directory();

class WarmLease {
 public:
  // Leases the warm cluster of `spec`, starting a keeper when none runs. `keeper_command` is
  // how to run the keeper (the lockward binary and `pg keep-warm`); "--pg-bin DIR" (or
  // "--docker-image IMG --docker-cli PATH"), "--state-dir DIR --ready-fd N" are appended.
  // nullptr with `error` set on failure. `cancelled` is polled every 10 ms while a keeper
  // starts the cluster: a cancel stops waiting at once, and the keeper, finding nobody to report
  // to, stops the cluster it started. A Docker spec's extra_args reach the keeper through its
  // environment ($LOCKWARD_DOCKER_ARGS).
  static std::unique_ptr<WarmLease> acquire(const WarmSpec& spec, const std::vector<std::string>& keeper_command,
                                            std::string& error, const std::function<bool()>& cancelled = {});
  ~WarmLease();  // release(keep_warm())
  WarmLease(const WarmLease&) = delete;
  WarmLease& operator=(const WarmLease&) = delete;

  std::string conninfo(const std::string& database = "postgres") const;
  const std::filesystem::path& directory() const { return cluster_dir_; }
  const std::string& server_version() const { return server_version_; }  // "15.18"
  int server_major() const { return std::atoi(server_version_.c_str()); }
  bool started() const { return started_; }  // this lease's acquire started the cluster
  double startup_seconds() const { return startup_seconds_; }
  pid_t keeper_pid() const { return keeper_; }

  // How long the cluster should stay warm after this lease ends (default 0: stop it then,
  // unless another lease holds it or an earlier user asked for longer).
  void set_keep_warm(std::chrono::seconds keep) { keep_warm_ = keep; }
  std::chrono::seconds keep_warm() const { return keep_warm_; }
  // Ends the lease; when that leaves the cluster due to stop, waits (up to 10 s) until the
  // keeper has stopped it, so an exiting process leaves no postgres behind. Idempotent.
  void release();

 private:
  WarmLease() = default;
  std::string base_conninfo_, server_version_;
  std::filesystem::path state_dir_, cluster_dir_, lease_file_;
  std::string key_;
  pid_t keeper_ = -1;
  bool started_ = false;
  bool released_ = false;
  double startup_seconds_ = 0;
  std::chrono::seconds keep_warm_{0};
};

// The keeper's main (`lockward pg keep-warm`): starts the cluster, registers it, reports
// "ready <dir>" or "error <message>" on `ready_fd`, then keeps it until it is due to stop or
// the keeper gets SIGINT/SIGTERM/SIGHUP. Returns the exit code.
int run_warm_keeper(const WarmSpec& spec, const std::filesystem::path& state_dir, int ready_fd);

// Stops every warm cluster registered in the state directory (`lockward pg stop`), waiting
// for the keepers and removing their sockets; returns how many were stopped, or -1 with
// `error` set (a state directory that is not ours, a lock held too long).
int stop_warm_clusters(std::string& error);

}  // namespace lockward::trace
