#include "server/lsp/params.h"

#include <climits>
#include <cstdint>

namespace lockward::server::lsp {
namespace {

std::string quoted(std::string_view path) { return "`" + std::string(path) + "`"; }

[[noreturn]] void wrong_kind(std::string_view path, std::string_view wanted, const Json& got) {
  const std::string what = got.is_number() || got.is_boolean() ? got.dump() : got.type_name();
  throw InvalidParams(quoted(path) + " must be " + std::string(wanted) + ", not " + what);
}

// The value at `path`, nullptr if a key on the way is missing; a non-object on the way is an error.
const Json* find(const Json& params, std::string_view path) {
  const Json* at = &params;
  std::size_t done = 0;
  while (done <= path.size()) {
    std::size_t dot = path.find('.', done);
    if (dot == std::string_view::npos) dot = path.size();
    if (!at->is_object()) {
      if (done == 0) throw InvalidParams("params must be an object with " + quoted(path));
      wrong_kind(path.substr(0, done - 1), "an object", *at);
    }
    auto it = at->find(path.substr(done, dot - done));
    if (it == at->end()) return nullptr;
    at = &*it;
    done = dot + 1;
  }
  return at;
}

}  // namespace

const Json& required_field(const Json& params, std::string_view path) {
  const Json* at = find(params, path);
  if (!at) throw InvalidParams(quoted(path) + " is missing");
  return *at;
}

const Json* optional_field(const Json& params, std::string_view path) {
  if (params.is_null()) return nullptr;
  const Json* at = find(params, path);
  return at && !at->is_null() ? at : nullptr;
}

std::string string_field(const Json& params, std::string_view path) {
  const Json& at = required_field(params, path);
  if (!at.is_string()) wrong_kind(path, "a string", at);
  return at.get<std::string>();
}

std::string optional_string_field(const Json& params, std::string_view path, std::string fallback) {
  const Json* at = optional_field(params, path);
  if (!at) return fallback;
  if (!at->is_string()) wrong_kind(path, "a string", *at);
  return at->get<std::string>();
}

const Json& array_field(const Json& params, std::string_view path) {
  const Json& at = required_field(params, path);
  if (!at.is_array()) wrong_kind(path, "an array", at);
  return at;
}

std::size_t uinteger_field(const Json& params, std::string_view path) {
  const Json& at = required_field(params, path);
  // nlohmann keeps non-negative integers unsigned; negative ones and fractions are refused.
  if (!at.is_number_unsigned()) wrong_kind(path, "a non-negative integer", at);
  return at.get<std::size_t>();
}

long integer_field(const Json& params, std::string_view path) {
  const Json& at = required_field(params, path);
  if (!at.is_number_integer()) wrong_kind(path, "an integer", at);
  if (at.is_number_unsigned() && at.get<std::uint64_t>() > static_cast<std::uint64_t>(LONG_MAX))
    wrong_kind(path, "an integer that fits 64 bits", at);
  return at.get<long>();
}

protocol::Position position_field(const Json& params, std::string_view path) {
  const Json& at = required_field(params, path);
  if (!at.is_object()) wrong_kind(path, "a position {line, character}", at);
  const std::string p(path);
  return {uinteger_field(params, p + ".line"), uinteger_field(params, p + ".character")};
}

PositionRange range_field(const Json& params, std::string_view path) {
  const Json& at = required_field(params, path);
  if (!at.is_object()) wrong_kind(path, "a range {start, end}", at);
  const std::string p(path);
  return {position_field(params, p + ".start"), position_field(params, p + ".end")};
}

}  // namespace lockward::server::lsp
