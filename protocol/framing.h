// JSON-RPC base protocol framing (Content-Length headers), sans I/O: bytes go in, whole
// message bodies come out. Never touches a file descriptor. Not thread-safe; one per stream.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace lockward::protocol {

struct FrameError {
  std::string message;  // what was wrong with the header; the reader has resynchronised
};

struct OversizedFrame {
  std::size_t length;   // the announced Content-Length; its body is being skipped
};

// Past this (or the body cap, if larger) a Content-Length is no message a client could send:
// skipping its body would swallow every later message, so the header is refused instead and
// the reader resynchronises at the next header.
inline constexpr std::size_t kMaxSkippableBody = std::size_t{1} << 30;

// One result of FrameReader::next(): a body, a header error, an oversized frame, or nothing yet.
using FrameEvent = std::variant<std::monostate, std::string, FrameError, OversizedFrame>;

class FrameReader {
 public:
  explicit FrameReader(std::size_t max_body_bytes = 64u << 20) : max_body_(max_body_bytes) {}

  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // Call repeatedly after feed() until it returns std::monostate.
  FrameEvent next();
  // Bytes buffered but not yet consumed (a truncated frame at end of input).
  std::size_t pending() const { return buffer_.size(); }

 private:
  std::string buffer_;
  std::size_t max_body_;
  std::size_t skip_ = 0;  // body bytes of an oversized frame still to discard
};

// A whole frame for `body`.
std::string encode_frame(std::string_view body);
// The header of a frame whose body is `body_size` bytes (write it, then the body, to avoid
// copying a large body).
std::string frame_header(std::size_t body_size);

}  // namespace lockward::protocol
