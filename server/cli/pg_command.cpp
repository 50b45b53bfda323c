// `lockward pg install N`, `pg list`, `pg stop` and the internal `pg keep-warm`.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "server/cli/commands.h"
#include "trace/container_cli.h"
#include "trace/pg_binaries.h"
#include "trace/pg_install.h"
#include "trace/warm_cluster.h"

namespace lockward::server {

int run_pg_install(int major, std::ostream& out, std::ostream& err) {
  trace::InstallResult r = trace::install_pg(major, out);
  if (!r.bin_dir) {
    err << "lockward: " << r.error << "\n";
    return kExitUsage;
  }
  out << "PostgreSQL " << major << " is ready in " << r.bin_dir->string() << "\n";
  return kExitClean;
}

int run_pg_list(std::ostream& out) {
  auto all = trace::list_pg_installations();
  if (all.empty()) out << "no PostgreSQL server found; run `lockward pg install 17`\n";
  for (const auto& b : all) out << b.version << "\t" << b.bin_dir.string() << "\n";
  return kExitClean;
}

int run_pg_stop(std::ostream& out) {
  std::string error;
  int stopped = trace::stop_warm_clusters(error);
  if (stopped < 0) {
    std::cerr << "lockward: " << error << "\n";
    return kExitUsage;
  }
  out << (stopped == 0 ? "no warm cluster was running" : "stopped " + std::to_string(stopped) + " warm cluster(s)") << "\n";
  return kExitClean;
}

int run_pg_keep_warm(const KeeperArgs& args, std::ostream& err) {
  auto refuse = [&](const std::string& why) {
    std::string line = "error " + why + "\n";
    if (write(args.ready_fd, line.data(), line.size()) < 0) err << "lockward: " << why << "\n";
    close(args.ready_fd);
    return kExitUsage;
  };
  trace::WarmSpec spec;
  if (!args.docker_image.empty()) {
    spec.kind = trace::WarmSpec::Kind::Docker;
    spec.docker.image = args.docker_image;
    spec.docker.cli = args.docker_cli;
    const char* extra = std::getenv("LOCKWARD_DOCKER_ARGS");
    spec.docker.extra_args = trace::split_extra_args(extra ? extra : "");
  } else {
    auto binaries = trace::probe_pg_bin(args.pg_bin);
    if (!binaries) return refuse("no runnable initdb and postgres in " + args.pg_bin);
    spec.binaries = *binaries;
  }
  return trace::run_warm_keeper(spec, args.state_dir, args.ready_fd);
}

std::vector<std::string> keeper_command() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return {ec ? std::string("lockward") : self.string(), "pg", "keep-warm"};
}

}  // namespace lockward::server
