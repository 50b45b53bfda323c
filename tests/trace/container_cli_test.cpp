// The Docker/Podman command lines and the parsing of what the CLIs print, without an engine.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/support/run_binary.h"
#include "trace/container_cli.h"

namespace fs = std::filesystem;
namespace trace = lockward::trace;

namespace {

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

bool contains_pair(const std::vector<std::string>& argv, const std::string& a, const std::string& b) {
  for (std::size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == a && argv[i + 1] == b) return true;
  return false;
}

void make_executable(const lockward::test::TempDir& dir, const std::string& name) {
  std::string path = dir.write(name, "#!/bin/sh\nexit 0\n");
  chmod(path.c_str(), 0755);
}

}  // namespace

TEST_CASE("the run command carries labels, a loopback-only port and the password's name only", "[trace][docker]") {
  trace::RunSpec spec;
  spec.cli = "/usr/bin/podman";
  spec.image = "postgres:16-alpine";
  spec.name = "lockward-pg-42-abcd";
  spec.owner_pid = 42;
  spec.owner_host = "build-7";
  spec.extra_args = {"--runtime", "runc", "--ulimit", "nofile=1024:1024"};
  std::vector<std::string> argv = trace::container_run_argv(spec);
  INFO(joined(argv));
  CHECK(argv[0] == "/usr/bin/podman");
  CHECK(argv[1] == "run");
  CHECK(std::count(argv.begin(), argv.end(), "-d") == 0);  // attached: the CLI dies with us and stops it
  CHECK(std::count(argv.begin(), argv.end(), "--rm") == 1);
  CHECK(contains_pair(argv, "--name", "lockward-pg-42-abcd"));
  CHECK(contains_pair(argv, "--label", "lockward.cluster=1"));
  CHECK(contains_pair(argv, "--label", "lockward.owner-pid=42"));
  CHECK(contains_pair(argv, "--label", "lockward.owner-host=build-7"));
  CHECK(contains_pair(argv, "-e", "POSTGRES_PASSWORD"));
  // One published port, on 127.0.0.1, host port chosen by the engine.
  CHECK(std::count(argv.begin(), argv.end(), "-p") == 1);
  CHECK(contains_pair(argv, "-p", "127.0.0.1::5432"));
  for (const auto& a : argv) {
    CHECK(a.find("POSTGRES_PASSWORD=") == std::string::npos);
    CHECK(a.find("0.0.0.0") == std::string::npos);
  }
  // Extra options sit between run's options and the image; settings for postgres follow it.
  auto image = std::find(argv.begin(), argv.end(), "postgres:16-alpine");
  REQUIRE(image != argv.end());
  CHECK(*(image - 1) == "nofile=1024:1024");
  CHECK(*(image - 4) == "--runtime");
  CHECK(contains_pair(std::vector<std::string>(image, argv.end()), "-c", "fsync=off"));
  CHECK(contains_pair(std::vector<std::string>(image, argv.end()), "-c", "synchronous_commit=off"));
  CHECK(contains_pair(std::vector<std::string>(image, argv.end()), "-c", "full_page_writes=off"));
  // PGDATA is a tmpfs.
  auto tmpfs = std::find(argv.begin(), image, "--tmpfs");
  REQUIRE(tmpfs != image);
  CHECK(contains_pair(argv, "-e", "PGDATA=" + *(tmpfs + 1)));
}

TEST_CASE("the other command lines", "[trace][docker]") {
  CHECK(joined(trace::container_port_argv("/usr/bin/docker", "c1")) == "/usr/bin/docker port c1 5432/tcp");
  CHECK(joined(trace::container_remove_argv("/usr/bin/docker", {"a", "b"})) == "/usr/bin/docker rm -f a b");
  CHECK(joined(trace::container_list_argv("/usr/bin/podman")) ==
        "/usr/bin/podman ps -a --no-trunc --filter label=lockward.cluster=1 --format {{.ID}} {{.Labels}}");
  CHECK(trace::split_extra_args("  --runtime runc\t--ulimit  nofile=1024:1024\n") ==
        std::vector<std::string>{"--runtime", "runc", "--ulimit", "nofile=1024:1024"});
  CHECK(trace::split_extra_args("").empty());
}

TEST_CASE("docker port output: every format the CLIs print, garbage refused", "[trace][docker]") {
  std::string error;
  CHECK(trace::parse_port_output("127.0.0.1:49153\n", error) == 49153);
  CHECK(trace::parse_port_output("0.0.0.0:32768", error) == 32768);
  CHECK(trace::parse_port_output("[::]:32769\n", error) == 32769);
  CHECK(trace::parse_port_output(":::32770\n", error) == 32770);
  // Docker with IPv6 prints two lines; the loopback one wins wherever it is.
  CHECK(trace::parse_port_output("0.0.0.0:40001\n[::]:40001\n", error) == 40001);
  CHECK(trace::parse_port_output("[::]:40002\n127.0.0.1:40003\n", error) == 40003);
  // `port <c>` without a port, and CRLF.
  CHECK(trace::parse_port_output("5432/tcp -> 127.0.0.1:45000\r\n", error) == 45000);
  for (const std::string bad : {"", "\n", "Error: no such container lockward-pg-1", "127.0.0.1:", "127.0.0.1:0",
                                "127.0.0.1:70000", "127.0.0.1:12ab", "10.0.0.5:5432", "5432/tcp"}) {
    INFO(bad);
    error.clear();
    CHECK_FALSE(trace::parse_port_output(bad, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("container lists from docker and podman, and which entries are orphans", "[trace][docker]") {
  // Docker prints .Labels as k=v,k=v; Podman 4 as map[k:v k:v]. Other labels may sit around ours.
  const std::string docker =
      "aaa111 lockward.cluster=1,lockward.owner-host=ci-1,lockward.owner-pid=4242\n"
      "bbb222 maintainer=x,lockward.owner-pid=1,lockward.cluster=1,lockward.owner-host=ci-1\n";
  const std::string podman =
      "ccc333 map[lockward.cluster:1 lockward.owner-host:ci-1 lockward.owner-pid:77]\n"
      "ddd444 map[lockward.cluster:1 lockward.owner-host:ci-2 lockward.owner-pid:77]\n"
      "eee555 map[lockward.cluster:1]\n"
      "\n"
      "not-an-id whatever\n";
  auto list = trace::parse_container_list(docker + podman);
  REQUIRE(list.size() == 5);
  CHECK(list[0].id == "aaa111");
  CHECK(list[0].owner_pid == 4242);
  CHECK(list[0].owner_host == "ci-1");
  CHECK(list[1].owner_pid == 1);
  CHECK(list[1].owner_host == "ci-1");
  CHECK(list[2].owner_pid == 77);
  CHECK(list[3].owner_host == "ci-2");
  CHECK_FALSE(list[4].owner_pid);
  // Alive: 1 and 77. Dead owner on this host: aaa111. Another host's, or one without a host
  // label (eee555): not ours to judge.
  auto alive = [](pid_t pid) { return pid == 1 || pid == 77; };
  CHECK(trace::select_orphans(list, "ci-1", alive) == std::vector<std::string>{"aaa111"});
  CHECK(trace::select_orphans(list, "ci-2", alive).empty());
  CHECK(trace::select_orphans(list, "ci-1", [](pid_t) { return false; }) ==
        std::vector<std::string>{"aaa111", "bbb222", "ccc333"});
}

TEST_CASE("the container CLI: --docker-cli or the environment, else docker then podman on PATH", "[trace][docker]") {
  lockward::test::TempDir only_podman, both, none;
  make_executable(only_podman, "podman");
  make_executable(both, "docker");
  make_executable(both, "podman");
  both.write("notexec", "");
  std::string path_both = none.path.string() + ":" + both.path.string();

  CHECK(trace::choose_container_cli("", path_both).path == both.path / "docker");
  CHECK(trace::choose_container_cli("", only_podman.path.string()).path == only_podman.path / "podman");
  CHECK(trace::choose_container_cli("podman", path_both).path == both.path / "podman");
  // The first PATH entry wins.
  CHECK(trace::choose_container_cli("podman", only_podman.path.string() + ":" + both.path.string()).path ==
        only_podman.path / "podman");
  CHECK(trace::choose_container_cli((both.path / "podman").string(), "").path == both.path / "podman");

  auto missing = trace::choose_container_cli("", none.path.string());
  CHECK_FALSE(missing.path);
  CHECK(missing.error.find("neither docker nor podman") != std::string::npos);
  CHECK(missing.error.find("--provider local") != std::string::npos);
  auto no_docker = trace::choose_container_cli("docker", only_podman.path.string());
  CHECK_FALSE(no_docker.path);
  CHECK(no_docker.error.find("'docker'") != std::string::npos);
  CHECK_FALSE(trace::choose_container_cli((both.path / "notexec").string(), "").path);
  CHECK_FALSE(trace::choose_container_cli("notexec", both.path.string()).path);
  // An empty PATH entry is the current directory: never used.
  CHECK_FALSE(trace::choose_container_cli("", ":").path);
}

TEST_CASE("a failed start is explained with the next step", "[trace][docker]") {
  const fs::path docker = "/usr/bin/docker";
  auto says = [&](const std::string& output, const char* what) {
    return trace::diagnose_container_failure(output, "postgres:17-alpine", docker).find(what) != std::string::npos;
  };
  CHECK(says("Unable to find image 'postgres:17-alpine' locally\ndocker: Error response from daemon: pull access "
             "denied for postgres",
             "docker pull postgres:17-alpine"));
  CHECK(says("Trying to pull docker.io/library/postgres:17-alpine...\nError: initializing source "
             "docker://postgres:17-alpine: pinging container registry registry-1.docker.io",
             "could not be pulled"));
  CHECK(says("docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon "
             "running?",
             "not reachable"));
  CHECK(says("Error: crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted: OCI permission denied",
             "LOCKWARD_DOCKER_ARGS"));
  CHECK(says("initdb: error: something else", "its output follows"));
}
