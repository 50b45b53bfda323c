// The diagnostics JSON of one document, kept per finding across edits: after an incremental
// analysis only the findings it replaced are written again, the others keep their text and
// move by the lines the edit added or removed. Publishing is then mostly concatenation.
// Used by one analysis job at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/document_analysis.h"
#include "protocol/line_index.h"
#include "server/lsp/convert.h"

namespace lockward::server::lsp {

class DiagnosticsCache {
 public:
  // The diagnostics array for `a` (without trace evidence) as JSON text, between `prefix` and
  // `suffix` (the message around it: written once, never copied). `change` says what the
  // analysis replaced since the previous call.
  std::string update(const std::string& uri, std::shared_ptr<const std::string> text,
                     std::shared_ptr<const protocol::LineIndex> lines, const analysis::Analysis& a,
                     const analysis::AnalysisChange& change, protocol::PositionEncoding enc,
                     const FeatureSettings& settings, std::string_view prefix = {}, std::string_view suffix = {});
  // Forget everything (the next update writes every diagnostic).
  void clear();

 private:
  struct Fragment {
    DiagnosticJson json;
    std::uint32_t first_line = 0;  // the smallest line it mentions
  };
  Fragment make(const Converter& conv, const std::string& uri, const analysis::Finding& f, int pg_version,
                const FeatureSettings& settings) const;
  std::string assemble(std::string_view prefix, std::string_view suffix) const;

  std::vector<Fragment> fragments_;  // parallel to the previous analysis's findings
  std::string key_;                  // what the text of a fragment depends on besides its finding
  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const protocol::LineIndex> lines_;
};

}  // namespace lockward::server::lsp
