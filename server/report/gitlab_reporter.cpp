// GitLab Code Quality report: a JSON array of issues with stable fingerprints.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "server/report/report.h"

namespace lockward::server {
using nlohmann::json;

namespace {

std::string severity(analysis::Risk r) {
  switch (r) {
    case analysis::Risk::Critical: return "blocker";
    case analysis::Risk::High: return "critical";
    case analysis::Risk::Medium: return "major";
    case analysis::Risk::Low: return "minor";
    case analysis::Risk::Safe: return "info";
  }
  return "info";
}

// FNV-1a, 64-bit, as hex: stable across runs for the same path, rule, statement and occurrence.
std::string fingerprint(const std::string& key) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

void write_gitlab(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions&) {
  json issues = json::array();
  for (const auto& f : files) {
    if (!f.error.empty()) continue;
    std::map<std::string, int> seen;
    for (const auto& fd : f.analysis.findings) {
      std::string statement =
          fd.statement ? std::string(f.analysis.statements[*fd.statement].code.slice(f.text)) : std::string();
      std::string key = f.path + "\x1f" + fd.rule + "\x1f" + statement;
      int occurrence = seen[key]++;
      issues.push_back({{"description", fd.message},
                        {"check_name", fd.rule},
                        {"fingerprint", fingerprint(key + "\x1f" + std::to_string(occurrence))},
                        {"severity", severity(fd.risk)},
                        {"location", {{"path", f.path}, {"lines", {{"begin", location(f.text, fd.range).start_line}}}}}});
    }
  }
  out << issues.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace lockward::server
