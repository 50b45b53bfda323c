// Hostile neighbours of root's trace. /dev/shm is shared by every local user, and a traced
// migration can reach a shell as the cluster's user (COPY … TO PROGRAM): neither may make
// lockward signal a process, write a file or stall. The attacks run as `nobody` or as the
// cluster's user against this test's own victim processes and files, in cluster and state
// directories of the test's own (LOCKWARD_CLUSTER_PARENT, LOCKWARD_STATE_DIR), so clusters of
// other lockward processes on this machine are neither seen nor touched.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/run_binary.h"
#include "trace/local_cluster.h"
#include "trace/pg_binaries.h"
#include "trace/private_files.h"
#include "trace/process.h"

namespace fs = std::filesystem;
using lockward::test::run_lockward_env;
using lockward::test::run_shell;
using lockward::test::TempDir;

namespace {

constexpr uid_t kNobody = 65534;

// A process of ours that must survive: a root `sleep`.
struct Victim {
  pid_t pid = -1;
  Victim() {
    pid = fork();
    if (pid == 0) {
      execl("/bin/sleep", "sleep", "120", nullptr);
      _exit(127);
    }
  }
  ~Victim() {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  bool alive() const { return waitpid(pid, nullptr, WNOHANG) == 0; }
};

// A pid that no process has (one that just exited).
pid_t dead_pid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

// Runs `script` (no single quotes) as uid/gid, the way another local user would.
lockward::test::CommandResult run_as(uid_t uid, gid_t gid, const std::string& script) {
  return run_shell("setpriv --reuid=" + std::to_string(uid) + " --regid=" + std::to_string(gid) +
                   " --clear-groups sh -c '" + script + "' 2>&1");
}

// A directory every user may create entries in, like /dev/shm (sticky, world-writable).
struct SharedDir : TempDir {
  SharedDir() { chmod(path.c_str(), 01777); }
};

std::string env_of(const fs::path& state, const fs::path& parent) {
  return "LOCKWARD_STATE_DIR=" + state.string() + " LOCKWARD_CLUSTER_PARENT=" + parent.string();
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  return names;
}

// Registry entries and keeper sockets left in a state directory (its lock and keeper logs
// are not state).
std::vector<std::string> leftover_state(const fs::path& state) {
  std::vector<std::string> left;
  for (const auto& name : entries(state / "clusters")) left.push_back("clusters/" + name);
  for (const auto& name : entries(state / "leases")) left.push_back("leases/" + name);
  for (const auto& name : entries(state))
    if (name.size() > 1 && name[0] == 's' && std::isdigit(static_cast<unsigned char>(name[1]))) left.push_back(name);
  return left;
}

// The cluster directory a warm cluster registered in `state`.
fs::path registered_dir(const fs::path& state) {
  for (const auto& name : entries(state / "clusters")) {
    if (name.find('.') != std::string::npos) continue;
    std::istringstream in(read_file(state / "clusters" / name));
    std::string dir;
    std::getline(in, dir);
    return dir;
  }
  return {};
}

std::string one_migration(const TempDir& dir) { return dir.write("001_create.sql", "CREATE TABLE t (id int);\n"); }

}  // namespace

TEST_CASE("a cluster directory planted by another user is neither signalled, used nor cleaned", "[trace][hostile]") {
  if (geteuid() != 0) return;  // the attack is on root's trace
  SharedDir parent;
  TempDir state, migrations;
  Victim victim;
  pid_t dead = dead_pid();
  fs::path planted = parent.path / "lockward-pg-planted";
  auto plant = run_as(kNobody, kNobody,
                      "mkdir -p " + planted.string() + "/data " + planted.string() + "/pg/data && echo " +
                          std::to_string(dead) + " > " + planted.string() + "/owner.pid && echo " +
                          std::to_string(victim.pid) + " > " + planted.string() + "/data/postmaster.pid && echo " +
                          std::to_string(victim.pid) + " > " + planted.string() + "/pg/data/postmaster.pid");
  REQUIRE(plant.code == 0);
  // Root's next cold trace removes orphans before it starts its cluster.
  auto r = run_lockward_env(env_of(state.path, parent.path), "trace --pg-version 15 " + one_migration(migrations));
  CHECK(r.code == 0);
  CHECK(victim.alive());
  CHECK(fs::exists(planted / "data" / "postmaster.pid"));
}

TEST_CASE("an orphan's postmaster.pid, the server user's file, cannot name a process to signal", "[trace][hostile]") {
  if (geteuid() != 0) return;
  SharedDir parent;
  TempDir precious;
  setenv("LOCKWARD_CLUSTER_PARENT", parent.path.c_str(), 1);
  Victim victim;
  auto server = lockward::trace::unprivileged_user();
  REQUIRE(server);
  // One of our own clusters whose owner was killed, as LocalCluster lays it out, whose server
  // user then rewrote postmaster.pid and planted a symlink to a directory of root's.
  fs::path root = parent.path / "lockward-pg-orphan";
  REQUIRE(mkdir(root.c_str(), 0700) == 0);
  std::ofstream(root / "owner.pid") << dead_pid() << "\n";
  REQUIRE(mkdir((root / "pg").c_str(), 0700) == 0);
  REQUIRE(chown((root / "pg").c_str(), server->uid, server->gid) == 0);
  REQUIRE(chown(root.c_str(), 0, server->gid) == 0);
  REQUIRE(chmod(root.c_str(), 0710) == 0);
  std::ofstream(precious.path / "keep") << "root's\n";
  auto plant = run_as(server->uid, server->gid,
                      "mkdir " + (root / "pg" / "data").string() + " && echo " + std::to_string(victim.pid) + " > " +
                          (root / "pg" / "data" / "postmaster.pid").string() + " && ln -s " + precious.path.string() +
                          " " + (root / "pg" / "tablespace").string());
  REQUIRE(plant.code == 0);
  CHECK(lockward::trace::remove_orphaned_clusters() == 1);
  unsetenv("LOCKWARD_CLUSTER_PARENT");
  CHECK(victim.alive());
  CHECK_FALSE(fs::exists(root));
  CHECK(read_file(precious.path / "keep") == "root's\n");
}

TEST_CASE("a real orphan's postmaster passes the check that a planted pid fails", "[trace][hostile]") {
  TempDir parent;
  chmod(parent.path.c_str(), 0711);
  setenv("LOCKWARD_CLUSTER_PARENT", parent.path.c_str(), 1);
  auto lookup = lockward::trace::find_pg_binaries({std::nullopt, 15});
  REQUIRE(lookup.binaries);
  std::string error;
  auto cluster = lockward::trace::LocalCluster::start(*lookup.binaries, error);
  unsetenv("LOCKWARD_CLUSTER_PARENT");
  REQUIRE(cluster);
  auto server = lockward::trace::unprivileged_user();
  uid_t uid = server ? server->uid : geteuid();
  fs::path data = cluster->directory() / "data";
  CHECK(lockward::trace::process_matches(cluster->postmaster_pid(), uid, "postgres", data));
  CHECK_FALSE(lockward::trace::process_matches(getpid(), uid, "postgres", data));
  CHECK_FALSE(lockward::trace::process_matches(cluster->postmaster_pid(), uid, "postgres", parent.path));
  // The ownership record is ours, out of the server user's reach.
  struct stat st{};
  REQUIRE(lstat((cluster->directory().parent_path() / "owner.pid").c_str(), &st) == 0);
  CHECK(st.st_uid == geteuid());
  REQUIRE(lstat(cluster->directory().parent_path().c_str(), &st) == 0);
  CHECK(st.st_uid == geteuid());
  CHECK((st.st_mode & 0022) == 0);
}

TEST_CASE("a state directory planted by another user is refused: no file of ours is rewritten", "[trace][hostile]") {
  if (geteuid() != 0) return;
  SharedDir parent;
  TempDir migrations, secrets;
  fs::path state = parent.path / "state";
  fs::path precious = secrets.path / "precious";
  std::ofstream(precious) << "root's\n";
  chmod(secrets.path.c_str(), 0755);
  // The registry's temporaries are <key>.tmp (and, now, <key>.<pid>.tmp): point the names a
  // keeper of PostgreSQL 15 would write at root's file.
  auto lookup = lockward::trace::find_pg_binaries({std::nullopt, 15});
  REQUIRE(lookup.binaries);
  std::string key = "pg15";
  for (char c : lookup.binaries->bin_dir.lexically_normal().string())
    key += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  auto plant = run_as(kNobody, kNobody,
                      "mkdir -p " + (state / "clusters").string() + " " + (state / "leases").string() + " && chmod -R 777 " +
                          state.string() + " && ln -s " + precious.string() + " " +
                          (state / "clusters" / (key + ".tmp")).string());
  REQUIRE(plant.code == 0);
  auto r = run_lockward_env(env_of(state, parent.path), "trace --pg-version 15 " + one_migration(migrations));
  CHECK(r.code != 0);
  CHECK(r.output.find("refusing " + state.string()) != std::string::npos);
  CHECK(r.output.find("owned by uid 65534") != std::string::npos);
  CHECK(read_file(precious) == "root's\n");
  auto stop = run_lockward_env(env_of(state, parent.path), "pg stop");
  CHECK(stop.output.find("refusing " + state.string()) != std::string::npos);
}

TEST_CASE("another user holding the state directory's lock cannot stall the trace", "[trace][hostile]") {
  if (geteuid() != 0) return;
  SharedDir parent;
  TempDir migrations;
  fs::path state = parent.path / "state";
  REQUIRE(run_as(kNobody, kNobody, "mkdir -m 700 " + state.string()).code == 0);
  pid_t holder = fork();
  if (holder == 0) {
    setpgid(0, 0);  // flock's `sleep` child goes with it: ctest waits for every holder of the output
    execl("/usr/bin/setpriv", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "flock",
          (state / "lock").c_str(), "sleep", "60", nullptr);
    _exit(127);
  }
  for (int i = 0; i < 300 && !fs::exists(state / "lock"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // Without the check the trace waits for the lock as long as its holder likes: 60 s here.
  auto r = run_shell("env " + env_of(state, parent.path) + " timeout 20 " LOCKWARD_BINARY " trace --pg-version 15 " +
                     one_migration(migrations) + " 2>&1");
  kill(-holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  CHECK(r.code != 124);  // timeout(1)'s: it stalled
  CHECK(r.output.find("refusing " + state.string()) != std::string::npos);
}

TEST_CASE("a lock held too long ends the wait with the holder's name", "[trace][hostile]") {
  TempDir state;
  fs::path lock_file = state.path / "lock";
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t holder = fork();
  if (holder == 0) {  // a stuck lockward of the same user
    int fd = open(lock_file.c_str(), O_RDWR | O_CREAT, 0600);
    flock(fd, LOCK_EX);
    if (write(ready[1], "x", 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char c;
  REQUIRE(read(ready[0], &c, 1) == 1);
  lockward::trace::FileLock lock(lock_file, 1);
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  CHECK_FALSE(lock.ok());
  CHECK(lock.error().find("locked by process " + std::to_string(holder)) != std::string::npos);
  close(ready[0]);
  close(ready[1]);
  lockward::trace::FileLock free_now(lock_file, 1);
  CHECK(free_now.ok());
}

TEST_CASE("the cluster's user cannot make a later trace signal a foreign process", "[trace][hostile]") {
  if (geteuid() != 0) return;
  SharedDir parent;
  TempDir state, migrations;
  auto server = lockward::trace::unprivileged_user();
  REQUIRE(server);
  std::string env = env_of(state.path, parent.path);
  std::string file = one_migration(migrations);
  auto first = run_lockward_env(env, "trace --pg-version 15 --keep-warm 60 " + file);
  REQUIRE(first.code == 0);
  fs::path dir = registered_dir(state.path);
  REQUIRE_FALSE(dir.empty());
  // What `COPY … TO PROGRAM 'rm -f ../owner.pid; cat > ../owner.pid'` does from a traced
  // migration: the shell runs as the cluster's user. Every owner.pid it can reach names a root
  // process.
  Victim victim;
  std::string pid = std::to_string(victim.pid);
  run_as(server->uid, server->gid,
         "for f in " + (dir / "owner.pid").string() + " " + (dir.parent_path() / "owner.pid").string() + " " +
             (dir / "data" / "owner.pid").string() + "; do rm -f $f; echo " + pid + " > $f; done; true");
  auto second = run_lockward_env(env, "trace --pg-version 15 " + file);
  CHECK(second.code == 0);
  CHECK(second.output.find("warm cluster reused") != std::string::npos);
  auto stop = run_lockward_env(env, "pg stop");
  CHECK(stop.output.find("stopped 1 warm cluster") != std::string::npos);
  CHECK(victim.alive());
  // `pg stop` leaves no registry entry and no keeper socket.
  CHECK(leftover_state(state.path).empty());
  CHECK(entries(parent.path).empty());
}

TEST_CASE("SIGKILL of a cold trace at any moment leaves nothing behind", "[trace][hostile][signals]") {
  for (int delay_ms : {50, 200, 400, 700, 1200}) {
    INFO("killed after " << delay_ms << " ms");
    TempDir state, migrations;
    TempDir parent;
    chmod(parent.path.c_str(), 0711);  // the server's user passes through
    std::string file = one_migration(migrations);
    pid_t trace = fork();
    if (trace == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      setenv("LOCKWARD_STATE_DIR", state.path.c_str(), 1);
      setenv("LOCKWARD_CLUSTER_PARENT", parent.path.c_str(), 1);
      execl(LOCKWARD_BINARY, LOCKWARD_BINARY, "trace", "--pg-version", "15", file.c_str(), nullptr);
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(trace, SIGKILL);
    waitpid(trace, nullptr, 0);
    // The keeper finishes the start it was asked for, finds nobody to serve and stops.
    for (int i = 0; i < 2000 && !(entries(parent.path).empty() && leftover_state(state.path).empty()); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(entries(parent.path).empty());
    CHECK(leftover_state(state.path).empty());
  }
}
