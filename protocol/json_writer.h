// The one DOM-less JSON writer: for outputs large and hot enough that building an nlohmann DOM
// first would cost more than the work behind them (the language server's diagnostics, the
// CLI's JSON, SARIF and GitLab reports). Two shapes:
//   JsonWriter w;            compact, into a string (str(), take()): nlohmann's dump()
//   JsonWriter w(stream);    indented by two, streamed in 64 KiB pieces so memory stays flat
//                            however many findings a report has: nlohmann's dump(2)
// The text is byte for byte what nlohmann prints for the same values with invalid UTF-8
// replaced (error_handler_t::replace), provided keys are written in sorted order (nlohmann's
// objects sort them) — the reports' format since before the writer existed. Strings are escaped
// here in runs (the hot path); only invalid UTF-8 goes through nlohmann, whose replacement
// decides that text. Produces valid JSON as long as the calls nest properly.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace lockward::protocol {

class JsonWriter {
 public:
  JsonWriter() = default;
  explicit JsonWriter(std::ostream& out) : out_(&out), indent_(2) {}
  ~JsonWriter() { flush(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(long long value);
  JsonWriter& number(std::size_t value);
  JsonWriter& number(int value) { return number(static_cast<long long>(value)); }
  JsonWriter& real(double value);  // nlohmann's shortest round-trip form ("2.0", "0.25")
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // an already-encoded value, written as it is

  // The compact text so far (a writer without a stream).
  const std::string& str() const { return buffer_; }
  std::string take() { return std::move(buffer_); }
  // A streamed document: ends it with a newline and hands what is buffered to the stream.
  void finish();
  void flush();  // a streamed writer's buffer to its stream; nothing for a compact one

 private:
  void value_prefix();  // the comma (and line break and indentation) before a value or key
  void maybe_flush();
  void open(char bracket);   // an object or array: `{` or `[`
  void close(char bracket);  // its end (indented: a line of its own unless it is empty)
  std::ostream* out_ = nullptr;
  int indent_ = 0;  // 0: compact
  std::string buffer_;
  std::vector<bool> has_items_;  // per open container: anything written in it yet
  bool after_key_ = false;
};

// Appends `value` to `out` as a JSON string literal, quotes included, as nlohmann escapes it.
void append_json_string(std::string& out, std::string_view value);

}  // namespace lockward::protocol
