// `lockward pg install N` and `lockward pg list`.
#include <iostream>

#include "server/cli/commands.h"
#include "trace/pg_binaries.h"
#include "trace/pg_install.h"

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

}  // namespace lockward::server
