#include "trace/connection_secrets.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>

namespace lockward::trace {

namespace {

bool iequal_at(std::string_view text, std::size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// As libpq decodes URI components; nullopt where it would refuse (a bad token, %00).
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A password as written, and every form it may take in a message.
void add_forms(std::vector<std::string>& out, std::string_view written) {
  out.emplace_back(written);
  out.push_back(percent_encode(written));
  if (std::optional<std::string> decoded = percent_decode(written)) {
    out.push_back(*decoded);
    out.push_back(percent_encode(*decoded));
  }
}

// The part of a quoted keyword/value value, and its unescaped value ('…' with \' and \\).
void add_quoted(std::vector<std::string>& out, std::string_view text, std::size_t open) {
  std::size_t close = open + 1;
  std::string unescaped;
  for (; close < text.size() && text[close] != '\''; ++close) {
    if (text[close] == '\\' && close + 1 < text.size()) ++close;
    unescaped += text[close];
  }
  add_forms(out, text.substr(open + 1, close - open - 1));
  add_forms(out, unescaped);
}

// The user info of each postgres:// or postgresql:// URI: libpq ends it at the first '@'
// (before any '/'); a password with an unencoded '@' ends at the last one.
void add_uri_passwords(std::vector<std::string>& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t scheme = iequal_at(text, i, "postgresql://") ? 13 : iequal_at(text, i, "postgres://") ? 11 : 0;
    if (scheme == 0) continue;
    std::size_t start = i + scheme;
    std::size_t end = text.find_first_of(" \t\n\r", start);
    std::string_view uri = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    std::size_t first = uri.find_first_of("@/");
    std::size_t last = uri.substr(0, uri.find('?')).rfind('@');
    for (std::size_t at : {first, last}) {
      if (at == std::string_view::npos || uri[at] != '@') continue;
      std::string_view userinfo = uri.substr(0, at);
      if (std::size_t colon = userinfo.find(':'); colon != std::string_view::npos) add_forms(out, userinfo.substr(colon + 1));
    }
    i = start;
  }
}

// `password` as a keyword (start, after a space, or a URI's '?' or '&'), then '='.
void add_keyword_passwords(std::vector<std::string>& out, std::string_view text) {
  for (std::size_t i = 0; i + 8 <= text.size(); ++i) {
    if (!iequal_at(text, i, "password")) continue;
    if (i > 0 && !std::isspace(static_cast<unsigned char>(text[i - 1])) && text[i - 1] != '?' && text[i - 1] != '&')
      continue;
    std::size_t j = i + 8;
    while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j >= text.size() || text[j] != '=') continue;
    ++j;
    while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j < text.size() && text[j] == '\'') {
      add_quoted(out, text, j);
      continue;
    }
    std::size_t space = j;
    while (space < text.size() && !std::isspace(static_cast<unsigned char>(text[space]))) ++space;
    std::string_view word = text.substr(j, space - j);
    add_forms(out, word);                         // keyword/value: up to the next space
    add_forms(out, word.substr(0, word.find('&')));  // a URI's query: up to the next parameter
  }
}

}  // namespace

std::string scrub_credentials(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    // postgres://user:secret@host or postgresql://user:secret@host
    for (std::string_view scheme : {"postgresql://", "postgres://"}) {
      if (!iequal_at(text, i, scheme)) continue;
      std::size_t userinfo = i + scheme.size();
      std::size_t at = text.find('@', userinfo);
      std::size_t stop = text.find_first_of(" \t\n/", userinfo);
      std::size_t colon = text.find(':', userinfo);
      if (at != std::string::npos && (stop == std::string::npos || at < stop) && colon != std::string::npos &&
          colon < at) {
        out.append(text, i, colon + 1 - i);
        out += "***";
        i = at;
      }
      break;
    }
    // password=secret or password = 'secret with spaces'
    if (iequal_at(text, i, "password") && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      std::size_t j = i + 8;
      while (j < text.size() && text[j] == ' ') ++j;
      if (j < text.size() && text[j] == '=') {
        ++j;
        while (j < text.size() && text[j] == ' ') ++j;
        out.append(text, i, j - i);
        out += "***";
        if (j < text.size() && text[j] == '\'') {
          for (++j; j < text.size() && text[j] != '\''; ++j) {
            if (text[j] == '\\') ++j;
          }
          ++j;
        } else {
          while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
        }
        i = std::min(j, text.size());
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

std::vector<std::string> connection_secrets(std::string_view conninfo) {
  std::vector<std::string> out;
  add_uri_passwords(out, conninfo);
  add_keyword_passwords(out, conninfo);
  if (const char* env = std::getenv("PGPASSWORD")) add_forms(out, env);
  std::erase_if(out, [](const std::string& s) { return s.size() < kMinSecretLength; });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string scrub_credentials(std::string text, const std::vector<std::string>& secrets) {
  // Longest first: a shorter secret inside a longer one would leave the rest of it behind.
  std::vector<const std::string*> order;
  for (const std::string& secret : secrets) order.push_back(&secret);
  std::stable_sort(order.begin(), order.end(), [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const std::string* each : order) {
    const std::string& secret = *each;
    if (secret.size() < kMinSecretLength) continue;
    for (std::size_t at = 0; (at = text.find(secret, at)) != std::string::npos; at += 3) text.replace(at, secret.size(), "***");
  }
  return scrub_credentials(std::move(text));
}

}  // namespace lockward::trace
