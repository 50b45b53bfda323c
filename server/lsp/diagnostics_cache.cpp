#include "server/lsp/diagnostics_cache.h"

#include <algorithm>


namespace lockward::server::lsp {

void DiagnosticsCache::clear() {
  items_.clear();
  key_.clear();
  lines_.reset();
  text_.reset();
}

std::shared_ptr<const DiagnosticsMessage> DiagnosticsCache::update(const std::string& uri,
                                                                   std::shared_ptr<const std::string> text,
                                                                   std::shared_ptr<const protocol::LineIndex> lines,
                                                                   const analysis::Analysis& a,
                                                                   const analysis::AnalysisChange& change,
                                                                   protocol::PositionEncoding enc,
                                                                   const FeatureSettings& settings,
                                                                   const DiagnosticsWindow& window, std::string prefix,
                                                                   std::string suffix) {
  using Item = DiagnosticsMessage::Item;
  Converter conv{*lines, enc};
  std::string key = uri + '\x1f' + (enc == protocol::PositionEncoding::Utf16 ? "16" : "8") + '\x1f' +
                    settings.docs_url + '\x1f' + std::to_string(a.pg_version);
  const std::size_t old_count = items_.size();
  const std::size_t old_end = change.findings_begin + change.old_findings;
  const std::size_t kept = old_count - std::min(old_count, old_end);
  const bool reuse = !change.full && key == key_ && lines_ && old_end <= old_count &&
                     change.findings_begin + change.new_findings + kept == a.findings.size();

  // Updated in place: the messages hold copies of the items they show, the cache the only
  // full list, so an edit moves refs instead of copying tens of thousands of them.
  DiagnosticsMessage::Items& items = items_;
  if (reuse) {
    const auto begin = items.begin() + static_cast<std::ptrdiff_t>(change.findings_begin);
    items.erase(begin, begin + static_cast<std::ptrdiff_t>(change.old_findings));
    // The replaced findings: not written yet.
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(change.findings_begin), change.new_findings, Item{});
    // Lines after the edit's last old line hold the same text, moved by whole lines.
    const std::int64_t old_line = static_cast<std::int64_t>(lines_->position(change.old_edit_end, enc).line);
    const std::int64_t new_line = static_cast<std::int64_t>(lines->position(change.new_edit_end, enc).line);
    const auto shift = static_cast<std::int32_t>(new_line - old_line);
    for (std::size_t i = change.findings_begin + change.new_findings; i < items.size(); ++i) {
      Item& item = items[i];
      if (!item.json) continue;
      if (static_cast<std::int64_t>(item.json->first_line()) + item.shift > old_line) {
        // Not moved by lines: its size stays what it was.
        if (shift != 0) item = DiagnosticsMessage::item(std::move(item.json), item.shift + shift);
      } else {
        item = Item{};  // on the edited line: written again when it is shown
      }
    }
  } else {
    items.assign(a.findings.size(), Item{});
  }

  auto shown = std::make_shared<DiagnosticsMessage::Items>();
  shown->reserve(window.end - window.begin + 1);
  if (window.limited()) {
    DiagnosticJson note{diagnostics_limit_json(window, a.findings, conv), {}};
    shown->push_back(DiagnosticsMessage::item(Fragment::Ref(note), 0));
  }
  for (std::size_t i = window.begin; i < window.end; ++i) {
    if (!items[i].json)
      items[i] = DiagnosticsMessage::item(Fragment::Ref(diagnostic_json(conv, uri, a.findings[i], a.pg_version, settings)), 0);
    shown->push_back(items[i]);
  }
  key_ = std::move(key);
  text_ = std::move(text);
  lines_ = std::move(lines);
  return std::make_shared<const DiagnosticsMessage>(std::move(prefix), std::move(shown), std::move(suffix));
}

}  // namespace lockward::server::lsp
