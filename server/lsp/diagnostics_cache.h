// The diagnostics JSON of one document, kept per finding across edits: after an incremental
// analysis only the findings it replaced are written again; the others are copied from the
// previous message, their line numbers moved by the lines the edit added or removed. Only the
// message itself and the place of each diagnostic in it are kept. One analysis job at a time
// uses it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/document_analysis.h"
#include "protocol/line_index.h"
#include "server/lsp/convert.h"

namespace lockward::server::lsp {

class DiagnosticsCache {
 public:
  // `prefix` + the diagnostics array for `a` (without trace evidence) + `suffix`: the whole
  // message, written once. `change` says what the analysis replaced since the previous call.
  std::shared_ptr<const std::string> update(const std::string& uri, std::shared_ptr<const std::string> text,
                                            std::shared_ptr<const protocol::LineIndex> lines,
                                            const analysis::Analysis& a, const analysis::AnalysisChange& change,
                                            protocol::PositionEncoding enc, const FeatureSettings& settings,
                                            std::string_view prefix = {}, std::string_view suffix = {});
  // Forget everything (the next update writes every diagnostic).
  void clear();

 private:
  struct Slot {
    std::size_t offset = 0;  // where the line number's digits start in the message
    std::uint32_t digits = 0;
    std::uint32_t line = 0;
  };
  struct Span {
    std::size_t begin = 0, end = 0;     // the diagnostic's bytes in the message
    std::size_t first_slot = 0, slots = 0;
    std::uint32_t first_line = 0;       // the smallest line it mentions
  };
  // Appends a diagnostic with its line numbers (old slots moved by `shift` lines).
  void append_fresh(std::string& out, const DiagnosticJson& json, std::vector<Span>& spans, std::vector<Slot>& slots) const;
  void append_moved(std::string& out, const Span& span, std::int64_t shift, std::vector<Span>& spans,
                    std::vector<Slot>& slots) const;

  std::shared_ptr<const std::string> message_;  // the previous message
  std::vector<Span> spans_;                     // parallel to the previous analysis's findings
  std::vector<Slot> slots_;
  std::string key_;  // what a diagnostic's text depends on besides its finding
  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const protocol::LineIndex> lines_;
};

}  // namespace lockward::server::lsp
