#include "server/lsp/diagnostics_cache.h"

#include <algorithm>

namespace lockward::server::lsp {

void DiagnosticsCache::clear() {
  items_.reset();
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
                                                                   const FeatureSettings& settings, std::string prefix,
                                                                   std::string suffix) {
  using Item = DiagnosticsMessage::Item;
  Converter conv{*lines, enc};
  std::string key = uri + '\x1f' + (enc == protocol::PositionEncoding::Utf16 ? "16" : "8") + '\x1f' +
                    settings.docs_url + '\x1f' + std::to_string(a.pg_version);
  const std::size_t old_count = items_ ? items_->size() : 0;
  const std::size_t old_end = change.findings_begin + change.old_findings;
  const std::size_t kept = old_count - std::min(old_count, old_end);
  const bool reuse = !change.full && key == key_ && items_ && lines_ && old_end <= old_count &&
                     change.findings_begin + change.new_findings + kept == a.findings.size();

  auto items = std::make_shared<DiagnosticsMessage::Items>();
  items->reserve(a.findings.size());
  auto fresh = [&](std::size_t i) {
    items->push_back(DiagnosticsMessage::item(Fragment::Ref(diagnostic_json(conv, uri, a.findings[i], a.pg_version, settings)), 0));
  };
  if (!reuse) {
    for (std::size_t i = 0; i < a.findings.size(); ++i) fresh(i);
  } else {
    const DiagnosticsMessage::Items& old = *items_;
    items->insert(items->end(), old.begin(), old.begin() + static_cast<std::ptrdiff_t>(change.findings_begin));
    for (std::size_t i = change.findings_begin; i < change.findings_begin + change.new_findings; ++i) fresh(i);
    // Lines after the edit's last old line hold the same text, moved by whole lines.
    const std::int64_t old_line = static_cast<std::int64_t>(lines_->position(change.old_edit_end, enc).line);
    const std::int64_t new_line = static_cast<std::int64_t>(lines->position(change.new_edit_end, enc).line);
    const auto shift = static_cast<std::int32_t>(new_line - old_line);
    for (std::size_t i = 0; i < kept; ++i) {
      const Item& item = old[old_end + i];
      if (static_cast<std::int64_t>(item.json->first_line()) + item.shift > old_line) {
        // Not moved by lines: its size stays what it was.
        items->push_back(shift == 0 ? item : DiagnosticsMessage::item(item.json, item.shift + shift));
      } else {
        fresh(change.findings_begin + change.new_findings + i);
      }
    }
  }
  items_ = items;
  key_ = std::move(key);
  text_ = std::move(text);
  lines_ = std::move(lines);
  return std::make_shared<const DiagnosticsMessage>(std::move(prefix), std::move(items), std::move(suffix));
}

}  // namespace lockward::server::lsp
