// A publishDiagnostics message kept as one JSON fragment per diagnostic, shared with the
// messages before and after it, and written out piece by piece. A large document's message
// (tens of MB) is never built in one string: an edit neither copies it nor holds it twice.
// Immutable once built; any thread may write it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
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
};

// A DiagnosticJson packed in one allocation with its reference count: a large document keeps
// tens of thousands of them, and a string, a vector and a shared_ptr each cost ~100 bytes more.
class Fragment {
 public:
  using Hole = std::pair<std::uint32_t, std::uint32_t>;  // (offset in text, line)
  // A shared handle; copies count references (atomically: messages cross threads).
  class Ref {
   public:
    Ref() = default;
    explicit Ref(const DiagnosticJson& json);
    Ref(const Ref& other) noexcept : p_(other.p_) { retain(); }
    Ref(Ref&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
    Ref& operator=(Ref other) noexcept {
      std::swap(p_, other.p_);
      return *this;
    }
    ~Ref() { release(); }
    explicit operator bool() const { return p_ != nullptr; }
    const Fragment* operator->() const { return p_; }
    const Fragment& operator*() const { return *p_; }

   private:
    void retain() const;
    void release() const;
    Fragment* p_ = nullptr;
  };

  std::string_view text() const { return {reinterpret_cast<const char*>(holes_begin() + holes_), size_}; }
  std::span<const Hole> holes() const { return {holes_begin(), holes_}; }
  std::uint32_t first_line() const { return first_line_; }  // the smallest line it mentions

 private:
  Fragment(std::uint32_t size, std::uint32_t holes, std::uint32_t first_line)
      : size_(size), holes_(holes), first_line_(first_line) {}
  const Hole* holes_begin() const { return reinterpret_cast<const Hole*>(this + 1); }
  Hole* holes_begin() { return reinterpret_cast<Hole*>(this + 1); }
  mutable std::atomic<std::uint32_t> refs_{1};
  std::uint32_t size_, holes_, first_line_;
  // Followed by holes_ Holes, then size_ bytes of text.
};

class DiagnosticsMessage {
 public:
  struct Item {
    Fragment::Ref json;
    std::int32_t shift = 0;  // lines added to each of its line numbers
    std::uint32_t bytes = 0;  // its JSON's size, line numbers included
  };
  // An item with its size worked out (the message sums them without touching the fragments).
  static Item item(Fragment::Ref json, std::int32_t shift);
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
  std::string prefix_, suffix_;
  std::shared_ptr<const Items> items_;
  std::size_t size_ = 0;
};

}  // namespace lockward::server::lsp
