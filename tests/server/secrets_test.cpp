// Every documented connection string form, with a wrong, a malformed or an unreachable
// password, through every command that takes one (`snapshot --db-url`, `trace --provider dsn
// --dsn` in every format): the password is in neither stdout nor stderr. Against a real
// cluster that asks for a SCRAM password, so "wrong" means the server said so.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "tests/support/run_binary.h"
#include "trace/local_cluster.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"

namespace fs = std::filesystem;
namespace trace = lockward::trace;
using lockward::test::CommandResult;
using lockward::test::run_lockward_env;
using lockward::test::TempDir;

namespace {

// Every password below contains it, whatever its encoding: none may be printed.
constexpr const char* kMark = "Pa55word";

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A cluster where role `app` (database `appdb`) must give its SCRAM password over the socket.
struct PasswordCluster {
  std::unique_ptr<trace::LocalCluster> cluster;
  std::string socket;
  PasswordCluster() {
    trace::PgLookup lookup = trace::find_pg_binaries({});
    REQUIRE(lookup.binaries);
    std::string error;
    cluster = trace::LocalCluster::start(*lookup.binaries, error);
    INFO(error);
    REQUIRE(cluster);
    socket = cluster->directory().string();
    trace::PgConnection admin(cluster->conninfo());
    REQUIRE(admin.exec("CREATE ROLE app LOGIN PASSWORD 'Right Pa55word@0'").ok());
    REQUIRE(admin.exec("CREATE DATABASE appdb OWNER app").ok());
    std::ofstream(cluster->directory() / "data" / "pg_hba.conf") << "local all app scram-sha-256\nlocal all all trust\n";
    REQUIRE(admin.exec("SELECT pg_reload_conf()").ok());
    // The reload is asynchronous: wait until a password is asked for.
    for (int i = 0; i < 500; ++i) {
      trace::PgConnection probe("host=" + socket + " user=app dbname=appdb");
      if (!probe.connected()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
};

struct Form {
  std::string name;
  std::string dsn;
  std::string env = "-u PGPASSWORD";  // env(1) arguments
};

// The documented forms, each with `password` and the server at `host` (a socket directory)
// or 127.0.0.1 port 1 when `reachable` is false.
std::vector<Form> forms(const std::string& socket, bool reachable, const std::string& uri_password,
                        const std::string& kv_password) {
  std::string uri_host = reachable ? "/appdb?host=" + socket : "127.0.0.1:1/appdb";
  std::string query_host = reachable ? "/appdb?host=" + socket + "&" : "127.0.0.1:1/appdb?";
  std::string kv_host = reachable ? "host=" + socket : "host=127.0.0.1 port=1";
  std::string quoted = kv_password;
  for (std::size_t at = 0; (at = quoted.find('\'', at)) != std::string::npos; at += 2) quoted.insert(at, "\\");
  return {
      {"postgresql:// URI", "postgresql://app:" + uri_password + "@" + uri_host},
      {"postgres:// URI", "postgres://app:" + uri_password + "@" + uri_host},
      {"?password= in the query", "postgresql://app@" + query_host + "password=" + uri_password},
      {"keyword/value", kv_host + " user=app dbname=appdb password=" + kv_password},
      {"keyword/value quoted", kv_host + " user=app dbname=appdb password = '" + quoted + " with spaces'"},
      {"PGPASSWORD", kv_host + " user=app dbname=appdb", "PGPASSWORD=" + shell_quote(kv_password)},
  };
}

// Runs `dsn` through snapshot and through trace in every format; every run fails (exit 2)
// without printing the password; `expect` is a piece of the reason each run must give.
void check_everywhere(const Form& form, const std::string& expect, const std::string& migration) {
  std::vector<std::string> commands = {"snapshot --db-url " + shell_quote(form.dsn)};
  for (const char* format : {"text", "json", "sarif", "github", "github-actions", "gitlab"})
    commands.push_back("trace --provider dsn --format " + std::string(format) + " --dsn " + shell_quote(form.dsn) + " " +
                       migration);
  for (const std::string& command : commands) {
    CommandResult r = run_lockward_env(form.env, command);
    INFO(form.name << ": lockward " << command << "\n" << r.output);
    CHECK(r.code == 2);
    CHECK(r.output.find(kMark) == std::string::npos);
    CHECK(r.output.find("horse") == std::string::npos);
    CHECK(r.output.find(expect) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("no command prints a wrong, malformed or unreachable password, in any form or format",
          "[cli][trace][security]") {
  PasswordCluster pg;
  TempDir dir;
  std::string migration = dir.write("001.sql", "CREATE TABLE t (id int);\n");

  SECTION("the right password connects in every form (the forms are right)") {
    for (const Form& form : forms(pg.socket, true, "Right%20Pa55word%400", "Right Pa55word@0")) {
      if (form.name == "keyword/value quoted") continue;  // " with spaces" makes it another password
      std::string dsn = form.dsn;
      // Unquoted, a keyword/value password ends at its space: quote it, as the user must.
      if (form.name == "keyword/value") dsn = "host=" + pg.socket + " user=app dbname=appdb password='Right Pa55word@0'";
      std::string command = "snapshot --db-url " + shell_quote(dsn);
      CommandResult r = run_lockward_env(form.env, command);
      INFO(form.name << ": " << r.output);
      CHECK(r.code == 0);
      CHECK(r.output.find(kMark) == std::string::npos);
    }
  }
  SECTION("a wrong password: the server refuses it, no message shows it") {
    for (const Form& form : forms(pg.socket, true, "Wrong-%27horse%27-Pa55word", "Wrong-'horse'-Pa55word"))
      check_everywhere(form, "password authentication failed", migration);
  }
  SECTION("an unreachable server") {
    for (const Form& form : forms(pg.socket, false, "Wrong-horse-Pa55word", "Wrong-horse-Pa55word"))
      check_everywhere(form, "Connection refused", migration);
  }
  SECTION("a password libpq cannot parse") {
    // Bad percent-encoding in a URI (libpq quotes the token back), an unterminated quote.
    for (const Form& form : forms(pg.socket, true, "Bad%zzhorse-Pa55word", "Bad-horse-Pa55word")) {
      if (form.name == "PGPASSWORD") continue;  // not parsed
      Form malformed = form;
      if (form.name == "keyword/value") malformed.dsn = "host=" + pg.socket + " user=app password='Bad-horse-Pa55word";
      if (form.name == "keyword/value quoted") malformed.dsn += " dbname='appdb";
      check_everywhere(malformed, "invalid connection string", migration);
    }
  }
}
