// Killing `lockward trace` leaves no postgres process and no cluster directory behind. The
// cluster belongs to a keeper process shared by every lockward of the user: SIGTERM ends the
// trace's lease and the keeper stops the cluster before the trace exits; after SIGKILL the
// keeper sees the lease's process gone and stops it within a second. Each test has a state
// directory of its own, so tests running in parallel never share a cluster.
#include <catch2/catch.hpp>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/run_binary.h"
#include "trace/local_cluster.h"

namespace fs = std::filesystem;

namespace {

pid_t start_trace(const std::string& sql_file, const fs::path& state_dir) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    setenv("LOCKWARD_STATE_DIR", state_dir.c_str(), 1);
    execl(LOCKWARD_BINARY, LOCKWARD_BINARY, "trace", "--pg-version", "15", sql_file.c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

// The cluster directory registered in `state_dir`, once the cluster is up.
fs::path wait_for_cluster(const fs::path& state_dir) {
  for (int i = 0; i < 1000; ++i) {
    std::error_code ec;
    for (fs::directory_iterator it(state_dir / "clusters", ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".keep" || it->path().extension() == ".tmp") continue;
      std::ifstream in(it->path());
      std::string dir;
      std::getline(in, dir);
      // The socket, not postmaster.pid: initdb's bootstrap backend writes one too.
      if (!dir.empty() && fs::exists(fs::path(dir) / ".s.PGSQL.5432")) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it reach pg_sleep
        return dir;
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

bool alive(pid_t pid) { return lockward::trace::process_alive(pid); }

bool wait_gone(const fs::path& dir, int ms) {
  for (int i = 0; i < ms / 10 && fs::exists(dir); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return !fs::exists(dir);
}

bool wait_dead(pid_t pid, int ms) {
  for (int i = 0; i < ms / 10 && alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return !alive(pid);
}

// In a directory of its own: trace replays the .sql files before it in the same directory.
std::string slow_migration() {
  fs::path dir = fs::temp_directory_path() / ("lockward-slow-migration-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string path = (dir / "001_slow.sql").string();
  std::ofstream(path) << "SELECT 1;\nSELECT pg_sleep(60);\n";
  return path;
}

}  // namespace


TEST_CASE("SIGTERM stops the cluster and removes its directory", "[trace][signals]") {
  lockward::test::TempDir state;
  pid_t child = start_trace(slow_migration(), state.path);
  fs::path dir = wait_for_cluster(state.path);
  REQUIRE_FALSE(dir.empty());
  pid_t postmaster = postmaster_of(dir);
  REQUIRE(alive(postmaster));
  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
  // Stopped before the trace exited: its lease was the last one.
  CHECK_FALSE(alive(postmaster));
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("after SIGKILL the keeper stops the cluster its lease held", "[trace][signals]") {
  lockward::test::TempDir state;
  pid_t child = start_trace(slow_migration(), state.path);
  fs::path dir = wait_for_cluster(state.path);
  REQUIRE_FALSE(dir.empty());
  pid_t postmaster = postmaster_of(dir);
  REQUIRE(alive(postmaster));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(wait_dead(postmaster, 10000));
  CHECK(wait_gone(dir, 5000));
}

TEST_CASE("back-to-back traces share a warm cluster and its replay template, and pg stop ends it", "[trace][signals]") {
  lockward::test::TempDir state, migrations;
  std::ofstream(migrations.path / "001_create.sql") << "CREATE TABLE t (id int);\n";
  std::ofstream(migrations.path / "002_add.sql") << "ALTER TABLE t ADD COLUMN c int;\n";
  std::string env = "LOCKWARD_STATE_DIR=" + state.path.string();
  std::string file = (migrations.path / "002_add.sql").string();
  auto first = lockward::test::run_lockward_env(env, "trace --pg-version 15 --keep-warm 60 " + file);
  CHECK(first.code == 0);
  CHECK(first.output.find("cluster started") != std::string::npos);
  CHECK(first.output.find("replay template built") != std::string::npos);
  fs::path dir = wait_for_cluster(state.path);
  REQUIRE_FALSE(dir.empty());  // still warm after the first trace exited
  auto second = lockward::test::run_lockward_env(env, "trace --pg-version 15 " + file);
  CHECK(second.code == 0);
  CHECK(second.output.find("warm cluster reused") != std::string::npos);
  CHECK(second.output.find("replay template reused") != std::string::npos);  // 001 is not replayed again
  CHECK(second.output.find("Confirmed") != std::string::npos);
  auto stop = lockward::test::run_lockward_env(env, "pg stop");
  CHECK(stop.output.find("stopped 1 warm cluster") != std::string::npos);
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("SIGINT while the cluster starts ends the trace at once and leaves no cluster", "[trace][signals][cancel]") {
  lockward::test::TempDir state;
  auto started = std::chrono::steady_clock::now();
  pid_t child = start_trace(slow_migration(), state.path);
  // The keeper runs initdb now: its log appears when it is spawned.
  bool spawning = false;
  for (int i = 0; i < 500 && !spawning; ++i) {
    std::error_code ec;
    for (fs::directory_iterator it(state.path, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".log") spawning = true;
    if (!spawning) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(spawning);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto signalled = std::chrono::steady_clock::now();
  kill(child, SIGINT);
  int status = 0;
  waitpid(child, &status, 0);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - signalled).count();
  std::printf("trace: SIGINT %.0f ms after start, during the cluster's start, exited in %.1f ms\n",
              std::chrono::duration<double, std::milli>(signalled - started).count(), ms);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGINT);
  CHECK(ms < 1000);  // generous: the number is what to watch
  // The keeper, finding nobody waiting for its report, stops the cluster it started: no
  // postgres of this state directory, no registration.
  bool clean = false;
  for (int i = 0; i < 300 && !clean; ++i) {
    clean = true;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(entry.path() / "cmdline", std::ios::binary);
      std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (cmdline.find(state.path.string()) != std::string::npos) clean = false;
    }
    if (!clean) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(clean);
  std::error_code ec;
  std::size_t registered = 0;
  for (fs::directory_iterator it(state.path / "clusters", ec), end; !ec && it != end; it.increment(ec)) ++registered;
  CHECK(registered == 0);
}
