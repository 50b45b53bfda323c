// `lockward pg install N`, `pg list`, `pg stop` and the internal `pg keep-warm`.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "server/cli/commands.h"
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
  int stopped = trace::stop_warm_clusters();
  out << (stopped == 0 ? "no warm cluster was running" : "stopped " + std::to_string(stopped) + " warm cluster(s)") << "\n";
  return kExitClean;
}

int run_pg_keep_warm(const std::string& pg_bin, const std::string& state_dir, int ready_fd, std::ostream& err) {
  auto binaries = trace::probe_pg_bin(pg_bin);
  if (!binaries) {
    std::string line = "error no runnable initdb and postgres in " + pg_bin + "\n";
    if (write(ready_fd, line.data(), line.size()) < 0) err << "lockward: " << line;
    close(ready_fd);
    return kExitUsage;
  }
  return trace::run_warm_keeper(*binaries, state_dir, ready_fd);
}

std::vector<std::string> keeper_command() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return {ec ? std::string("lockward") : self.string(), "pg", "keep-warm"};
}

}  // namespace lockward::server
