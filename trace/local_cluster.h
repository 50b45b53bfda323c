// A throwaway PostgreSQL cluster on this machine: initdb, and a postmaster that listens only
// on a unix socket (no TCP), with durability switched off for speed. When lockward runs as
// root the cluster runs as an unprivileged user ("postgres", else "nobody"): PostgreSQL
// refuses to run as root. Its files, under $LOCKWARD_CLUSTER_PARENT, else /dev/shm when it
// exists:
//   lockward-pg-XXXXXX/        ours, unpredictable name, 0700 (0710 for the server's group)
//     owner.pid                ours: the process that owns the cluster (orphan removal)
//     pg/                      the server user's, 0700: data/, the socket, server.log
// The server's user (and so any SQL that reaches a shell through it) can write only under
// pg/, never the ownership record. The postmaster dies with the thread that started it
// (PR_SET_PDEATHSIG), and stop() or the destructor removes everything.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "trace/pg_binaries.h"
#include "trace/process.h"

namespace lockward::trace {

class LocalCluster {
 public:
  // Starts a cluster, or returns nullptr with `error` set (with the server log's tail).
  static std::unique_ptr<LocalCluster> start(const PgBinaries& binaries, std::string& error);
  ~LocalCluster();
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // libpq connection string for a database on this cluster (unix socket, user postgres).
  std::string conninfo(const std::string& database = "postgres") const;
  const PgBinaries& binaries() const { return binaries_; }
  // The server's directory (the socket's, pg/ above).
  const std::filesystem::path& directory() const { return dir_; }
  pid_t postmaster_pid() const { return pid_; }
  double startup_seconds() const { return startup_seconds_; }
  // A new directory inside the cluster's private directory, owned by the server's user (a
  // CREATE TABLESPACE location), removed with the cluster. Empty on failure.
  std::filesystem::path make_server_directory(const std::string& name) const;
  void stop();

 private:
  LocalCluster() = default;
  PgBinaries binaries_;
  std::filesystem::path root_;  // ours, with owner.pid
  std::filesystem::path dir_;   // root_/pg, the server user's
  pid_t pid_ = -1;
  std::optional<RunAs> run_as_;
  double startup_seconds_ = 0;
};

// libpq connection string for `database` on the cluster whose socket is in `directory`.
std::string local_conninfo(const std::filesystem::path& directory, const std::string& database);

// True while `pid` runs (also when it belongs to another user).
bool process_alive(pid_t pid);

// The directory throwaway clusters live in: $LOCKWARD_CLUSTER_PARENT, else /dev/shm when
// present, else the temp dir.
std::filesystem::path cluster_parent_directory();

// Stops and removes clusters whose owning process is gone (it was SIGKILLed, or the machine
// lost power before stop()). Each cluster directory records its owner's pid. Only our own
// directories count (owned by us, not a symlink, writable by no one else): anything else in
// the parent directory is never used, signalled or removed. A postmaster is signalled only
// after checking it is one (its uid, executable and data directory). Returns how many were
// removed. Called before every start.
int remove_orphaned_clusters();

// Stops and removes every cluster this process owns, without touching LocalCluster objects:
// for signal handlers, which may run while another thread uses them.
void remove_own_clusters();

}  // namespace lockward::trace
