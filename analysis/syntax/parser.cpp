#include "analysis/syntax/parser.h"

#include <pg_query.h>

#include <cctype>
#include <cstdint>

#include "analysis/syntax/json_tree.h"
#include "analysis/syntax/nesting.h"

// libpg_query 17.1's pg_query_parse_plpgsql does not free the stderr_buffer its call of
// pg_query_raw_parse strdup()s (one byte, an empty string, per DO block parsed). LeakSanitizer
// (the fuzz targets, the sanitizer build) reads this hook, in every binary that parses SQL.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() { return "leak:pg_query_raw_parse\n"; }

namespace lockward::analysis {
namespace {

// Reads a protobuf varint at `p`, advancing it; false when the buffer ends first.
bool read_varint(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    std::uint8_t byte = *p++;
    value |= std::uint64_t{byte & 0x7Fu} << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

// Skips one field of wire type `wire`; false on a malformed buffer.
bool skip_field(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t wire) {
  std::uint64_t n = 0;
  switch (wire) {
    case 0: return read_varint(p, end, n);
    case 1: n = 8; break;
    case 2:
      if (!read_varint(p, end, n)) return false;
      break;
    case 5: n = 4; break;
    default: return false;
  }
  if (n > static_cast<std::uint64_t>(end - p)) return false;
  p += n;
  return true;
}

// libpg_query's ScanResult (pg_query.proto: `repeated ScanToken tokens = 2`, each with
// `start = 1` and `end = 2`), decoded by hand: the protobuf-c headers are not installed.
// Returns false when the buffer does not read as one.
bool decode_tokens(const PgQueryProtobuf& buffer, std::size_t text_size, std::vector<TextRange>& tokens) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(buffer.data);
  const std::uint8_t* end = p + buffer.len;
  while (p < end) {
    std::uint64_t key = 0;
    if (!read_varint(p, end, key)) return false;
    if (key >> 3 != 2 || (key & 7) != 2) {
      if (!skip_field(p, end, key & 7)) return false;
      continue;
    }
    std::uint64_t len = 0;
    if (!read_varint(p, end, len) || len > static_cast<std::uint64_t>(end - p)) return false;
    const std::uint8_t* token_end = p + len;
    TextRange token;
    while (p < token_end) {
      std::uint64_t field = 0, value = 0;
      if (!read_varint(p, token_end, field)) return false;
      if ((field & 7) != 0) {
        if (!skip_field(p, token_end, field & 7)) return false;
        continue;
      }
      if (!read_varint(p, token_end, value)) return false;
      if (field >> 3 == 1) token.begin = static_cast<std::size_t>(value);
      if (field >> 3 == 2) token.end = static_cast<std::size_t>(value);
    }
    if (token.begin > token.end || token.end > text_size) return false;
    tokens.push_back(token);
  }
  return true;
}

// An error when the statement nests too deep to parse safely. Cheap for short statements: a
// level takes at least one byte, so one shorter than the limit cannot be too deep.
std::optional<ParseError> refuse_if_too_deep(const std::string& text) {
  if (text.size() < kMaxNesting) return std::nullopt;
  PgQueryScanResult scan = pg_query_scan(text.c_str());  // flex: no recursion
  std::vector<TextRange> tokens;
  bool read = !scan.error && decode_tokens(scan.pbuf, text.size(), tokens);
  bool lexical_error = scan.error != nullptr;
  pg_query_free_scan_result(scan);
  if (lexical_error) return std::nullopt;  // the parser meets the same error and reports it
  if (!read)  // never seen; refusing is the side that cannot crash
    return ParseError{"lockward could not read libpg_query's tokens to check how deep the statement nests", 0, true};
  NestingEstimate nesting = estimate_nesting(text, tokens, kMaxNesting);
  if (nesting.depth <= kMaxNesting) return std::nullopt;
  return ParseError{"the statement nests about " + std::to_string(nesting.depth) +
                        " levels deep (chained operators, UNIONs, JOINs or nested brackets), more than the " +
                        std::to_string(kMaxNesting) + " lockward parses; its locks are unknown",
                    nesting.passed_limit.value_or(0), /*too_complex=*/true};
}

// Bison's "memory exhausted": its stack of grammar symbols is full (about 10,000: some 3,300
// nested subqueries, 2,000 nested CASEs). Valid SQL, only too deep for the parser.
ParseError parser_stack_full(std::size_t offset) {
  return ParseError{"the statement nests deeper than PostgreSQL's parser can follow (its stack of about 10,000 "
                    "grammar symbols is full: nested subqueries, CASEs or brackets); its locks are unknown",
                    offset, /*too_complex=*/true};
}

}  // namespace

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  while (i < text.size()) {
    unsigned char c = s[i];
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > text.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
    }
    if (len == 2 && c < 0xC2) return i;                          // overlong
    if (len == 3 && c == 0xE0 && s[i + 1] < 0xA0) return i;      // overlong
    if (len == 3 && c == 0xED && s[i + 1] >= 0xA0) return i;     // surrogate
    if (len == 4 && (c > 0xF4 || (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)))
      return i;
    i += len;
  }
  return std::nullopt;
}

ParseOutcome parse_statement(std::string_view text, TreeReader reader) {
  ParseOutcome out;
  if (auto bad = find_invalid_utf8(text)) {
    out.error = ParseError{"invalid UTF-8 byte sequence", *bad};
    return out;
  }
  std::string owned(text);  // libpg_query needs a NUL-terminated string
  if (auto refused = refuse_if_too_deep(owned)) {
    out.error = std::move(refused);
    return out;
  }
  PgQueryParseResult result = pg_query_parse(owned.c_str());
  if (result.error) {
    int cursor = result.error->cursorpos;  // 1-based; 0 when unknown
    std::size_t offset = cursor > 0 ? static_cast<std::size_t>(cursor - 1) : 0;
    std::string_view message = result.error->message ? result.error->message : "syntax error";
    out.error = message.starts_with("memory exhausted") ? parser_stack_full(offset)
                                                        : ParseError{std::string(message), offset};
    pg_query_free_parse_result(result);
    return out;
  }
  nlohmann::json tree;
  if (reader == TreeReader::Nlohmann || !read_json_tree(result.parse_tree, tree))
    tree = nlohmann::json::parse(result.parse_tree, nullptr, false);
  pg_query_free_parse_result(result);
  if (tree.is_discarded()) {
    out.error = ParseError{"the parser produced output lockward could not read", 0};
    return out;
  }
  for (auto& stmt : tree["stmts"]) {
    ParsedNode node;
    std::size_t loc = stmt.value("stmt_location", std::size_t{0});
    std::size_t len = stmt.value("stmt_len", std::size_t{0});
    node.begin = loc;
    node.end = len == 0 ? text.size() : loc + len;
    auto& inner = stmt["stmt"];
    if (inner.is_object() && !inner.empty()) {
      node.type = inner.begin().key();
      node.body = std::move(inner.begin().value());
    }
    out.nodes.push_back(std::move(node));
  }
  return out;
}

PlpgsqlOutcome parse_plpgsql_function(std::string_view function_text) {
  PlpgsqlOutcome out;
  if (find_invalid_utf8(function_text)) {
    out.error = "invalid UTF-8 byte sequence";
    return out;
  }
  std::string owned(function_text);
  if (auto refused = refuse_if_too_deep(owned)) {
    out.error = refused->message;
    out.too_complex = true;
    return out;
  }
  PgQueryPlpgsqlParseResult result = pg_query_parse_plpgsql(owned.c_str());
  if (result.error) {
    std::string_view message = result.error->message ? result.error->message : "syntax error";
    out.error = std::string(message);
    out.too_complex = message.starts_with("memory exhausted");
    // PL/pgSQL names the line in its context: `compilation of PL/pgSQL function "f" near line 3`.
    std::string_view context = result.error->context ? result.error->context : "";
    if (std::size_t at = context.rfind("line "); at != std::string_view::npos) {
      int line = 0;
      for (std::size_t i = at + 5; i < context.size() && std::isdigit(static_cast<unsigned char>(context[i])) && line < 100000000; ++i)
        line = line * 10 + (context[i] - '0');
      out.error_line = line;
    }
    pg_query_free_plpgsql_parse_result(result);
    return out;
  }
  out.tree = nlohmann::json::parse(result.plpgsql_funcs ? result.plpgsql_funcs : "", nullptr, false);
  pg_query_free_plpgsql_parse_result(result);
  if (out.tree.is_discarded()) out.error = "the PL/pgSQL parser produced output lockward could not read";
  return out;
}

}  // namespace lockward::analysis
