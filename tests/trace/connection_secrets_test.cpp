// The passwords lockward finds in connection strings, and messages scrubbed of them in
// every form they may take (as written, percent-decoded, percent-encoded, unquoted).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>

#include "trace/connection_secrets.h"
#include "trace/pg_connection.h"

namespace trace = lockward::trace;

namespace {

bool has(const std::vector<std::string>& secrets, const std::string& s) {
  return std::find(secrets.begin(), secrets.end(), s) != secrets.end();
}

}  // namespace

TEST_CASE("passwords are found in every documented connection string form", "[trace][security]") {
  unsetenv("PGPASSWORD");
  // A token libpq cannot decode is the one it quotes back.
  auto bad = trace::connection_secrets("postgresql://app:Pa55%word@/appdb?host=/run/pg");
  CHECK(has(bad, "Pa55%word"));
  auto encoded = trace::connection_secrets("postgres://u:p%40ss%20w@h/db");
  CHECK(has(encoded, "p%40ss%20w"));
  CHECK(has(encoded, "p@ss w"));
  auto query = trace::connection_secrets("postgresql://u@h/db?sslmode=disable&password=s3cr%3Dt&application_name=x");
  CHECK(has(query, "s3cr%3Dt"));
  CHECK(has(query, "s3cr=t"));
  auto first_param = trace::connection_secrets("postgresql:///db?password=hunter22");
  CHECK(has(first_param, "hunter22"));
  auto quoted = trace::connection_secrets("host=h password = 'a b\\' c' user=u");
  CHECK(has(quoted, "a b' c"));
  CHECK(has(quoted, "a b\\' c"));
  CHECK(has(quoted, "a%20b%27%20c"));
  auto plain = trace::connection_secrets("host=h PASSWORD=hunter22 user=u");
  CHECK(has(plain, "hunter22"));
  // An '@' the user did not encode: libpq reads "pa" (too short to mask alone), they meant "pa@ss".
  CHECK(has(trace::connection_secrets("postgresql://u:pa@ss@h/db"), "pa@ss"));
  // Not a password: a longer keyword, a user name.
  CHECK(trace::connection_secrets("host=h my_password=zzzzzz user=u").empty());
  CHECK(trace::connection_secrets("postgresql://someone@h/db").empty());
  // Too short to mask everywhere; the patterns still mask it in a connection string.
  CHECK(trace::connection_secrets("password=abc").empty());
  setenv("PGPASSWORD", "from-the-env", 1);
  CHECK(has(trace::connection_secrets("host=h"), "from-the-env"));
  unsetenv("PGPASSWORD");
}

TEST_CASE("messages are scrubbed of the secrets, longest first, then of the patterns", "[trace][security]") {
  std::vector<std::string> secrets = {"Pa55", "Pa55%word"};
  CHECK(trace::scrub_credentials("invalid percent-encoded token: \"Pa55%word\"", secrets) ==
        "invalid percent-encoded token: \"***\"");
  CHECK(trace::scrub_credentials("Pa55 and Pa55 again, postgres://u:zz@h", secrets) ==
        "*** and *** again, postgres://u:***@h");
  CHECK(trace::scrub_credentials("abc abc", {"abc"}) == "abc abc");
}

TEST_CASE("a connection string libpq cannot parse fails without echoing its password", "[trace][security]") {
  unsetenv("PGPASSWORD");
  trace::PgConnection uri("postgresql://app:Pa55%word@/appdb?host=/nonexistent");
  CHECK_FALSE(uri.connected());
  CHECK(uri.error().find("invalid connection string") != std::string::npos);
  CHECK(uri.error().find("percent-encoded") != std::string::npos);
  CHECK(uri.error().find("Pa55") == std::string::npos);
  trace::PgConnection query("postgresql://app@/appdb?host=/nonexistent&password=Bad%zzWord");
  CHECK(query.error().find("zzWord") == std::string::npos);
  trace::PgConnection ipv6("postgresql://app:Secret-Word@[::1/appdb");
  CHECK_FALSE(ipv6.connected());
  CHECK(ipv6.error().find("Secret-Word") == std::string::npos);
  CHECK(ipv6.exec("SELECT 1").error->message == "not connected");
}
