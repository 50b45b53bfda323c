// Killing `lockward trace` leaves no postgres process and no cluster directory behind:
// SIGTERM cleans up at once; after SIGKILL the postmaster dies with its parent and the next
// start removes the directory.
#include <catch2/catch.hpp>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "trace/local_cluster.h"

namespace fs = std::filesystem;

fs::path trace_dir();

namespace {

pid_t start_trace(const std::string& sql_file) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(LOCKWARD_BINARY, LOCKWARD_BINARY, "trace", "--pg-version", "15", sql_file.c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

// The cluster directory whose owner.pid is `owner`, once the cluster is up.
fs::path wait_for_cluster(pid_t owner) {
  for (int i = 0; i < 1000; ++i) {
    std::error_code ec;
    for (fs::directory_iterator it(trace_dir(), ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().filename().string().rfind("lockward-pg-", 0) != 0) continue;
      std::ifstream in(it->path() / "owner.pid");
      long pid = 0;
      in >> pid;
      // The socket, not postmaster.pid: initdb's bootstrap backend writes one too.
      if (pid == owner && fs::exists(it->path() / ".s.PGSQL.5432")) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it reach pg_sleep
        return it->path();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {};
}

pid_t postmaster_of(const fs::path& dir) {
  std::ifstream in(dir / "data" / "postmaster.pid");
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

bool alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

bool wait_dead(pid_t pid, int ms) {
  for (int i = 0; i < ms / 10 && alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return !alive(pid);
}

std::string slow_migration() {
  std::string path = (fs::temp_directory_path() / "lockward-slow-migration.sql").string();
  std::ofstream(path) << "SELECT 1;\nSELECT pg_sleep(60);\n";
  return path;
}

}  // namespace

fs::path trace_dir() { return lockward::trace::cluster_parent_directory(); }

TEST_CASE("SIGTERM stops the cluster and removes its directory", "[trace][signals]") {
  pid_t child = start_trace(slow_migration());
  fs::path dir = wait_for_cluster(child);
  REQUIRE_FALSE(dir.empty());
  pid_t postmaster = postmaster_of(dir);
  REQUIRE(alive(postmaster));
  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
  CHECK(wait_dead(postmaster, 5000));
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("after SIGKILL the postmaster dies and the next start removes the directory", "[trace][signals]") {
  pid_t child = start_trace(slow_migration());
  fs::path dir = wait_for_cluster(child);
  REQUIRE_FALSE(dir.empty());
  pid_t postmaster = postmaster_of(dir);
  REQUIRE(alive(postmaster));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(wait_dead(postmaster, 10000));
  // The next start (here, or in a test running in parallel) removes the orphan.
  lockward::trace::remove_orphaned_clusters();
  CHECK_FALSE(fs::exists(dir));
}
