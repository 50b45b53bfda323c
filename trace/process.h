// Runs child processes without a shell: argument vectors only, optional user switch (to run
// PostgreSQL as an unprivileged user when lockward runs as root), captured output, timeouts.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lockward::trace {

struct RunAs {
  uid_t uid;
  gid_t gid;
};

struct ProcessResult {
  int exit_code = -1;  // -1: could not start or timed out
  std::string output;  // stdout and stderr together
};

// Extra "NAME=value" entries for a child's environment, over ours. The way to hand a child a
// secret: argv is world-readable in /proc, a process's environment is not.
using Environment = std::vector<std::string>;

// Runs to completion (or kills it after timeout_seconds).
ProcessResult run_process(const std::vector<std::string>& argv, std::optional<RunAs> as, int timeout_seconds,
                          const Environment& env = {});

// Starts in the background in its own process group, output to `log_path`; returns the pid
// or -1. `die_with_parent` asks the kernel to SIGINT the child (PostgreSQL's fast shutdown)
// when this process dies, even by SIGKILL.
pid_t spawn_process(const std::vector<std::string>& argv, std::optional<RunAs> as, const std::string& log_path,
                    bool die_with_parent, const Environment& env = {});

// Sends `signal` to our child `pid` and reaps it, escalating to SIGKILL after `timeout_ms`.
void stop_child(pid_t pid, int signal, int timeout_ms);

// True when `pid` runs as `uid` (real and effective), its executable is named `exe_name` and
// its working directory is `cwd`. What must hold before signalling a pid read from a file
// another user can write (a postmaster.pid): otherwise that user could name any process.
bool process_matches(pid_t pid, uid_t uid, const std::string& exe_name, const std::filesystem::path& cwd);

// The unprivileged account to run PostgreSQL as when we are root: "postgres" if it exists,
// else "nobody". nullopt when we are not root (run as ourselves).
std::optional<RunAs> unprivileged_user();

}  // namespace lockward::trace
