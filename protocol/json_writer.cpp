#include "protocol/json_writer.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

namespace lockward::protocol {
namespace {

constexpr std::size_t kFlushAt = 64 * 1024;

// Length of the valid UTF-8 sequence at p[i] (lead byte >= 0x80), or 0 when it is invalid.
std::size_t utf8_sequence(const unsigned char* p, std::size_t i, std::size_t n) {
  const unsigned char c = p[i];
  const std::size_t len = c >= 0xC2 && c <= 0xDF ? 2 : (c >> 4) == 0xE ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (len == 0 || i + len > n) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((p[i + k] & 0xC0) != 0x80) return 0;
  if (len == 3 && ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] >= 0xA0))) return 0;
  if (len == 4 && ((c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] >= 0x90))) return 0;
  return len;
}

// True when none of the 8 bytes at p needs a look of its own: no control character, quote,
// backslash or non-ASCII byte (the classic "has a byte less than n" bit tricks; exact for
// telling whether any byte matches, which is all that is asked here).
bool plain8(const unsigned char* p) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  const std::uint64_t quote = v ^ (kOnes * '"'), backslash = v ^ (kOnes * '\\');
  const std::uint64_t special = ((v - kOnes * 0x20) & ~v) | ((quote - kOnes) & ~quote) |
                                ((backslash - kOnes) & ~backslash) | v;
  return (special & kHighs) == 0;
}

// `value` as a JSON string the way nlohmann escapes it (\b \f \n \r \t, other controls as
// \u00xx, UTF-8 as is), copying runs that need no escape at once; false, and `out` unchanged,
// when `value` is not valid UTF-8 (nlohmann's replacement then decides the text).
bool append_escaped(std::string& out, std::string_view value) {
  static const char* kHex = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const std::size_t n = value.size(), start = out.size();
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < n;) {
    if (i + 8 <= n && plain8(p + i)) {
      i += 8;
      continue;
    }
    const unsigned char c = p[i];
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence(p, i, n);
      if (len == 0) {
        out.resize(start);
        return false;
      }
      i += len;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(value.data() + run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    run = ++i;
  }
  out.append(value.data() + run, n - run);
  out += '"';
  return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  if (!append_escaped(out, value))
    out += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void JsonWriter::value_prefix() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_items_.empty()) return;
  if (indent_ == 0) {
    if (has_items_.back()) buffer_ += ',';
  } else {
    buffer_ += has_items_.back() ? ",\n" : "\n";
    buffer_.append(static_cast<std::size_t>(indent_) * has_items_.size(), ' ');
  }
  has_items_.back() = true;
}

void JsonWriter::maybe_flush() {
  if (out_ && buffer_.size() >= kFlushAt) flush();
}

void JsonWriter::flush() {
  if (!out_) return;
  out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
}

void JsonWriter::open(char bracket) {
  value_prefix();
  buffer_ += bracket;
  has_items_.push_back(false);
}

void JsonWriter::close(char bracket) {
  const bool items = has_items_.back();
  has_items_.pop_back();
  if (items && indent_ != 0) {
    buffer_ += '\n';
    buffer_.append(static_cast<std::size_t>(indent_) * has_items_.size(), ' ');
  }
  buffer_ += bracket;
  maybe_flush();
}

JsonWriter& JsonWriter::begin_object() {
  open('{');
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  close('}');
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  open('[');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  close(']');
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  value_prefix();
  append_json_string(buffer_, name);
  buffer_ += indent_ == 0 ? ":" : ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  value_prefix();
  append_json_string(buffer_, value);
  maybe_flush();
  return *this;
}

JsonWriter& JsonWriter::number(long long value) {
  value_prefix();
  char digits[24];
  buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

JsonWriter& JsonWriter::number(std::size_t value) {
  value_prefix();
  char digits[24];
  buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

JsonWriter& JsonWriter::real(double value) {
  value_prefix();
  buffer_ += nlohmann::json(value).dump();  // nlohmann's shortest round-trip form ("2.0", "0.25")
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  value_prefix();
  buffer_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  value_prefix();
  buffer_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  value_prefix();
  buffer_.append(json);
  maybe_flush();
  return *this;
}

void JsonWriter::finish() {
  buffer_ += '\n';
  flush();
}

}  // namespace lockward::protocol
