// GitLab Code Quality report: a JSON array of issues with stable fingerprints.
#include <cstdio>
#include <map>

#include "server/report/parts.h"
#include "server/report/report.h"

namespace lockward::server {
namespace {

std::string_view severity(analysis::Risk r) {
  switch (r) {
    case analysis::Risk::Critical: return "blocker";
    case analysis::Risk::High: return "critical";
    case analysis::Risk::Medium: return "major";
    case analysis::Risk::Unknown: return "major";  // a warning, as in the editor: not known to be safe
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

void parts::gitlab_issue(protocol::JsonWriter& w, const std::string& path, const SourceText& source, const analysis::Analysis& a,
                         const analysis::Finding& fd, std::map<std::string, int>& seen) {
  std::string key = path + "\x1f" + fd.rule + "\x1f";
  if (fd.statement) key += a.statements[*fd.statement].code.slice(source.text());
  int occurrence = seen[key]++;
  w.begin_object();
  w.key("check_name").string(fd.rule);
  w.key("description").string(fd.message);
  w.key("fingerprint").string(fingerprint(key + "\x1f" + std::to_string(occurrence)));
  w.key("location").begin_object();
  w.key("lines").begin_object().key("begin").number(source.location(fd.range).start_line).end_object();
  w.key("path").string(path);
  w.end_object();
  w.key("severity").string(severity(fd.risk));
  w.end_object();
}

void write_gitlab(std::ostream& out, const std::vector<FileReport>& files, const ReportOptions&) {
  protocol::JsonWriter w(out);
  w.begin_array();
  for (const auto& f : files) {
    if (!f.error.empty()) continue;
    SourceText source(f.text);
    std::map<std::string, int> seen;
    for (const auto& fd : f.analysis.findings) parts::gitlab_issue(w, f.path, source, f.analysis, fd, seen);
  }
  w.end_array().finish();
}

}  // namespace lockward::server
