// `lockward trace --provider docker` as a user runs it, where no container engine exists: a
// missing CLI, a refused image, and a stand-in `docker` script that records how it was called
// (arguments and whether the password reached its environment) and answers like a CLI whose
// engine cannot pull the image. What a real engine does is covered by scripts/podman-smoke.sh.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tests/support/run_binary.h"

namespace {

using lockward::test::run_lockward_env;
using lockward::test::TempDir;

const std::string kCleanEnv = "-u LOCKWARD_DOCKER_CLI -u LOCKWARD_DOCKER_ARGS";

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

// A `docker` that logs each call, lists three labelled containers (a dead owner's on this
// host, a live owner's, another host's) and fails `run` the way Docker does without the image.
void write_fake_docker(const TempDir& bin) {
  std::string log = (bin.path / "calls.log").string();
  std::string script =
      "#!/bin/sh\n"
      "printf '%s\\n' \"$*\" >> " + log + "\n"
      "[ -n \"$POSTGRES_PASSWORD\" ] && echo \"password-in-env length=${#POSTGRES_PASSWORD}\" >> " + log + "\n"
      "case \"$1\" in\n"
      "  ps) printf '%s\\n' 'aaa111 lockward.cluster=1,lockward.owner-host=" + host_name() +
      ",lockward.owner-pid=99999999' 'bbb222 lockward.cluster=1,lockward.owner-host=" + host_name() +
      ",lockward.owner-pid=1' 'ccc333 lockward.cluster=1,lockward.owner-host=elsewhere,lockward.owner-pid=99999999';"
      " exit 0 ;;\n"
      "  run) echo \"Unable to find image 'postgres:15-alpine' locally\" >&2\n"
      "       echo 'docker: Error response from daemon: pull access denied for postgres.' >&2; exit 125 ;;\n"
      "  *) exit 1 ;;\n"
      "esac\n";
  std::string path = bin.write("docker", script);
  chmod(path.c_str(), 0755);
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("trace --provider docker without docker or podman on PATH says what to do", "[trace][docker][cli]") {
  TempDir empty, dir;
  std::string file = dir.write("001.sql", "CREATE TABLE t (id int);\n");
  auto r = run_lockward_env(kCleanEnv + " PATH=" + empty.path.string(), "trace --provider docker " + file);
  INFO(r.output);
  CHECK(r.code == 2);
  CHECK(r.output.rfind("lockward: neither docker nor podman is on PATH", 0) == 0);
  CHECK(r.output.find("--provider local") != std::string::npos);
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);

  auto named = run_lockward_env(kCleanEnv + " PATH=" + empty.path.string(),
                                "trace --provider docker --docker-cli podman " + file);
  CHECK(named.code == 2);
  CHECK(named.output.find("'podman' is not on PATH") != std::string::npos);
  auto from_env = run_lockward_env(kCleanEnv + " LOCKWARD_DOCKER_CLI=podman PATH=" + empty.path.string(),
                                   "trace --provider docker " + file);
  CHECK(from_env.output.find("'podman' is not on PATH") != std::string::npos);
}

TEST_CASE("trace --docker-image refuses what is not an image before running anything", "[trace][docker][cli]") {
  TempDir bin, dir;
  write_fake_docker(bin);
  std::string file = dir.write("001.sql", "CREATE TABLE t (id int);\n");
  auto r = run_lockward_env(kCleanEnv + " PATH=" + bin.path.string(),
                            "trace --provider docker --docker-image '--privileged' " + file);
  INFO(r.output);
  CHECK(r.code == 2);
  CHECK(r.output.find("lockward: --docker-image:") != std::string::npos);
  auto shell = run_lockward_env(kCleanEnv + " PATH=" + bin.path.string(),
                                "trace --provider docker --docker-image 'pg;id' " + file);
  CHECK(shell.code == 2);
  CHECK(read_all(bin.path / "calls.log").empty());
  CHECK(run_lockward_env(kCleanEnv, "trace --docker-image postgres:16 " + file).code == 2);  // not --provider docker
}

TEST_CASE("trace --provider docker: the run command, orphan removal, and a pull failure", "[trace][docker][cli]") {
  TempDir bin, dir;
  write_fake_docker(bin);
  std::string file = dir.write("001.sql", "CREATE TABLE t (id int);\n");
  auto r = run_lockward_env("-u LOCKWARD_DOCKER_CLI PATH=" + bin.path.string() +
                                " LOCKWARD_DOCKER_ARGS='--runtime runc --ulimit nofile=1024:1024'",
                            "trace --provider docker --pg-version 15 " + file);
  INFO(r.output);
  CHECK(r.code == 2);
  CHECK(r.output.rfind("lockward: cannot start PostgreSQL in a container (postgres:15-alpine through " +
                           (bin.path / "docker").string() + "): the image postgres:15-alpine is not available",
                       0) == 0);
  CHECK(r.output.find("docker pull postgres:15-alpine") != std::string::npos);
  CHECK(r.output.find("pull access denied") != std::string::npos);  // the CLI's own words follow

  std::string calls = read_all(bin.path / "calls.log");
  INFO(calls);
  std::istringstream lines(calls);
  std::string line, run_line, after_run;
  std::vector<std::string> removals;
  while (std::getline(lines, line)) {
    if (line.rfind("run ", 0) == 0) {
      run_line = line;
      std::getline(lines, after_run);
    }
    if (line.rfind("rm -f ", 0) == 0) removals.push_back(line);
    CHECK(line.find("POSTGRES_PASSWORD=") == std::string::npos);
  }
  // The orphan of a dead owner on this host goes; a live owner's and another host's stay.
  CHECK(calls.rfind("ps -a --no-trunc --filter label=lockward.cluster=1", 0) == 0);
  REQUIRE_FALSE(removals.empty());
  CHECK(removals[0] == "rm -f aaa111");
  CHECK(calls.find("bbb222", calls.find("rm -f")) == std::string::npos);
  CHECK(calls.find("ccc333", calls.find("rm -f")) == std::string::npos);
  // The run: labels, loopback port, password by name in argv and by value in the environment
  // of `run` alone (48 hex characters).
  CHECK(run_line.find("--label lockward.cluster=1 --label lockward.owner-pid=") != std::string::npos);
  CHECK(run_line.find("--label lockward.owner-host=" + host_name()) != std::string::npos);
  CHECK(run_line.find("-p 127.0.0.1::5432 -e POSTGRES_PASSWORD ") != std::string::npos);
  CHECK(run_line.find("--ulimit nofile=1024:1024 postgres:15-alpine -c fsync=off") != std::string::npos);
  CHECK(after_run == "password-in-env length=48");
  CHECK(calls.find("password-in-env") == calls.rfind("password-in-env"));
  // The failed container is removed by name on the way out.
  std::size_t name_at = run_line.find("--name ");
  REQUIRE(name_at != std::string::npos);
  std::string name = run_line.substr(name_at + 7, run_line.find(' ', name_at + 7) - name_at - 7);
  CHECK(std::find(removals.begin(), removals.end(), "rm -f " + name) != removals.end());
}
