#include "protocol/jsonrpc.h"

namespace lockward::protocol {

bool nested_deeper_than(std::string_view json, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

Decoded decode_message(std::string_view body) {
  Decoded out;
  if (nested_deeper_than(body, kMaxJsonDepth)) {
    out.error = DecodeError{error_code::kParseError,
                            "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels", nullptr};
    return out;
  }
  // Invalid UTF-8 inside strings must not throw: parse without exceptions and report.
  Json j = Json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) {
    out.error = DecodeError{error_code::kParseError, "invalid JSON", nullptr};
    return out;
  }
  if (!j.is_object()) {
    out.error = DecodeError{error_code::kInvalidRequest, "a JSON-RPC message must be an object", nullptr};
    return out;
  }
  Message m;
  auto id = j.find("id");
  bool has_id = id != j.end() && (id->is_number_integer() || id->is_string());
  if (id != j.end() && !has_id && !id->is_null()) {
    out.error = DecodeError{error_code::kInvalidRequest, "`id` must be an integer or a string", nullptr};
    return out;
  }
  if (has_id) m.id = *id;
  auto method = j.find("method");
  if (method != j.end()) {
    if (!method->is_string()) {
      out.error = DecodeError{error_code::kInvalidRequest, "`method` must be a string", m.id};
      return out;
    }
    m.method = method->get<std::string>();
    m.kind = has_id ? Message::Kind::Request : Message::Kind::Notification;
    if (auto p = j.find("params"); p != j.end()) {
      if (!p->is_object() && !p->is_array() && !p->is_null()) {
        out.error = DecodeError{error_code::kInvalidParams, "`params` must be an object or an array", m.id, has_id};
        return out;
      }
      m.params = *p;
    }
  } else if (has_id && (j.contains("result") || j.contains("error"))) {
    m.kind = Message::Kind::Response;
    m.result = j.value("result", Json());
    m.error = j.value("error", Json());
  } else {
    out.error = DecodeError{error_code::kInvalidRequest, "neither a request, a notification nor a response", m.id};
    return out;
  }
  out.message = std::move(m);
  return out;
}

namespace {
// Replacement characters instead of exceptions for any invalid UTF-8 that slips through.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }
}  // namespace

std::string encode_response(const Json& id, const Json& result) {
  return dump(Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
}

std::string encode_error(const Json& id, int code, std::string_view message, const Json& data) {
  Json error{{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = data;
  return dump(Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error}});
}

std::string encode_notification(std::string_view method, const Json& params) {
  return dump(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

std::string encode_request(const Json& id, std::string_view method, const Json& params) {
  Json request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  // JSON-RPC: params, when present, is an array or an object; requests without any
  // (workspace/diagnostic/refresh) leave it out.
  if (!params.is_null()) request["params"] = params;
  return dump(request);
}

}  // namespace lockward::protocol
