#include "server/lsp/convert.h"

#include <unordered_map>

#include "protocol/json_writer.h"
#include "trace/finding_after_trace.h"
#include "server/lsp/diagnostics_window.h"

namespace lockward::server::lsp {

Json Converter::position(std::size_t offset) const {
  protocol::Position p = lines.position(offset, encoding);
  return Json{{"line", p.line}, {"character", p.character}};
}

Json Converter::range(analysis::TextRange r) const {
  return Json{{"start", position(r.begin)}, {"end", position(r.end)}};
}

std::size_t Converter::offset(protocol::Position position) const { return lines.offset(position, encoding); }

analysis::TextRange Converter::byte_range(const std::pair<protocol::Position, protocol::Position>& range) const {
  std::size_t a = offset(range.first);
  std::size_t b = offset(range.second);
  if (b < a) std::swap(a, b);
  return {a, b};
}

int lsp_severity(analysis::Severity severity) {
  switch (severity) {
    case analysis::Severity::Error: return 1;
    case analysis::Severity::Warning: return 2;
    case analysis::Severity::Information: return 3;
    case analysis::Severity::Hint: return 4;
  }
  return 2;
}

namespace {

// With `lines`, line numbers are left out and their places recorded.
void write_line(protocol::JsonWriter& w, std::size_t line, DiagnosticJson* lines) {
  w.key("line");
  if (!lines) {
    w.number(static_cast<long long>(line));
    return;
  }
  w.raw("");
  lines->lines.emplace_back(static_cast<std::uint32_t>(w.str().size()), static_cast<std::uint32_t>(line));
}

void write_range(protocol::JsonWriter& w, const Converter& conv, analysis::TextRange r, DiagnosticJson* lines) {
  protocol::Position a = conv.lines.position(r.begin, conv.encoding);
  protocol::Position b = conv.lines.position(r.end, conv.encoding);
  w.begin_object().key("start").begin_object();
  write_line(w, a.line, lines);
  w.key("character").number(static_cast<long long>(a.character)).end_object().key("end").begin_object();
  write_line(w, b.line, lines);
  w.key("character").number(static_cast<long long>(b.character)).end_object().end_object();
}

}  // namespace

const StatementEvidence* evidence_for(const TraceResults* trace, std::string_view text, const analysis::Analysis& a,
                                      std::size_t index) {
  if (!trace || index >= a.statements.size()) return nullptr;
  std::string code(a.statements[index].code.slice(text));
  int occurrence = 0;
  for (std::size_t i = 0; i < index; ++i) {
    if (a.statements[i].code.slice(text) == code) ++occurrence;
  }
  auto it = trace->by_statement.find({code, occurrence});
  return it == trace->by_statement.end() ? nullptr : &it->second;
}

std::vector<const StatementEvidence*> evidence_by_statement(const TraceResults* trace, std::string_view text,
                                                            const analysis::Analysis& a) {
  std::vector<const StatementEvidence*> out(a.statements.size(), nullptr);
  if (!trace) return out;
  std::unordered_map<std::string_view, int> seen;  // occurrences so far of each statement text
  for (std::size_t i = 0; i < a.statements.size(); ++i) {
    std::string_view code = a.statements[i].code.slice(text);
    const int occurrence = seen[code]++;
    auto it = trace->by_statement.find({std::string(code), occurrence});
    if (it != trace->by_statement.end()) out[i] = &it->second;
  }
  return out;
}

std::string_view evidence_mark(trace::Verification status) {
  switch (status) {
    case trace::Verification::Confirmed: return "✓ Confirmed";
    case trace::Verification::NoLocks: return "✓ no locks";
    case trace::Verification::Observed: return "✓ Observed (locks were unknown)";
    case trace::Verification::Mismatch: return "✗ Mismatch";
    case trace::Verification::Error: return "✗ Error";
    case trace::Verification::Skipped: return "not executed";
  }
  return "";
}

namespace {

void write_diagnostic(protocol::JsonWriter& w, const Converter& conv, const std::string& uri, const analysis::Finding& f,
                      int pg_version, const FeatureSettings& settings, DiagnosticJson* lines) {
  w.begin_object();
  w.key("range");
  write_range(w, conv, f.range, lines);
  w.key("severity").number(lsp_severity(f.severity));
  w.key("code").string(f.rule);
  w.key("source").string("lockward");
  std::string message = f.message + " [" + std::string(analysis::risk_name(f.risk)) + ", PostgreSQL " +
                        std::to_string(pg_version) + "]" + (f.help.empty() ? "" : "\n" + f.help);
  w.key("message").string(message);
  if (!settings.docs_url.empty()) {
    w.key("codeDescription").begin_object().key("href").string(settings.docs_url + "#" + f.rule).end_object();
  }
  if (!f.related.empty()) {
    w.key("relatedInformation").begin_array();
    for (const auto& r : f.related) {
      w.begin_object().key("location").begin_object().key("uri").string(uri).key("range");
      write_range(w, conv, r.range, lines);
      w.end_object().key("message").string(r.message).end_object();
    }
    w.end_array();
  }
  w.end_object();
}

}  // namespace

DiagnosticJson diagnostic_json(const Converter& conv, const std::string& uri, const analysis::Finding& f, int pg_version,
                               const FeatureSettings& settings) {
  protocol::JsonWriter w;
  DiagnosticJson out;
  write_diagnostic(w, conv, uri, f, pg_version, settings, &out);
  out.text = w.take();
  return out;
}

std::string diagnostics_json(const std::string& uri, const protocol::LineIndex& lines, std::string_view text,
                             const analysis::Analysis& a, protocol::PositionEncoding enc,
                             const FeatureSettings& settings, const TraceResults* trace,
                             const DiagnosticsWindow* shown) {
  Converter conv{lines, enc};
  protocol::JsonWriter w;
  const DiagnosticsWindow window = shown ? *shown : diagnostics_window(a.findings, 0, 0);
  // Statements whose findings are shown: the trace's own findings go with them.
  std::size_t first_statement = 0, end_statement = a.statements.size();
  if (window.limited()) {
    first_statement = a.findings[window.begin].statement.value_or(0);
    end_statement = a.findings[window.end - 1].statement.value_or(a.statements.size() - 1) + 1;
  }
  // The trace's own findings join the static ones, at the statements' current places.
  std::vector<analysis::Finding> extra;
  const std::vector<const StatementEvidence*> evidence = evidence_by_statement(trace, text, a);
  if (trace) {
    for (const auto& s : a.statements) {
      if (!evidence[s.index] || s.index < first_statement || s.index >= end_statement) continue;
      for (analysis::Finding f : evidence[s.index]->findings) {
        f.range = {f.range.begin + s.code.begin, f.range.end + s.code.begin};
        f.statement = s.index;
        f.message += " (trace, PostgreSQL " + trace->server_version + ")";
        extra.push_back(std::move(f));
      }
    }
  }
  std::vector<const analysis::Finding*> all;
  for (std::size_t i = window.begin; i < window.end; ++i) all.push_back(&a.findings[i]);
  for (const auto& f : extra) all.push_back(&f);
  w.begin_array();
  if (window.limited()) w.raw(diagnostics_limit_json(window, a.findings, conv));
  for (const analysis::Finding* fp : all) {
    const analysis::Finding& f = *fp;
    if (f.statement && *f.statement < evidence.size() && evidence[*f.statement]) {
      // What the trace saw decides what the finding says (trace/finding_after_trace).
      const StatementEvidence& e = *evidence[*f.statement];
      trace::TracedStatement traced{&e.verification, e.transaction_locks, e.held_ms};
      write_diagnostic(w, conv, uri, trace::finding_after_trace(f, traced, a.pg_version, trace->server_version),
                       a.pg_version, settings, nullptr);
      continue;
    }
    write_diagnostic(w, conv, uri, f, a.pg_version, settings, nullptr);
  }
  w.end_array();
  return w.take();
}

}  // namespace lockward::server::lsp
