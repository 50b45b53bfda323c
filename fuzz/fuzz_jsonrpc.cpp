// libFuzzer target: JSON-RPC decoding of a frame body, and encoding the replies the server
// would send for what it decoded. Never throws, never crashes.
#include <cstdint>
#include <string_view>

#include "protocol/jsonrpc.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lockward::protocol;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Decoded decoded = decode_message(body);  // an exception escaping here fails the run
  if (decoded.message) {
    const Message& m = *decoded.message;
    if (m.kind == Message::Kind::Request) {
      (void)encode_response(m.id, m.params);
      (void)encode_error(m.id, error_code::kMethodNotFound, m.method, m.params);
    } else if (m.kind == Message::Kind::Notification) {
      (void)encode_notification(m.method, m.params);
    }
  }
  if (decoded.error) (void)encode_error(decoded.error->id, decoded.error->code, decoded.error->message);
  return 0;
}
