// The diagnostics of one document, kept per finding across edits: after an incremental
// analysis only the findings it replaced are written again; the others keep their JSON
// fragment, shared with the previous message, and their line numbers are moved by the lines
// the edit added or removed. A finding's JSON is written only once it is in the window the
// editor is shown (diagnostics_window.h). One analysis job at a time uses it.
#pragma once

#include <memory>
#include <string>

#include "analysis/document_analysis.h"
#include "protocol/line_index.h"
#include "server/lsp/convert.h"
#include "server/lsp/diagnostics_message.h"
#include "server/lsp/diagnostics_window.h"

namespace lockward::server::lsp {

class DiagnosticsCache {
 public:
  // The message `prefix` + the diagnostics array for `a` (without trace evidence) + `suffix`:
  // the findings in `window`, and a note on the rest. `change` says what the analysis replaced
  // since the previous call (nothing, when only the window moved).
  std::shared_ptr<const DiagnosticsMessage> update(const std::string& uri, std::shared_ptr<const std::string> text,
                                                   std::shared_ptr<const protocol::LineIndex> lines,
                                                   const analysis::Analysis& a, const analysis::AnalysisChange& change,
                                                   protocol::PositionEncoding enc, const FeatureSettings& settings,
                                                   const DiagnosticsWindow& window, std::string prefix,
                                                   std::string suffix);
  // Forget everything (the next update writes every diagnostic).
  void clear();

 private:
  // Parallel to the previous analysis's findings; an item without JSON was not written yet.
  DiagnosticsMessage::Items items_;
  std::string key_;  // what a diagnostic's text depends on besides its finding
  std::shared_ptr<const std::string> text_;  // the text lines_ points into
  std::shared_ptr<const protocol::LineIndex> lines_;
};

}  // namespace lockward::server::lsp
