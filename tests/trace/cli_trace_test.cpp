// `lockward trace` as a user runs it: the local provider, the dsn provider (refusing a
// non-empty database), --schema, exit codes with --ci.
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/support/run_binary.h"
#include "trace/local_cluster.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"

namespace fs = std::filesystem;
namespace trace = lockward::trace;

namespace {

using lockward::test::run_lockward;
using lockward::test::TempDir;

}  // namespace

TEST_CASE("lockward trace: preceding migrations replayed, verdicts printed, --ci fails on risk", "[trace][cli]") {
  TempDir dir;
  dir.write("001_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
  std::string file = dir.write("002_index.sql", "SET lock_timeout = '2s';\nCREATE INDEX users_email_idx ON users (email);\n");
  auto r = run_lockward("trace --pg-version 15 " + file);
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(r.output.find("Confirmed") != std::string::npos);
  CHECK(r.output.find("0 mismatches") != std::string::npos);
  CHECK(run_lockward("trace --pg-version 15 --ci --max-risk low " + file).code == 1);
}

TEST_CASE("lockward trace predicts with the schema the replay built", "[trace][cli]") {
  TempDir dir;
  dir.write("001_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12, 2));\n");
  // Widening numeric at the same scale does not rewrite: only the old type tells.
  std::string file = dir.write("002_widen.sql", "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);\n");
  auto r = run_lockward("trace --pg-version 15 " + file);
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(r.output.find("Confirmed") != std::string::npos);
  CHECK(r.output.find("0 mismatches") != std::string::npos);
}

TEST_CASE("lockward trace --schema loads a schema first", "[trace][cli]") {
  TempDir dir;
  std::string schema = dir.write("schema.sql", "CREATE TABLE orders (id bigint, total numeric);\n");
  fs::create_directory(dir.path / "m");
  std::string file = dir.write("m/001.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
  auto r = run_lockward("trace --pg-version 15 --schema " + schema + " " + file);
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
  auto ok = run_lockward("trace --provider dsn --dsn " + dsn + "empty_db\" " + file);
  INFO(ok.output);
  CHECK(ok.code == 0);
  CHECK(ok.output.find("provider: dsn") != std::string::npos);
  auto refused = run_lockward("trace --provider dsn --dsn " + dsn + "busy_db\" " + file);
  CHECK(refused.code == 2);
  CHECK(refused.output.find("must be a disposable, empty database") != std::string::npos);
  CHECK(run_lockward("trace --provider dsn --allow-nonempty --dsn " + dsn + "busy_db\" " + file).code == 0);
}

TEST_CASE("lockward trace --provider dsn never prints the password", "[trace][cli][security]") {
  TempDir dir;
  std::string file = dir.write("001.sql", "SELECT 1;\n");
  auto r = run_lockward("trace --provider dsn --dsn 'postgresql://app:hunter2@127.0.0.1:1/db' " + file);
  CHECK(r.code == 2);
  CHECK(r.output.find("hunter2") == std::string::npos);
}

TEST_CASE("lockward snapshot reads a live schema that check then uses", "[trace][cli][snapshot]") {
  trace::PgLookup lookup = trace::find_pg_binaries({});
  REQUIRE(lookup.binaries);
  std::string error;
  auto cluster = trace::LocalCluster::start(*lookup.binaries, error);
  REQUIRE(cluster);
  {
    trace::PgConnection admin(cluster->conninfo());
    REQUIRE(admin.exec("CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(20), total numeric(10,2), "
                       "CONSTRAINT orders_note_nn CHECK (note IS NOT NULL))").ok());
  }
  TempDir dir;
  std::string out = (dir.path / "snap.json").string();
  auto r = run_lockward("snapshot --db-url \"host=" + cluster->directory().string() + " user=postgres dbname=postgres\" -o " + out);
  INFO(r.output);
  REQUIRE(r.code == 0);
  std::ifstream in(out);
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(json.find("\"character varying(20)\"") != std::string::npos);
  CHECK(json.find("CHECK ((note IS NOT NULL))") != std::string::npos);
  CHECK(json.find("orders_pkey") != std::string::npos);
  // The snapshot decides what the text cannot: widening is catalog-only, and the validated
  // CHECK lets SET NOT NULL skip its scan.
  std::string file = dir.write("001.sql", "SET lock_timeout = '1s';\nALTER TABLE orders ALTER COLUMN note TYPE varchar(40);\n"
                                          "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n");
  auto check = run_lockward("check --pg-version 15 --snapshot " + out + " " + file);
  CHECK(check.output.find("alter-column-type-no-rewrite") != std::string::npos);
  CHECK(check.output.find("set-not-null-with-check") != std::string::npos);
  // A read-only session: the snapshot cannot have changed anything.
  auto bad = run_lockward("snapshot --db-url \"host=" + cluster->directory().string() + " user=nobody_here dbname=postgres\"");
  CHECK(bad.code == 2);
}

TEST_CASE("preceding migrations replay statement by statement (CONCURRENTLY included)", "[trace][cli]") {
  TempDir dir;
  dir.write("001_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
                             "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n");
  std::string file = dir.write("002_more.sql", "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text;\n");
  auto r = run_lockward("trace --pg-version 15 " + file);
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(r.output.find("replaying") == std::string::npos);
  CHECK(r.output.find("0 errors") != std::string::npos);
}

TEST_CASE("lockward trace --pg-bin alone takes the version from the installation", "[trace][cli][pg12]") {
  trace::PgSearch search;
  search.major = 12;
  trace::PgLookup lookup = trace::find_pg_binaries(search);
  INFO(lookup.error);
  REQUIRE(lookup.binaries);
  const std::string bin = lookup.binaries->bin_dir.string();
  TempDir dir;
  std::string file = dir.write("001_copy.sql", "CREATE TABLE t (id int);\nBEGIN;\nCOPY t TO STDOUT;\nCOMMIT;\n");
  auto r = run_lockward("trace --format json --pg-bin " + bin + " " + file);
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.find("\"pg_version\": 12") != std::string::npos);
  // The statement-scoped lock of COPY … TO on 12, predicted and observed as such.
  CHECK(r.output.find("\"observed_until\": \"statement end\"") != std::string::npos);
  CHECK(r.output.find("\"predicted_until\": \"statement end\"") != std::string::npos);
  // Both given and disagreeing: refused, naming the installation's version.
  auto both = run_lockward("trace --pg-version 17 --pg-bin " + bin + " " + file);
  CHECK(both.code == 2);
  CHECK(both.output.find("holds PostgreSQL 12") != std::string::npos);
}

TEST_CASE("lockward trace shows a progress line on a terminal and none when piped", "[trace][cli][progress]") {
  TempDir dir, state;
  dir.write("001_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
  std::string file = dir.write("002_index.sql", "CREATE INDEX users_email ON users (email);\n");
  std::string env = "LOCKWARD_STATE_DIR=" + state.path.string() + " ";
  // script(1) gives the command a terminal: every phase, rewritten in place, then cleared.
  auto tty = lockward::test::run_shell("env " + env + "script -qec '" + std::string(LOCKWARD_BINARY) +
                                       " trace --pg-version 15 " + file + "' /dev/null");
  INFO(tty.output);
  CHECK(tty.code == 0);
  CHECK(tty.output.find("\r\033[Klockward: finding PostgreSQL 15") != std::string::npos);
  CHECK(tty.output.find("starting or reusing a PostgreSQL 15") != std::string::npos);
  CHECK(tty.output.find("002_index.sql: statement 1 of 1") != std::string::npos);
  CHECK(tty.output.find("Confirmed") != std::string::npos);
  auto piped = lockward::test::run_shell("env " + env + std::string(LOCKWARD_BINARY) + " trace --pg-version 15 " + file +
                                         " 2>&1 | cat");
  CHECK(piped.code == 0);
  CHECK(piped.output.find("\033[K") == std::string::npos);
  CHECK(piped.output.find("finding PostgreSQL") == std::string::npos);
}
