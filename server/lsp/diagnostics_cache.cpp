#include "server/lsp/diagnostics_cache.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace lockward::server::lsp {

DiagnosticsCache::Fragment DiagnosticsCache::make(const Converter& conv, const std::string& uri, const analysis::Finding& f,
                                                  int pg_version, const FeatureSettings& settings) const {
  Fragment out;
  out.json = diagnostic_json(conv, uri, f, pg_version, settings);
  out.first_line = std::numeric_limits<std::uint32_t>::max();
  for (const auto& [offset, line] : out.json.lines) out.first_line = std::min(out.first_line, line);
  return out;
}

void DiagnosticsCache::clear() {
  fragments_.clear();
  key_.clear();
  text_.reset();
  lines_.reset();
}

std::string DiagnosticsCache::update(const std::string& uri, std::shared_ptr<const std::string> text,
                                     std::shared_ptr<const protocol::LineIndex> lines, const analysis::Analysis& a,
                                     const analysis::AnalysisChange& change, protocol::PositionEncoding enc,
                                     const FeatureSettings& settings, std::string_view prefix,
                                     std::string_view suffix) {
  Converter conv{*lines, enc};
  std::string key = uri + '\x1f' + (enc == protocol::PositionEncoding::Utf16 ? "16" : "8") + '\x1f' +
                    settings.docs_url + '\x1f' + std::to_string(a.pg_version);
  const std::size_t kept = fragments_.size() - std::min(fragments_.size(), change.findings_begin + change.old_findings);
  bool reuse = !change.full && key == key_ && lines_ &&
               change.findings_begin + change.old_findings <= fragments_.size() &&
               change.findings_begin + change.new_findings + kept == a.findings.size();
  if (!reuse) {
    fragments_.clear();
    fragments_.reserve(a.findings.size());
    for (const auto& f : a.findings) fragments_.push_back(make(conv, uri, f, a.pg_version, settings));
  } else {
    // Lines after the edit's last old line hold the same text, moved by whole lines.
    const auto old_line = static_cast<std::uint32_t>(lines_->position(change.old_edit_end, enc).line);
    const auto new_line = static_cast<std::uint32_t>(lines->position(change.new_edit_end, enc).line);
    const std::size_t suffix_old = change.findings_begin + change.old_findings;
    const std::size_t suffix_new = change.findings_begin + change.new_findings;
    for (std::size_t i = 0; i < kept; ++i) {
      Fragment& fr = fragments_[suffix_old + i];
      if (fr.first_line > old_line) {
        if (new_line == old_line) continue;
        fr.first_line = fr.first_line - old_line + new_line;
        for (auto& [offset, line] : fr.json.lines) line = line - old_line + new_line;
      } else {
        fr = make(conv, uri, a.findings[suffix_new + i], a.pg_version, settings);
      }
    }
    std::vector<Fragment> fresh;
    fresh.reserve(change.new_findings);
    for (std::size_t i = change.findings_begin; i < suffix_new; ++i)
      fresh.push_back(make(conv, uri, a.findings[i], a.pg_version, settings));
    if (fresh.size() == change.old_findings) {
      std::move(fresh.begin(), fresh.end(), fragments_.begin() + static_cast<std::ptrdiff_t>(change.findings_begin));
    } else {
      auto at = fragments_.begin() + static_cast<std::ptrdiff_t>(change.findings_begin);
      at = fragments_.erase(at, at + static_cast<std::ptrdiff_t>(change.old_findings));
      fragments_.insert(at, std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
    }
  }
  key_ = std::move(key);
  text_ = std::move(text);
  lines_ = std::move(lines);
  return assemble(prefix, suffix);
}

std::string DiagnosticsCache::assemble(std::string_view prefix, std::string_view suffix) const {
  std::size_t size = prefix.size() + 2 + suffix.size();
  for (const Fragment& f : fragments_) size += f.json.text.size() + 1 + 10 * f.json.lines.size();
  std::string out;
  out.reserve(size);
  out += prefix;
  out += '[';
  char digits[16];
  for (std::size_t i = 0; i < fragments_.size(); ++i) {
    if (i) out += ',';
    const DiagnosticJson& j = fragments_[i].json;
    std::size_t from = 0;
    for (const auto& [offset, line] : j.lines) {
      out.append(j.text, from, offset - from);
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, line);
      out.append(digits, static_cast<std::size_t>(end - digits));
      from = offset;
    }
    out.append(j.text, from, std::string::npos);
  }
  out += ']';
  out += suffix;
  return out;
}

}  // namespace lockward::server::lsp
