#include "protocol/framing.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace lockward::protocol {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

FrameEvent FrameReader::next() {
  if (skip_ > 0) {
    std::size_t n = std::min(skip_, buffer_.size());
    buffer_.erase(0, n);
    skip_ -= n;
    if (skip_ > 0) return std::monostate{};
  }
  // Headers end at an empty line; accept LF alone as well as CRLF.
  std::size_t header_end = std::string::npos, body_start = 0;
  for (std::size_t i = 0; i < buffer_.size(); ++i) {
    if (buffer_[i] != '\n') continue;
    if (i + 1 < buffer_.size() && buffer_[i + 1] == '\n') { header_end = i; body_start = i + 2; break; }
    if (i + 2 < buffer_.size() && buffer_[i + 1] == '\r' && buffer_[i + 2] == '\n') { header_end = i; body_start = i + 3; break; }
  }
  if (header_end == std::string::npos) {
    if (buffer_.size() > 64 * 1024) {  // no header is this long: drop the garbage
      buffer_.clear();
      return FrameError{"header section longer than 64 KiB without an empty line; input discarded"};
    }
    return std::monostate{};
  }
  std::string_view headers(buffer_.data(), header_end);
  std::optional<std::size_t> length;
  std::string error;
  while (!headers.empty()) {
    std::size_t eol = headers.find('\n');
    std::string_view line = trim(headers.substr(0, eol));
    headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 1);
    if (line.empty()) continue;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) { error = "malformed header line"; continue; }
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Length")) {
      std::size_t v = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || ptr != value.data() + value.size()) error = "invalid Content-Length";
      else if (length && *length != v) error = "conflicting Content-Length headers";
      else length = v;
    }
  }
  if (!length && error.empty()) error = "missing Content-Length header";
  if (!error.empty()) {
    buffer_.erase(0, body_start);
    return FrameError{error};
  }
  if (*length > std::max(max_body_, kMaxSkippableBody)) {
    buffer_.erase(0, body_start);
    return FrameError{"Content-Length " + std::to_string(*length) + " is beyond any message; header ignored"};
  }
  if (*length > max_body_) {
    buffer_.erase(0, body_start);
    skip_ = *length;
    std::size_t n = std::min(skip_, buffer_.size());
    buffer_.erase(0, n);
    skip_ -= n;
    return OversizedFrame{*length};
  }
  if (buffer_.size() - body_start < *length) return std::monostate{};
  std::string body = buffer_.substr(body_start, *length);
  buffer_.erase(0, body_start + *length);
  return body;
}

std::string frame_header(std::size_t body_size) { return "Content-Length: " + std::to_string(body_size) + "\r\n\r\n"; }

std::string encode_frame(std::string_view body) {
  std::string out = frame_header(body.size());
  out.append(body);
  return out;
}

}  // namespace lockward::protocol
