// Traced SQL runs with the least rights that work: `lockward trace` on the local provider runs
// the migration (and the replay of the migrations before it) as the unprivileged role
// lockward_migrator, so a migration from a stranger cannot run a shell on the server; trusted
// extensions still install; --superuser is the explicit way back.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/run_binary.h"

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
  std::string copy_to_program() const { return "COPY (SELECT 1) TO PROGRAM 'touch " + path.string() + "';\n"; }
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
