#include "server/lsp/diagnostics_message.h"

#include <algorithm>
#include <charconv>
#include <new>

namespace lockward::server::lsp {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

std::size_t digits(std::uint32_t value) {
  std::size_t n = 1;
  while (value >= 10) {
    value /= 10;
    ++n;
  }
  return n;
}

std::uint32_t moved(std::uint32_t line, std::int32_t shift) {
  return static_cast<std::uint32_t>(static_cast<std::int64_t>(line) + shift);
}

// Collects small pieces into chunks, so that the sink (a write(2)) runs once per chunk.
class Chunker {
 public:
  explicit Chunker(const std::function<void(std::string_view)>& sink) : sink_(sink) { buffer_.reserve(kChunk); }
  ~Chunker() { flush(); }
  void append(std::string_view s) {
    if (buffer_.size() + s.size() > kChunk) flush();
    if (s.size() >= kChunk) sink_(s);
    else buffer_.append(s);
  }
  void flush() {
    if (!buffer_.empty()) sink_(buffer_);
    buffer_.clear();
  }

 private:
  const std::function<void(std::string_view)>& sink_;
  std::string buffer_;
};

// The array, piece by piece, into `out` (a Chunker or a std::string).
template <class Out>
void write_array(const DiagnosticsMessage::Items& items, Out& out) {
  out.append("[");
  bool first = true;
  for (const DiagnosticsMessage::Item& item : items) {
    if (!first) out.append(",");
    first = false;
    const std::string_view text = item.json->text();
    std::size_t from = 0;
    for (const auto& [offset, line] : item.json->holes()) {
      out.append(text.substr(from, offset - from));
      char number[16];
      auto [end, ec] = std::to_chars(number, number + sizeof number, moved(line, item.shift));
      out.append(std::string_view(number, static_cast<std::size_t>(end - number)));
      from = offset;
    }
    out.append(text.substr(from));
  }
  out.append("]");
}

}  // namespace

DiagnosticsMessage::Item DiagnosticsMessage::item(Fragment::Ref json, std::int32_t shift) {
  std::size_t bytes = json->text().size();
  for (const auto& [offset, line] : json->holes()) bytes += digits(moved(line, shift));
  return Item{std::move(json), shift, static_cast<std::uint32_t>(bytes)};
}

Fragment::Ref::Ref(const DiagnosticJson& json) {
  static_assert(alignof(Fragment) >= alignof(Hole) && sizeof(Fragment) % alignof(Hole) == 0);
  std::uint32_t first = json.lines.empty() ? 0 : json.lines.front().second;
  for (const auto& [offset, line] : json.lines) first = std::min(first, line);
  const std::size_t bytes = sizeof(Fragment) + json.lines.size() * sizeof(Hole) + json.text.size();
  void* memory = ::operator new(bytes);
  p_ = new (memory) Fragment(static_cast<std::uint32_t>(json.text.size()), static_cast<std::uint32_t>(json.lines.size()), first);
  std::copy(json.lines.begin(), json.lines.end(), p_->holes_begin());
  std::copy(json.text.begin(), json.text.end(), reinterpret_cast<char*>(p_->holes_begin() + json.lines.size()));
}

void Fragment::Ref::retain() const {
  if (p_) p_->refs_.fetch_add(1, std::memory_order_relaxed);
}

void Fragment::Ref::release() const {
  if (p_ && p_->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    p_->~Fragment();
    ::operator delete(p_);
  }
}

DiagnosticsMessage::DiagnosticsMessage(std::string prefix, std::shared_ptr<const Items> items, std::string suffix)
    : prefix_(std::move(prefix)), suffix_(std::move(suffix)), items_(std::move(items)) {
  size_ = prefix_.size() + 2 + suffix_.size();
  if (!items_->empty()) size_ += items_->size() - 1;  // commas
  for (const Item& item : *items_) size_ += item.bytes;
}

DiagnosticsMessage::DiagnosticsMessage(std::string prefix, std::string_view array, std::string suffix)
    : DiagnosticsMessage(std::move(prefix), [&] {
        // One item holding the whole array's contents, without its brackets.
        DiagnosticJson json;
        json.text = array.size() >= 2 ? std::string(array.substr(1, array.size() - 2)) : std::string();
        return std::make_shared<const Items>(Items{item(Fragment::Ref(json), 0)});
      }(), std::move(suffix)) {}

void DiagnosticsMessage::write(const std::function<void(std::string_view)>& sink) const {
  Chunker out(sink);
  out.append(prefix_);
  write_array(*items_, out);
  out.append(suffix_);
}

std::string DiagnosticsMessage::array() const {
  std::string out;
  out.reserve(size_ - prefix_.size() - suffix_.size());
  write_array(*items_, out);
  return out;
}

}  // namespace lockward::server::lsp
