// libFuzzer target: Content-Length framing. Any bytes, fed whole or in chunks of any sizes,
// give the same events (bodies, header errors, oversized frames) and never crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/framing.h"

namespace {

using lockward::protocol::FrameEvent;
using lockward::protocol::FrameReader;

// Events as comparable text.
std::string describe(const FrameEvent& e) {
  if (const auto* body = std::get_if<std::string>(&e)) return "body:" + *body;
  if (const auto* error = std::get_if<lockward::protocol::FrameError>(&e)) return "error:" + error->message;
  if (const auto* big = std::get_if<lockward::protocol::OversizedFrame>(&e)) return "oversized:" + std::to_string(big->length);
  return "";
}

void drain(FrameReader& reader, std::vector<std::string>& events) {
  for (FrameEvent e = reader.next(); !std::holds_alternative<std::monostate>(e); e = reader.next())
    events.push_back(describe(e));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte picks the chunk sizes; a small body cap reaches the oversized path.
  std::size_t chunk = 1 + data[0] % 17;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  FrameReader whole(256);
  whole.feed(input);
  std::vector<std::string> at_once;
  drain(whole, at_once);

  FrameReader pieces(256);
  std::vector<std::string> chunked;
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    pieces.feed(input.substr(at, chunk));
    drain(pieces, chunked);
  }
  // Headers longer than 64 KiB are discarded when they arrive, so only then may chunking matter.
  if (input.size() < 64 * 1024 && at_once != chunked) std::abort();
  (void)lockward::protocol::encode_frame(input);
  return 0;
}
