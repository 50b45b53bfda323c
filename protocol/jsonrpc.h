// JSON-RPC 2.0 messages: decoding a frame body into a request, notification or response, and
// encoding replies. Knows no LSP method and no SQL.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace lockward::protocol {

using Json = nlohmann::json;

namespace error_code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
inline constexpr int kRequestFailed = -32803;
inline constexpr int kContentModified = -32801;
inline constexpr int kRequestCancelled = -32800;
}  // namespace error_code

struct Message {
  enum class Kind { Request, Notification, Response };
  Kind kind = Kind::Notification;
  Json id;             // number or string for requests and responses
  std::string method;  // requests and notifications
  Json params;         // may be null
  Json result;         // responses
  Json error;          // responses: the error object, or null
};

struct DecodeError {
  int code;
  std::string message;
  Json id;  // the request id when it could be read, else null (reply with id null)
  // False for a notification (a method without an id): JSON-RPC forbids answering one, so
  // the error is only logged.
  bool reply = true;
};

// Deeper JSON is refused before it is parsed: nlohmann's DOM copies, compares and writes
// values recursively, and a message nested 100,000 deep would overflow the stack. No LSP
// message comes near it.
inline constexpr std::size_t kMaxJsonDepth = 256;

// Either a message or an error to send back.
struct Decoded {
  std::optional<Message> message;
  std::optional<DecodeError> error;
};

Decoded decode_message(std::string_view body);
// Whether `json` (any text, valid JSON or not) opens more than `limit` arrays and objects
// inside one another. Linear, no recursion.
bool nested_deeper_than(std::string_view json, std::size_t limit);

std::string encode_response(const Json& id, const Json& result);
std::string encode_error(const Json& id, int code, std::string_view message, const Json& data = nullptr);
std::string encode_notification(std::string_view method, const Json& params);
std::string encode_request(const Json& id, std::string_view method, const Json& params);

}  // namespace lockward::protocol
