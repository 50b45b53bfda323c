// Writes indented JSON straight to a stream, without a DOM, so a report's memory stays flat
// however many findings it has. The text is byte for byte what nlohmann's dump(2) with
// invalid UTF-8 replaced would print for the same values — the reports' format since before —
// provided keys are written in sorted order (nlohmann's objects sort them). Strings are
// escaped here in runs (the hot path of a large report); only invalid UTF-8 goes through
// nlohmann, whose replacement decides that text.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace lockward::server {

class JsonStream {
 public:
  explicit JsonStream(std::ostream& out) : out_(out) {}
  ~JsonStream() { flush(); }
  JsonStream(const JsonStream&) = delete;
  JsonStream& operator=(const JsonStream&) = delete;

  JsonStream& begin_object();
  JsonStream& end_object();
  JsonStream& begin_array();
  JsonStream& end_array();
  JsonStream& key(std::string_view name);
  JsonStream& string(std::string_view value);
  JsonStream& number(long long value);
  JsonStream& number(std::size_t value);
  JsonStream& number(int value) { return number(static_cast<long long>(value)); }
  JsonStream& real(double value);
  JsonStream& boolean(bool value);
  JsonStream& null();

  // Ends the document with a newline and hands what is buffered to the stream.
  void finish();
  void flush();

 private:
  void value_prefix();  // the comma, line break and indentation before a value or key
  void maybe_flush();
  void open(char bracket);   // an object or array: `{` or `[`
  void close(char bracket);  // its end: a line of its own unless it is empty
  void append_string(std::string_view value);
  std::ostream& out_;
  std::string buffer_;
  std::vector<bool> has_items_;  // per open container: anything written in it yet
  bool after_key_ = false;
};

}  // namespace lockward::server
