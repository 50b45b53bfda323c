#include "server/lsp/diagnostics_window.h"

#include <algorithm>
#include <limits>

#include "protocol/json_writer.h"
#include "server/lsp/convert.h"

namespace lockward::server::lsp {
namespace {

// 34712 → "34,712": the counts are read at a glance in a Problems panel.
std::string grouped(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

DiagnosticsWindow diagnostics_window(const std::vector<analysis::Finding>& findings, std::size_t focus,
                                     std::size_t limit) {
  DiagnosticsWindow w;
  w.total = findings.size();
  w.end = findings.size();
  if (limit == 0 || findings.size() <= limit) return w;
  // Findings are in text order (by where they begin): the nearest `limit` to the focus are a
  // run around the first one that begins at or after it.
  const auto at = static_cast<std::size_t>(
      std::lower_bound(findings.begin(), findings.end(), focus,
                       [](const analysis::Finding& f, std::size_t offset) { return f.range.begin < offset; }) -
      findings.begin());
  w.begin = std::min(at - std::min(at, limit / 2), findings.size() - limit);
  w.end = w.begin + limit;
  auto hide = [&](const analysis::Finding& f) { ++w.hidden[static_cast<std::size_t>(lsp_severity(f.severity) - 1)]; };
  std::for_each(findings.begin(), findings.begin() + static_cast<std::ptrdiff_t>(w.begin), hide);
  std::for_each(findings.begin() + static_cast<std::ptrdiff_t>(w.end), findings.end(), hide);
  return w;
}

analysis::TextRange shown_bytes(const DiagnosticsWindow& w, const std::vector<analysis::Finding>& findings) {
  analysis::TextRange r{0, std::numeric_limits<std::size_t>::max()};
  if (w.begin > 0) r.begin = findings[w.begin].range.begin;
  if (w.end < findings.size()) r.end = findings[w.end - 1].range.end;
  return r;
}

std::string diagnostics_limit_json(const DiagnosticsWindow& w, const std::vector<analysis::Finding>& findings,
                                   const Converter& conv) {
  const std::size_t first_line = conv.lines.position(findings[w.begin].range.begin, conv.encoding).line + 1;
  const std::size_t last_line = conv.lines.position(findings[w.end - 1].range.end, conv.encoding).line + 1;
  static const char* kNames[] = {"error", "warning", "info", "hint"};
  std::string hidden;
  for (std::size_t s = 0; s < w.hidden.size(); ++s) {
    if (w.hidden[s] == 0) continue;
    if (!hidden.empty()) hidden += ", ";
    hidden += grouped(w.hidden[s]) + " " + kNames[s] + (w.hidden[s] == 1 || s == 2 ? "" : "s");
  }
  const std::string message = "lockward shows " + grouped(w.end - w.begin) + " of " + grouped(w.total) +
                              " findings, those on lines " + grouped(first_line) + "–" + grouped(last_line) +
                              " around your last edit or cursor; not shown: " + hidden +
                              ". Set lockward.maxDiagnostics to 0 to show all, or run `lockward check` on the file.";
  protocol::JsonWriter json;
  json.begin_object().key("range").raw(R"({"start":{"line":0,"character":0},"end":{"line":0,"character":0}})");
  json.key("severity").number(3).key("code").string("diagnostics-limit").key("source").string("lockward");
  json.key("message").string(message).end_object();
  return json.take();
}

}  // namespace lockward::server::lsp
