#include <iomanip>
#include <ostream>

#include "analysis/rules/registry.h"
#include "server/cli/commands.h"

namespace lockward::server {

int run_rules(std::ostream& out) {
  std::size_t width = 0;
  for (const auto& r : analysis::all_rules()) width = std::max(width, r.id.size());
  for (const auto& r : analysis::all_rules()) {
    out << std::left << std::setw(static_cast<int>(width) + 2) << r.id << std::setw(8)
        << analysis::rule_kind_name(r.kind) << r.summary << "\n";
  }
  return kExitClean;
}

}  // namespace lockward::server
