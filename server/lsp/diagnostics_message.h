// A publishDiagnostics message kept as one JSON fragment per diagnostic, shared with the
// messages before and after it, and written out piece by piece. A large document's message
// (tens of MB) is never built in one string: an edit neither copies it nor holds it twice.
// Immutable once built; any thread may write it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lockward::server::lsp {

// One diagnostic's JSON with its line numbers left out, so that it can move to other lines
// without being written again.
struct DiagnosticJson {
  std::string text;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> lines;  // (offset in text where a line number goes, the line)
  std::uint32_t first_line = 0;                                // the smallest of them
};

class DiagnosticsMessage {
 public:
  struct Item {
    std::shared_ptr<const DiagnosticJson> json;
    std::int32_t shift = 0;  // lines added to each of its line numbers
  };
  using Items = std::vector<Item>;

  // `prefix` + `[` + the items, comma-separated + `]` + `suffix`.
  DiagnosticsMessage(std::string prefix, std::shared_ptr<const Items> items, std::string suffix);
  // The same around an already-written diagnostics array.
  DiagnosticsMessage(std::string prefix, std::string_view array, std::string suffix);

  std::size_t size() const { return size_; }
  // Hands the whole message to `sink` in consecutive chunks of up to 64 KiB.
  void write(const std::function<void(std::string_view)>& sink) const;
  // The diagnostics array alone, in one string.
  std::string array() const;
  const std::shared_ptr<const Items>& items() const { return items_; }

 private:
  // Passes the array to `add` in small pieces.
  void write_array(const std::function<void(std::string_view)>& add) const;
  std::string prefix_, suffix_;
  std::shared_ptr<const Items> items_;
  std::size_t size_ = 0;
};

}  // namespace lockward::server::lsp
