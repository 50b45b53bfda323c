// analysis → LSP: byte ranges to LSP ranges, risks to severities, findings to diagnostics.
// The one bridge between analysis/ and protocol/ types.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/model.h"
#include "analysis/options.h"
#include "analysis/parallel.h"
#include "protocol/jsonrpc.h"
#include "protocol/line_index.h"
#include "server/lsp/diagnostics_message.h"
#include "server/lsp/document.h"
#include "server/lsp/trace_service.h"

namespace lockward::server::lsp {

using protocol::Json;

struct Converter {
  const protocol::LineIndex& lines;
  protocol::PositionEncoding encoding;

  Json position(std::size_t offset) const;
  Json range(analysis::TextRange r) const;
  // A byte offset from an LSP position (clamped to the text).
  std::size_t offset(protocol::Position position) const;
  analysis::TextRange byte_range(const std::pair<protocol::Position, protocol::Position>& range) const;
};

int lsp_severity(analysis::Severity severity);  // 1 error … 4 hint

// Rendering settings the client controls.
// The trace evidence for statement `index` of `a`, if the latest trace covered its text.
const StatementEvidence* evidence_for(const TraceResults* trace, std::string_view text, const analysis::Analysis& a,
                                      std::size_t index);
std::string_view evidence_mark(trace::Verification status);
// evidence_for every statement at once, in one pass (per statement it would be quadratic).
std::vector<const StatementEvidence*> evidence_by_statement(const TraceResults* trace, std::string_view text,
                                                            const analysis::Analysis& a);  // "✓ Confirmed", "✗ Mismatch", …

struct FeatureSettings {
  std::string docs_url;  // base for codeDescription.href; the rule id is appended as an anchor
  bool inlay_hints = true;
  bool code_lens = true;
};

// The diagnostics array as JSON text, written directly (no DOM): it runs on the analysis
// worker for every edit, and large documents have tens of thousands of diagnostics.
// With `trace`, each finding says what the trace found for its statement, and the trace's own
// findings (unexpected locks and rewrites, errors) are added. Only the findings in `window`
// (all, without one) are written, and a note on the rest, as DiagnosticsCache::update does.
struct DiagnosticsWindow;
std::string diagnostics_json(const std::string& uri, const protocol::LineIndex& lines, std::string_view text,
                             const analysis::Analysis& a, protocol::PositionEncoding enc,
                             const FeatureSettings& settings, const TraceResults* trace,
                             const DiagnosticsWindow* window = nullptr);
// One diagnostic's JSON with its line numbers left out (DiagnosticsCache).
DiagnosticJson diagnostic_json(const Converter& conv, const std::string& uri, const analysis::Finding& f, int pg_version,
                               const FeatureSettings& settings);

Json hover(const Document& doc, const analysis::Analysis& a, protocol::PositionEncoding enc, std::size_t offset,
           const TraceResults* trace);
// `options` are those `a` was analysed with: each fix's result is analysed again with them
// (whole-file analyses, on `parallel`'s threads when given): call it off the I/O thread.
Json code_actions(const Document& doc, const analysis::Analysis& a, const analysis::Options& options,
                  protocol::PositionEncoding enc, analysis::TextRange range, const Json& only, bool offer_trace,
                  const analysis::ParallelFor* parallel = nullptr);
Json inlay_hints(const Document& doc, const analysis::Analysis& a, protocol::PositionEncoding enc,
                 analysis::TextRange range, const TraceResults* trace);
Json code_lenses(const Document& doc, const analysis::Analysis& a, protocol::PositionEncoding enc);
Json document_symbols(const Document& doc, const analysis::Analysis& a, protocol::PositionEncoding enc);
Json folding_ranges(const Document& doc, const analysis::Analysis& a);

}  // namespace lockward::server::lsp
