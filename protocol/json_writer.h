// Writes JSON text directly into a string: for large, hot outputs (thousands of diagnostics)
// where building an nlohmann DOM first costs more than the analysis. Produces valid JSON as
// long as calls nest properly; invalid UTF-8 in strings becomes U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace lockward::protocol {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(long long value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // an already-encoded value

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void separate();
  std::string out_;
  bool need_comma_ = false;
};

// Appends `value` to `out` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view value);

}  // namespace lockward::protocol
