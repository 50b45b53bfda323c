// GitLab Code Quality report: a JSON array of issues with stable fingerprints.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "server/report/parts.h"
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

json parts::gitlab_issue(const std::string& path, std::string_view text, const analysis::Analysis& a,
                         const analysis::Finding& fd, std::map<std::string, int>& seen) {
  std::string statement = fd.statement ? std::string(a.statements[*fd.statement].code.slice(text)) : std::string();
  std::string key = path + "\x1f" + fd.rule + "\x1f" + statement;
  int occurrence = seen[key]++;
  return {{"description", fd.message},
          {"check_name", fd.rule},
          {"fingerprint", fingerprint(key + "\x1f" + std::to_string(occurrence))},
          {"severity", severity(fd.risk)},
          {"location", {{"path", path}, {"lines", {{"begin", location(text, fd.range).start_line}}}}}};
}

void write_gitlab(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions&) {
  json issues = json::array();
  for (const auto& f : files) {
    if (!f.error.empty()) continue;
    std::map<std::string, int> seen;
    for (const auto& fd : f.analysis.findings) issues.push_back(parts::gitlab_issue(f.path, f.text, f.analysis, fd, seen));
  }
  out << parts::json_text(issues);
}

}  // namespace lockward::server
