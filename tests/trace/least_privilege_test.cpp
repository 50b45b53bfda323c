// Traced SQL runs with the least rights that work: `lockward trace` on the local provider runs
// the migration (and the replay of the migrations before it) as the unprivileged role
// lockward_migrator, so a migration from a stranger cannot run a shell on the server; trusted
// extensions still install; --superuser is the explicit way back.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/run_binary.h"
#include "trace/local_cluster.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/trace_role.h"

namespace fs = std::filesystem;

namespace {

using lockward::test::run_lockward;
using lockward::test::TempDir;

// A file the traced SQL would create through a shell; removed again by the destructor.
struct Marker {
  fs::path path;
  explicit Marker(const std::string& name)
      : path(fs::temp_directory_path() / ("lockward-" + name + "-" + std::to_string(getpid()))) {
    fs::remove(path);
  }
  ~Marker() {
    std::error_code ec;
    fs::remove(path, ec);
  }
  std::string copy_to_program() const { return "COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; touch " + path.string() + "';\n"; }
};

}  // namespace

TEST_CASE("trace: COPY TO PROGRAM fails as lockward_migrator, names the option, runs no shell",
          "[trace][cli][privilege]") {
  TempDir dir;
  Marker marker("copy-program");
  std::string file = dir.write("001_evil.sql", "CREATE TABLE t (id int);\n" + marker.copy_to_program());
  auto r = run_lockward("trace --pg-version 15 --ci " + file);
  INFO(r.output);
  CHECK(r.code == 1);  // a statement that failed to execute
  CHECK(r.output.find("pg_execute_server_program") != std::string::npos);
  CHECK(r.output.find("--superuser") != std::string::npos);
  CHECK_FALSE(fs::exists(marker.path));

  // The user's explicit choice: a superuser may.
  auto allowed = run_lockward("trace --pg-version 15 --superuser " + file);
  INFO(allowed.output);
  CHECK(allowed.code == 0);
  CHECK(allowed.output.find("0 errors") != std::string::npos);
  CHECK(fs::exists(marker.path));
}

TEST_CASE("trace: the replay of earlier migrations runs as lockward_migrator too", "[trace][cli][privilege]") {
  TempDir dir;
  Marker marker("replay-program");
  dir.write("001_evil.sql", marker.copy_to_program());
  std::string file = dir.write("002_ok.sql", "CREATE TABLE t (id int);\n");
  auto r = run_lockward("trace --pg-version 15 " + file);
  INFO(r.output);
  CHECK(r.code == 2);
  CHECK(r.output.find("replaying 001_evil.sql failed") != std::string::npos);
  CHECK(r.output.find("--superuser") != std::string::npos);
  CHECK_FALSE(fs::exists(marker.path));
}

TEST_CASE("trace: trusted extensions install as lockward_migrator, untrusted ones need --superuser",
          "[trace][cli][privilege]") {
  TempDir dir;
  std::string trusted = dir.write("a/001_ext.sql",
                                  "CREATE EXTENSION IF NOT EXISTS pgcrypto;\nCREATE EXTENSION IF NOT EXISTS citext;\n"
                                  "CREATE TABLE users (id bigint PRIMARY KEY, email citext, token bytea DEFAULT gen_random_bytes(8));\n"
                                  "ALTER TABLE users ADD COLUMN note text;\n");
  auto r = run_lockward("trace --pg-version 15 --ci --max-risk critical " + trusted);
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(r.output.find("0 errors") != std::string::npos);

  std::string untrusted = dir.write("b/001_fdw.sql", "CREATE EXTENSION file_fdw;\n");
  auto refused = run_lockward("trace --pg-version 15 " + untrusted);
  INFO(refused.output);
  CHECK(refused.output.find("permission denied to create extension") != std::string::npos);
  CHECK(refused.output.find("--superuser") != std::string::npos);
  auto allowed = run_lockward("trace --pg-version 15 --superuser " + untrusted);
  INFO(allowed.output);
  CHECK(allowed.output.find("0 errors") != std::string::npos);
}

TEST_CASE("trace: --superuser goes with the providers lockward starts", "[trace][cli][privilege]") {
  TempDir dir;
  std::string file = dir.write("001.sql", "SELECT 1;\n");
  auto r = run_lockward("trace --provider dsn --dsn 'host=/nonexistent dbname=x' --superuser " + file);
  CHECK(r.code == 2);
  CHECK(r.output.find("runs as the user of the --dsn connection") != std::string::npos);
}

// The container provider's path without a container: a cluster that asks lockward_migrator
// for a password (scram-sha-256, as the official image does over TCP), an admin connection
// string that carries the superuser's password.
TEST_CASE("trace role: password derived from the superuser's, reset with its settings before each trace",
          "[trace][privilege]") {
  namespace trace = lockward::trace;
  trace::PgLookup lookup = trace::find_pg_binaries({});
  REQUIRE(lookup.binaries);
  std::string error;
  auto cluster = trace::LocalCluster::start(*lookup.binaries, error);
  INFO(error);
  REQUIRE(cluster);
  trace::PgConnection admin(cluster->conninfo());
  std::ofstream(cluster->directory() / "data" / "pg_hba.conf", std::ios::trunc)
      << "local all lockward_migrator scram-sha-256\nlocal all all trust\n";
  REQUIRE(admin.exec("SELECT pg_reload_conf()").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string admin_conninfo = cluster->conninfo() + " password=6b1f0c9d2e8a4f3b7c5d1e0f9a8b7c6d5e4f3a2b1c0d9e8f";

  trace::TraceIdentity as;
  REQUIRE(trace::prepare_trace_role(admin, admin_conninfo, "hint", as) == "");
  CHECK(as.role == "lockward_migrator");
  CHECK(as.password.size() == 32);
  CHECK(admin_conninfo.find(as.password) == std::string::npos);
  trace::TraceIdentity again;
  REQUIRE(trace::prepare_trace_role(admin, admin_conninfo, "hint", again) == "");
  CHECK(again.password == as.password);  // every process sharing the cluster agrees
  CHECK(admin.exec("SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls FROM pg_roles "
                   "WHERE rolname = 'lockward_migrator'").value(0, 0) == "f");

  CHECK_FALSE(trace::PgConnection(cluster->conninfo() + " user=lockward_migrator password=wrong").connected());
  {
    trace::PgConnection migration(as.conninfo(admin_conninfo));
    INFO(migration.error());
    REQUIRE(migration.connected());
    CHECK(migration.exec("SELECT current_setting('is_superuser')").value(0, 0) == "off");
    // What a hostile migration may do to its own role, to spoil the next trace.
    REQUIRE(migration.exec("ALTER ROLE CURRENT_USER PASSWORD 'mine'").ok());
    REQUIRE(migration.exec("ALTER ROLE CURRENT_USER SET statement_timeout = '1ms'").ok());
  }
  REQUIRE(trace::prepare_trace_role(admin, admin_conninfo, "hint", as) == "");
  trace::PgConnection next(as.conninfo(admin_conninfo));
  INFO(next.error());
  REQUIRE(next.connected());
  CHECK(next.exec("SHOW statement_timeout").value(0, 0) == "0");
}
