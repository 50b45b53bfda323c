// Reading the params of requests and notifications. Every accessor names the field that is
// missing or of the wrong type (`range.start.line`), so a client is told what it sent wrong;
// handlers read all they need before doing anything, deferred or not.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "protocol/jsonrpc.h"
#include "protocol/line_index.h"

namespace lockward::server::lsp {

using protocol::Json;

// Thrown by the accessors; a request is answered InvalidParams with the message.
struct InvalidParams : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using PositionRange = std::pair<protocol::Position, protocol::Position>;

// `path` is dot-separated keys from `params` ("textDocument.uri").
const Json& required_field(const Json& params, std::string_view path);
// Absent or null: nullptr. Present, it must be of the right kind where the typed accessors check.
const Json* optional_field(const Json& params, std::string_view path);
std::string string_field(const Json& params, std::string_view path);
std::string optional_string_field(const Json& params, std::string_view path, std::string fallback = {});
const Json& array_field(const Json& params, std::string_view path);
std::size_t uinteger_field(const Json& params, std::string_view path);
long integer_field(const Json& params, std::string_view path);
protocol::Position position_field(const Json& params, std::string_view path);
PositionRange range_field(const Json& params, std::string_view path);

}  // namespace lockward::server::lsp
