#include "server/lsp/diagnostics_cache.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace lockward::server::lsp {
namespace {

std::uint32_t append_number(std::string& out, std::uint32_t value) {
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, static_cast<std::size_t>(end - digits));
  return static_cast<std::uint32_t>(end - digits);
}

}  // namespace

void DiagnosticsCache::clear() {
  message_.reset();
  spans_.clear();
  slots_.clear();
  key_.clear();
  text_.reset();
  lines_.reset();
}

void DiagnosticsCache::append_fresh(std::string& out, const DiagnosticJson& json, std::vector<Span>& spans,
                                    std::vector<Slot>& slots) const {
  Span span{out.size(), 0, slots.size(), 0, std::numeric_limits<std::uint32_t>::max()};
  std::size_t from = 0;
  for (const auto& [offset, line] : json.lines) {
    out.append(json.text, from, offset - from);
    std::size_t at = out.size();
    slots.push_back({at, append_number(out, line), line});
    span.first_line = std::min(span.first_line, line);
    from = offset;
  }
  out.append(json.text, from, std::string::npos);
  span.end = out.size();
  span.slots = json.lines.size();
  spans.push_back(span);
}

void DiagnosticsCache::append_moved(std::string& out, const Span& old, std::int64_t shift, std::vector<Span>& spans,
                                    std::vector<Slot>& slots) const {
  const std::string& m = *message_;
  Span span{out.size(), 0, slots.size(), old.slots, static_cast<std::uint32_t>(old.first_line + shift)};
  std::size_t from = old.begin;
  for (std::size_t i = old.first_slot; i < old.first_slot + old.slots; ++i) {
    const Slot& s = slots_[i];
    out.append(m, from, s.offset - from);
    const auto line = static_cast<std::uint32_t>(s.line + shift);
    std::size_t at = out.size();
    slots.push_back({at, shift == 0 ? static_cast<std::uint32_t>(s.digits) : append_number(out, line), line});
    if (shift == 0) out.append(m, s.offset, s.digits);
    from = s.offset + s.digits;
  }
  out.append(m, from, old.end - from);
  span.end = out.size();
  spans.push_back(span);
}

std::shared_ptr<const std::string> DiagnosticsCache::update(const std::string& uri, std::shared_ptr<const std::string> text,
                                                            std::shared_ptr<const protocol::LineIndex> lines,
                                                            const analysis::Analysis& a,
                                                            const analysis::AnalysisChange& change,
                                                            protocol::PositionEncoding enc, const FeatureSettings& settings,
                                                            std::string_view prefix, std::string_view suffix) {
  Converter conv{*lines, enc};
  std::string key = uri + '\x1f' + (enc == protocol::PositionEncoding::Utf16 ? "16" : "8") + '\x1f' +
                    settings.docs_url + '\x1f' + std::to_string(a.pg_version);
  const std::size_t old_end = change.findings_begin + change.old_findings;
  const std::size_t kept = spans_.size() - std::min(spans_.size(), old_end);
  const bool reuse = !change.full && key == key_ && message_ && lines_ && old_end <= spans_.size() &&
                     change.findings_begin + change.new_findings + kept == a.findings.size();

  std::string out;
  out.reserve((message_ ? message_->size() : a.findings.size() * 600) + prefix.size() + 4096);
  out += prefix;
  out += '[';
  std::vector<Span> spans;
  std::vector<Slot> slots;
  spans.reserve(a.findings.size());
  slots.reserve(a.findings.size() * 4);
  auto separate = [&] { if (!spans.empty()) out += ','; };
  auto fresh = [&](std::size_t i) {
    separate();
    append_fresh(out, diagnostic_json(conv, uri, a.findings[i], a.pg_version, settings), spans, slots);
  };
  if (!reuse) {
    for (std::size_t i = 0; i < a.findings.size(); ++i) fresh(i);
  } else {
    for (std::size_t i = 0; i < change.findings_begin; ++i) {
      separate();
      append_moved(out, spans_[i], 0, spans, slots);
    }
    for (std::size_t i = change.findings_begin; i < change.findings_begin + change.new_findings; ++i) fresh(i);
    // Lines after the edit's last old line hold the same text, moved by whole lines.
    const std::int64_t old_line = static_cast<std::int64_t>(lines_->position(change.old_edit_end, enc).line);
    const std::int64_t new_line = static_cast<std::int64_t>(lines->position(change.new_edit_end, enc).line);
    for (std::size_t i = 0; i < kept; ++i) {
      const Span& old = spans_[old_end + i];
      if (old.first_line > old_line) {
        separate();
        append_moved(out, old, new_line - old_line, spans, slots);
      } else {
        fresh(change.findings_begin + change.new_findings + i);
      }
    }
  }
  out += ']';
  out += suffix;
  // Offsets are kept relative to the new message.
  auto message = std::make_shared<const std::string>(std::move(out));
  message_ = message;
  spans_ = std::move(spans);
  slots_ = std::move(slots);
  key_ = std::move(key);
  text_ = std::move(text);
  lines_ = std::move(lines);
  return message;
}

}  // namespace lockward::server::lsp
