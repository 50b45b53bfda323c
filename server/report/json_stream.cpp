#include "server/report/json_stream.h"

#include <nlohmann/json.hpp>

#include "protocol/json_writer.h"

namespace lockward::server {
namespace {

constexpr std::size_t kFlushAt = 64 * 1024;

// Strings whose escaping protocol::append_json_string and nlohmann agree on: ASCII without
// backspace or form feed (nlohmann writes those as \b and \f, and replaces invalid UTF-8
// differently).
bool plain_ascii(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u == 0x08 || u == 0x0C) return false;
  }
  return true;
}

}  // namespace

void JsonStream::value_prefix() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_items_.empty()) return;
  buffer_ += has_items_.back() ? ",\n" : "\n";
  has_items_.back() = true;
  buffer_.append(2 * has_items_.size(), ' ');
}

void JsonStream::maybe_flush() {
  if (buffer_.size() >= kFlushAt) flush();
}

void JsonStream::flush() {
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
}

JsonStream& JsonStream::begin_object() {
  value_prefix();
  buffer_ += '{';
  has_items_.push_back(false);
  return *this;
}

JsonStream& JsonStream::end_object() {
  const bool items = has_items_.back();
  has_items_.pop_back();
  if (items) {
    buffer_ += '\n';
    buffer_.append(2 * has_items_.size(), ' ');
  }
  buffer_ += '}';
  maybe_flush();
  return *this;
}

JsonStream& JsonStream::begin_array() {
  value_prefix();
  buffer_ += '[';
  has_items_.push_back(false);
  return *this;
}

JsonStream& JsonStream::end_array() {
  const bool items = has_items_.back();
  has_items_.pop_back();
  if (items) {
    buffer_ += '\n';
    buffer_.append(2 * has_items_.size(), ' ');
  }
  buffer_ += ']';
  maybe_flush();
  return *this;
}

JsonStream& JsonStream::key(std::string_view name) {
  value_prefix();
  append_string(name);
  buffer_ += ": ";
  after_key_ = true;
  return *this;
}

void JsonStream::append_string(std::string_view value) {
  if (plain_ascii(value)) protocol::append_json_string(buffer_, value);
  else buffer_ += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

JsonStream& JsonStream::string(std::string_view value) {
  value_prefix();
  append_string(value);
  maybe_flush();
  return *this;
}

JsonStream& JsonStream::number(long long value) {
  value_prefix();
  buffer_ += std::to_string(value);
  return *this;
}

JsonStream& JsonStream::number(std::size_t value) {
  value_prefix();
  buffer_ += std::to_string(value);
  return *this;
}

JsonStream& JsonStream::real(double value) {
  value_prefix();
  buffer_ += nlohmann::json(value).dump();  // nlohmann's shortest round-trip form ("2.0", "0.25")
  return *this;
}

JsonStream& JsonStream::boolean(bool value) {
  value_prefix();
  buffer_ += value ? "true" : "false";
  return *this;
}

JsonStream& JsonStream::null() {
  value_prefix();
  buffer_ += "null";
  return *this;
}

void JsonStream::finish() {
  buffer_ += '\n';
  flush();
}

}  // namespace lockward::server
