// The data every trace reporter shares: the run's coverage, the findings a trace adds to the
// static ones, how a lock comparison reads, and the choice of format.
#include "server/report/trace_report.h"

#include <algorithm>
#include <cctype>

namespace lockward::server {

void add_to_coverage(TraceCoverage& c, const TraceFileReport& f) {
  c.statements += f.analysis.statements.size();
  c.analysed += f.analysis.coverage.analysed;
  c.verified += f.merged.verified;
  c.confirmed += f.merged.confirmed;
  c.mismatches += f.merged.mismatches;
  c.trace_only += f.merged.trace_only.size();
  c.errors += f.merged.error_count;
}

std::vector<const trace::StatementVerification*> verification_by_statement(const TraceFileReport& file) {
  std::vector<const trace::StatementVerification*> out(file.analysis.statements.size(), nullptr);
  for (const auto& v : file.merged.statements)
    if (v.statement < out.size()) out[v.statement] = &v;  // the last one wins, as in a scan
  return out;
}

const std::vector<TraceRule>& trace_rules() {
  static const std::vector<TraceRule> rules{
      {"trace-mismatch", "PostgreSQL took other locks, or rewrote otherwise, than the static analysis predicted"},
      {"trace-unexpected-lock", "the trace observed a lock that no prediction covered"},
      {"trace-schema-mismatch", "the schema model and the catalog the trace replayed disagree on an object a statement names"},
      {"trace-table-rewrite", "the trace observed a table rewrite that was not predicted"},
      {"trace-error", "PostgreSQL rejected the statement during the trace"},
  };
  return rules;
}

std::string lock_list(const std::vector<trace::LockComparison>& locks, bool observed) {
  std::string out;
  for (const auto& c : locks) {
    const auto& mode = observed ? c.observed : c.predicted;
    if (!mode) continue;
    if (!out.empty()) out += ", ";
    out += std::string(analysis::lock_mode_name(*mode)) + " " + c.object.name;
    if (observed ? c.observed_until_statement_end : c.predicted_until_statement_end) out += " (until statement end)";
  }
  return out.empty() ? "-" : out;
}

namespace {

// The code point starting at text[i] and its length in bytes; an invalid byte is itself, one byte long.
std::pair<char32_t, std::size_t> decode(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t len = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (len <= 1 || i + len > text.size()) return {lead, 1};
  char32_t cp = lead & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(text[i + k]);
    if ((c & 0xC0) != 0x80) return {lead, 1};
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, len};
}

std::size_t columns(char32_t cp) {
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x20D0 && cp <= 0x20FF) ||
      (cp >= 0xFE00 && cp <= 0xFE0F))
    return 0;
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
      (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto [cp, len] = decode(text, i);
    width += columns(cp);
    i += len;
  }
  return width;
}

std::string pad_cell(std::string text, std::size_t width) {
  const std::size_t used = display_width(text);
  if (used < width) text.append(width - used, ' ');
  return text;
}

std::string one_line(std::string_view text, std::size_t width) {
  std::string s(text);
  for (char& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  if (display_width(s) <= width) return s;
  // Keep whole characters within width - 1 columns, then the ellipsis.
  std::size_t used = 0, end = 0;
  while (end < s.size()) {
    auto [cp, len] = decode(s, end);
    if (used + columns(cp) > width - 1) break;
    used += columns(cp);
    end += len;
  }
  return s.substr(0, end) + "…";
}

std::string verification_id(trace::Verification status) {
  std::string id(trace::verification_name(status));
  for (char& c : id) c = c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return id;
}

std::vector<analysis::Finding> trace_findings(const TraceFileReport& file) {
  std::vector<analysis::Finding> out;
  for (const auto& v : file.merged.statements) {
    if (v.status != trace::Verification::Mismatch) continue;
    const analysis::Statement& s = file.analysis.statements[v.statement];
    analysis::Finding f;
    f.rule = "trace-mismatch";
    f.severity = analysis::Severity::Error;
    f.statement = s.index;
    f.range = s.code;
    f.message = "trace contradicts the prediction: " + v.detail;
    // As risky as what PostgreSQL actually did, and never less than the prediction.
    f.risk = s.risk;
    for (const auto& c : v.locks) {
      if (!c.observed) continue;
      f.risk = std::max(f.risk, trace::risk_of_observed(*c.observed, v.observed_rewrite));
      if (c.observed != c.predicted && f.relation.empty()) {
        f.relation = c.object;
        f.lock = c.observed;
      }
    }
    out.push_back(std::move(f));
  }
  out.insert(out.end(), file.merged.trace_only.begin(), file.merged.trace_only.end());
  out.insert(out.end(), file.merged.errors.begin(), file.merged.errors.end());
  std::stable_sort(out.begin(), out.end(), [](const analysis::Finding& a, const analysis::Finding& b) {
    return a.range.begin < b.range.begin;
  });
  return out;
}

void write_trace_report(std::string_view format, const TraceReport& report, std::ostream& out) {
  if (format == "json") write_trace_json(out, report);
  else if (format == "sarif") write_trace_sarif(out, report);
  else if (format == "github") write_trace_github(out, report);
  else if (format == "gitlab") write_trace_gitlab(out, report);
  else if (format == "github-actions") write_trace_github_actions(out, report);
  else write_trace_text(out, report);
}

}  // namespace lockward::server
