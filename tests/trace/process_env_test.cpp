// Children get extra environment entries (how the container password travels), over ours.
#include <catch2/catch.hpp>
#include <stdlib.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "tests/support/run_binary.h"
#include "trace/process.h"

namespace trace = lockward::trace;

TEST_CASE("run_process passes extra environment entries and keeps the rest", "[trace][process]") {
  setenv("LOCKWARD_TEST_INHERITED", "kept", 1);
  setenv("LOCKWARD_TEST_OVERRIDDEN", "old", 1);
  // The overridden variable appears once, with the new value.
  const char* script =
      "printf '%s|%s|%s' \"$LOCKWARD_TEST_SECRET\" \"$LOCKWARD_TEST_INHERITED\" \"$LOCKWARD_TEST_OVERRIDDEN\"; "
      "env | grep -c '^LOCKWARD_TEST_OVERRIDDEN='";
  auto r = trace::run_process({"/bin/sh", "-c", script}, std::nullopt, 10,
                              {"LOCKWARD_TEST_SECRET=s3cret", "LOCKWARD_TEST_OVERRIDDEN=new"});
  CHECK(r.exit_code == 0);
  CHECK(r.output == "s3cret|kept|new1\n");
  auto plain = trace::run_process({"/bin/sh", "-c", "printf '%s' \"$LOCKWARD_TEST_SECRET\""}, std::nullopt, 10);
  CHECK(plain.output.empty());
  unsetenv("LOCKWARD_TEST_INHERITED");
  unsetenv("LOCKWARD_TEST_OVERRIDDEN");
}

TEST_CASE("spawn_process passes extra environment entries too", "[trace][process]") {
  lockward::test::TempDir dir;
  std::string log = (dir.path / "out.log").string();
  pid_t pid = trace::spawn_process({"/bin/sh", "-c", "printf '%s' \"$LOCKWARD_TEST_SECRET\""}, std::nullopt, log, true,
                                   {"LOCKWARD_TEST_SECRET=s3cret"});
  REQUIRE(pid > 0);
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "s3cret");
}
