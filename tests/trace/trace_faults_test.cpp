// Faults during a trace: a server that dies mid-file is an error, not a result; a cancel
// cancels the running statement; an absurd --keep-warm is refused. Real clusters throughout.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "analysis/analyze.h"
#include "tests/support/run_binary.h"
#include "trace/local_cluster.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/tracer.h"

using namespace lockward;
namespace fs = std::filesystem;

namespace {

const std::string kSlowFile = "CREATE TABLE a (id int);\nSELECT pg_sleep(5);\nCREATE TABLE b (id int);\n";

// A cluster of the test's own (it may be killed), a database "app", and kSlowFile analysed.
struct SlowTrace {
  std::unique_ptr<trace::LocalCluster> cluster;
  std::unique_ptr<trace::PgConnection> session, observer;
  analysis::Analysis analysis;
  SlowTrace() {
    trace::PgLookup lookup = trace::find_pg_binaries({});
    INFO(lookup.error);
    REQUIRE(lookup.binaries);
    std::string error;
    cluster = trace::LocalCluster::start(*lookup.binaries, error);
    INFO(error);
    REQUIRE(cluster);
    REQUIRE(trace::PgConnection(cluster->conninfo()).exec("CREATE DATABASE app").ok());
    session = std::make_unique<trace::PgConnection>(cluster->conninfo("app"));
    observer = std::make_unique<trace::PgConnection>(cluster->conninfo("app"));
    analysis::Options options;
    options.pg_version = cluster->binaries().major;
    analysis = analysis::analyze(kSlowFile, options);
  }
};

bool any_dropped(const trace::FileTrace& ft) {
  for (const auto& s : ft.statements)
    for (const auto& c : s.changes)
      if (c.find("dropped") != std::string::npos) return true;
  return false;
}

// Waits until backend `pid` of `cluster` runs pg_sleep.
bool wait_sleeping(trace::LocalCluster& cluster, int pid) {
  trace::PgConnection watcher(cluster.conninfo());
  for (int i = 0; i < 1000; ++i) {
    if (watcher.exec("SELECT 1 FROM pg_stat_activity WHERE pid = " + std::to_string(pid) +
                     " AND query LIKE '%pg_sleep%' AND state = 'active'").rows.size() == 1)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace

TEST_CASE("a server that dies mid-trace is a fatal error, with no catalog changes claimed", "[trace][faults]") {
  SlowTrace t;
  auto& cluster = t.cluster;
  REQUIRE(t.session->exec("CREATE TABLE users (id int); CREATE TABLE orders (id int)").ok());
  trace::FileTrace ft;
  std::thread tracer([&] { ft = trace::trace_file(*t.session, *t.observer, kSlowFile, t.analysis, {}); });
  bool sleeping = wait_sleeping(*cluster, t.session->backend_pid());
  kill(cluster->postmaster_pid(), SIGKILL);  // backends notice and exit at once
  tracer.join();
  REQUIRE(sleeping);
  INFO(ft.fatal_error);
  CHECK(ft.fatal_error.find("server went away during statement 2 (line 2)") != std::string::npos);
  CHECK_FALSE(any_dropped(ft));
  cluster->stop();
}

TEST_CASE("a cancelled trace cancels the running statement", "[trace][faults][cancel]") {
  SlowTrace t;
  trace::PgConnection& session = *t.session;
  std::atomic<bool> cancel{false};
  trace::TraceOptions trace_options;
  trace_options.cancelled = [&] { return cancel.load(); };
  trace::FileTrace ft;
  std::chrono::steady_clock::time_point cancelled_at, returned_at;
  std::thread tracer([&] {
    ft = trace::trace_file(session, *t.observer, kSlowFile, t.analysis, trace_options);
    returned_at = std::chrono::steady_clock::now();
  });
  REQUIRE(wait_sleeping(*t.cluster, session.backend_pid()));
  cancelled_at = std::chrono::steady_clock::now();
  cancel = true;
  tracer.join();
  double ms = std::chrono::duration<double, std::milli>(returned_at - cancelled_at).count();
  std::printf("trace_file returned %.1f ms after the cancel\n", ms);
  CHECK(ms < 2000);  // generous: without PQcancel, the rest of pg_sleep(5)
  CHECK(ft.cancelled);
  CHECK(ft.fatal_error.empty());
  REQUIRE(ft.statements.size() == 3);
  CHECK(ft.statements[0].executed);
  CHECK_FALSE(ft.statements[1].executed);  // cancelled: not an error of the migration
  CHECK_FALSE(ft.statements[1].error);
  CHECK_FALSE(ft.statements[2].executed);
  // Rolled back and usable: the session is idle, b was never created.
  CHECK_FALSE(session.in_transaction());
  CHECK(session.exec("SELECT to_regclass('b') IS NULL").value(0, 0) == "t");
}

TEST_CASE("lockward trace exits non-zero when its server dies mid-file", "[trace][faults][cli]") {
  lockward::test::TempDir state, dir;
  std::string file = dir.write("001_slow.sql", kSlowFile);
  std::string out = (dir.path / "out.txt").string();
  pid_t child = fork();
  if (child == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    setenv("LOCKWARD_STATE_DIR", state.path.c_str(), 1);
    execl(LOCKWARD_BINARY, LOCKWARD_BINARY, "trace", "--pg-version", "15", file.c_str(), nullptr);
    _exit(127);
  }
  // The cluster's directory, once registered and accepting connections; then its postmaster.
  pid_t postmaster = 0;
  fs::path cluster_dir;
  for (int i = 0; i < 3000 && cluster_dir.empty(); ++i) {
    std::error_code ec;
    for (fs::directory_iterator it(state.path / "clusters", ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".keep" || it->path().extension() == ".tmp") continue;
      std::ifstream in(it->path());
      std::string d;
      std::getline(in, d);
      if (!d.empty() && fs::exists(fs::path(d) / ".s.PGSQL.5432")) cluster_dir = d;
    }
    if (cluster_dir.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE_FALSE(cluster_dir.empty());
  std::ifstream(cluster_dir / "data" / "postmaster.pid") >> postmaster;
  REQUIRE(postmaster > 0);
  // Wait until the trace sleeps in its second statement.
  bool sleeping = false;
  {
    trace::PgConnection watcher(trace::local_conninfo(cluster_dir, "postgres"));
    for (int i = 0; i < 3000 && !sleeping; ++i) {
      sleeping = watcher.exec("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'")
                     .rows.size() == 1;
      if (!sleeping) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  REQUIRE(sleeping);
  kill(postmaster, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  std::ifstream in(out);
  std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO(output);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(output.find("server went away") != std::string::npos);
  CHECK(output.find("dropped") == std::string::npos);
}

TEST_CASE("lockward trace --keep-warm refuses values that would overflow", "[trace][faults][cli]") {
  lockward::test::TempDir dir;
  std::string file = dir.write("001.sql", "SELECT 1;\n");
  for (const char* huge : {"99999999999999999", "99999999999999999999999", "9999999999999999d", "366d"}) {
    auto r = lockward::test::run_lockward(std::string("trace --pg-version 15 --keep-warm ") + huge + " " + file);
    INFO(huge << ": " << r.output);
    CHECK(r.code == 2);
    CHECK(r.output.find("--keep-warm: at most 365 days") != std::string::npos);
  }
  for (const char* bad : {"soon", "-5", "5 m"}) {
    auto r = lockward::test::run_lockward(std::string("trace --pg-version 15 --keep-warm '") + bad + "' " + file);
    INFO(bad << ": " << r.output);
    CHECK(r.code == 2);
    CHECK(r.output.find("expected seconds or a duration") != std::string::npos);
  }
}
