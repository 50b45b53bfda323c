#include "analysis/syntax/json_tree.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lockward::analysis {
namespace {

using Json = nlohmann::json;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Reader {
 public:
  explicit Reader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool read(Json& root) {
    Json* target = &root;
    std::vector<Json*> open;  // the objects and arrays being filled, innermost last
    std::string key;
    for (;;) {
      // A value into *target.
      skip_space();
      if (p_ == end_) return false;
      bool opened = false;
      switch (*p_) {
        case '{':
          ++p_;
          *target = Json::object();
          open.push_back(target);
          opened = true;
          break;
        case '[':
          ++p_;
          *target = Json::array();
          open.push_back(target);
          opened = true;
          break;
        case '"': {
          ++p_;
          std::string s;
          if (!string(s)) return false;
          *target = std::move(s);
          break;
        }
        case 't':
          if (!word("true")) return false;
          *target = true;
          break;
        case 'f':
          if (!word("false")) return false;
          *target = false;
          break;
        case 'n':
          if (!word("null")) return false;
          *target = nullptr;
          break;
        default:
          if (!number(*target)) return false;
      }
      // Where the next value goes: closing what ends here first.
      for (;;) {
        if (open.empty()) {
          skip_space();
          return p_ == end_;
        }
        Json* container = open.back();
        const char close = container->is_object() ? '}' : ']';
        skip_space();
        if (p_ == end_) return false;
        if (*p_ == close) {
          ++p_;
          open.pop_back();
          opened = false;
          continue;
        }
        if (!opened) {
          if (*p_ != ',') return false;
          ++p_;
          skip_space();
        }
        if (container->is_array()) {
          auto& items = *container->get_ptr<Json::array_t*>();
          items.emplace_back();
          target = &items.back();
        } else {
          if (p_ == end_ || *p_ != '"') return false;
          ++p_;
          key.clear();
          if (!string(key)) return false;
          skip_space();
          if (p_ == end_ || *p_ != ':') return false;
          ++p_;
          target = &(*container->get_ptr<Json::object_t*>())[key];  // a repeated key: the last wins, as in nlohmann
        }
        break;
      }
    }
  }

 private:
  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool word(std::string_view w) {
    if (static_cast<std::size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }

  // After the opening quote; appends the decoded string to `out`.
  bool string(std::string& out) {
    for (;;) {
      const char* run = p_;
      while (p_ < end_) {
        const auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      out.append(run, p_);
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;  // a raw control character: nlohmann refuses it
      if (c >= 0x80) {
        const std::size_t len = utf8_length();
        if (len == 0) return false;
        out.append(p_, len);
        p_ += len;
        continue;
      }
      ++p_;  // the backslash
      if (p_ == end_) return false;
      switch (*p_++) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          append_utf8(out, cp);
          break;
        }
        default: return false;
      }
    }
  }

  bool hex4(std::uint32_t& value) {
    if (end_ - p_ < 4) return false;
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex_value(*p_++);
      if (h < 0) return false;
      value = (value << 4) | static_cast<std::uint32_t>(h);
    }
    return true;
  }

  // The length of the well-formed UTF-8 sequence at p_ (RFC 3629, as nlohmann checks it), or 0.
  std::size_t utf8_length() const {
    const auto* s = reinterpret_cast<const unsigned char*>(p_);
    const std::size_t left = static_cast<std::size_t>(end_ - p_);
    const unsigned char c = s[0];
    std::size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || len > left) return 0;
    for (std::size_t k = 1; k < len; ++k)
      if ((s[k] & 0xC0) != 0x80) return 0;
    if (len == 2 && c < 0xC2) return 0;                                                          // overlong
    if (len == 3 && c == 0xE0 && s[1] < 0xA0) return 0;                                          // overlong
    if (len == 3 && c == 0xED && s[1] >= 0xA0) return 0;                                         // surrogate
    if (len == 4 && (c > 0xF4 || (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))) return 0;
    return len;
  }

  // Integers of up to 18 digits, as nlohmann stores them: unsigned when not negative, signed
  // otherwise. Anything else (fractions, exponents, longer integers) is left to nlohmann.
  bool number(Json& out) {
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && is_digit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E' || is_digit(*p_))) return false;
    if (p_ - digits > 18) return false;
    std::uint64_t value = 0;
    for (const char* d = digits; d < p_; ++d) value = value * 10 + static_cast<std::uint64_t>(*d - '0');
    if (negative) out = -static_cast<std::int64_t>(value);
    else out = value;
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool read_json_tree(std::string_view text, nlohmann::json& out) { return Reader(text).read(out); }

}  // namespace lockward::analysis
