// Which findings a document's diagnostics show when there are more than `maxDiagnostics`.
// LSP replaces a document's whole diagnostic set on every publish, so a migration with tens
// of thousands of findings would cost the editor tens of MB of JSON per keystroke. Past the
// limit the editor gets the findings around the last edit, cursor or visible lines (the
// nearest ones, a contiguous run in text order) and one Information diagnostic at the top of
// the file saying what is hidden and how to see it.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "analysis/model.h"

namespace lockward::server::lsp {

struct DiagnosticsWindow {
  std::size_t begin = 0, end = 0;  // the findings shown, [begin, end) of Analysis::findings
  std::size_t total = 0;
  std::array<std::size_t, 4> hidden{};  // hidden findings by LSP severity - 1 (error … hint)
  bool limited() const { return end - begin < total; }
};

// `limit` 0 shows everything. `focus` is a byte offset (the last edit, or where the user looks).
DiagnosticsWindow diagnostics_window(const std::vector<analysis::Finding>& findings, std::size_t focus,
                                     std::size_t limit);

// The bytes in which every finding is shown: the whole text when nothing is hidden. Outside
// them the user would see no diagnostics where there are findings.
analysis::TextRange shown_bytes(const DiagnosticsWindow& w, const std::vector<analysis::Finding>& findings);

struct Converter;

// The JSON of the diagnostic that explains a limited window: on the file's first line, it
// names the lines shown, what is hidden by severity, and how to see everything.
std::string diagnostics_limit_json(const DiagnosticsWindow& w, const std::vector<analysis::Finding>& findings,
                                   const Converter& conv);

}  // namespace lockward::server::lsp
