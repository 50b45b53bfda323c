#include "server/lsp/document.h"

#include <algorithm>
#include <optional>

namespace lockward::server::lsp {

Document::Document(std::string uri, std::string language_id, long version, std::string text)
    : uri_(std::move(uri)), language_id_(std::move(language_id)), version_(version),
      text_(std::make_shared<const std::string>(std::move(text))) {
  reindex();
}

void Document::reindex() { lines_ = std::make_shared<const protocol::LineIndex>(*text_); }

void Document::apply(long version, const std::vector<TextChange>& changes, protocol::PositionEncoding encoding) {
  std::string text = *text_;
  std::optional<protocol::LineIndex> changed;  // the index of `text` once a change applied
  const protocol::LineIndex* index = lines_.get();
  for (const TextChange& change : changes) {
    if (!change.range) {
      // A client that sends whole texts: the edit is where the new text starts to differ.
      auto [old_at, new_at] = std::mismatch(text.begin(), text.end(), change.text.begin(), change.text.end());
      if (new_at != change.text.end() || old_at != text.end())
        last_edit_ = static_cast<std::size_t>(new_at - change.text.begin());
      text = change.text;
      index = nullptr;
      continue;
    }
    if (!index) index = &changed.emplace(text);
    std::size_t begin = index->offset(change.range->first, encoding);
    std::size_t end = index->offset(change.range->second, encoding);
    if (end < begin) std::swap(begin, end);
    text.replace(begin, end - begin, change.text);
    last_edit_ = begin + change.text.size();
    index = nullptr;
  }
  version_ = version;
  text_ = std::make_shared<const std::string>(std::move(text));
  reindex();
}

}  // namespace lockward::server::lsp
