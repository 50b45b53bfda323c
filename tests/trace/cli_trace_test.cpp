// `lockward trace` as a user runs it: the local provider, the dsn provider (refusing a
// non-empty database), --schema, exit codes with --ci.
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "trace/local_cluster.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"

namespace fs = std::filesystem;
namespace trace = lockward::trace;

namespace {

struct Run {
  int code = -1;
  std::string output;
};

Run run_lockward(const std::string& args) {
  std::string cmd = std::string(LOCKWARD_BINARY) + " " + args + " 2>&1";
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) r.output.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/lockward-cli-trace-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

}  // namespace

TEST_CASE("lockward trace: preceding migrations replayed, verdicts printed, --ci fails on risk", "[trace][cli]") {
  TempDir dir;
  dir.write("001_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
  std::string file = dir.write("002_index.sql", "SET lock_timeout = '2s';\nCREATE INDEX users_email_idx ON users (email);\n");
  Run r = run_lockward("trace --pg-version 15 " + file);
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(r.output.find("Confirmed") != std::string::npos);
  CHECK(r.output.find("0 mismatches") != std::string::npos);
  CHECK(run_lockward("trace --pg-version 15 --ci --max-risk low " + file).code == 1);
}

TEST_CASE("lockward trace --schema loads a schema first", "[trace][cli]") {
  TempDir dir;
  std::string schema = dir.write("schema.sql", "CREATE TABLE orders (id bigint, total numeric);\n");
  fs::create_directory(dir.path / "m");
  std::string file = dir.write("m/001.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
  Run r = run_lockward("trace --pg-version 15 --schema " + schema + " " + file);
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(r.output.find("ACCESS EXCLUSIVE orders") != std::string::npos);
  CHECK(r.output.find("0 errors") != std::string::npos);
}

TEST_CASE("lockward trace --provider dsn traces into a disposable database, refuses a non-empty one", "[trace][cli]") {
  trace::PgLookup lookup = trace::find_pg_binaries({});
  REQUIRE(lookup.binaries);
  std::string error;
  auto cluster = trace::LocalCluster::start(*lookup.binaries, error);
  REQUIRE(cluster);
  {
    trace::PgConnection admin(cluster->conninfo());
    REQUIRE(admin.exec("CREATE DATABASE empty_db").ok());
    REQUIRE(admin.exec("CREATE DATABASE busy_db").ok());
    trace::PgConnection busy(cluster->conninfo("busy_db"));
    REQUIRE(busy.exec("CREATE TABLE precious (id int)").ok());
  }
  TempDir dir;
  std::string file = dir.write("001.sql", "CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);\n");
  std::string dsn = "\"host=" + cluster->directory().string() + " user=postgres dbname=";
  Run ok = run_lockward("trace --provider dsn --dsn " + dsn + "empty_db\" " + file);
  INFO(ok.output);
  CHECK(ok.code == 0);
  CHECK(ok.output.find("provider: dsn") != std::string::npos);
  Run refused = run_lockward("trace --provider dsn --dsn " + dsn + "busy_db\" " + file);
  CHECK(refused.code == 2);
  CHECK(refused.output.find("must be a disposable, empty database") != std::string::npos);
  CHECK(run_lockward("trace --provider dsn --allow-nonempty --dsn " + dsn + "busy_db\" " + file).code == 0);
}

TEST_CASE("lockward trace --provider dsn never prints the password", "[trace][cli][security]") {
  TempDir dir;
  std::string file = dir.write("001.sql", "SELECT 1;\n");
  Run r = run_lockward("trace --provider dsn --dsn 'postgresql://app:hunter2@127.0.0.1:1/db' " + file);
  CHECK(r.code == 2);
  CHECK(r.output.find("hunter2") == std::string::npos);
}
