#include "analysis/syntax/parser.h"

#include <pg_query.h>

namespace lockward::analysis {

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

ParseOutcome parse_statement(std::string_view text) {
  ParseOutcome out;
  if (auto bad = find_invalid_utf8(text)) {
    out.error = ParseError{"invalid UTF-8 byte sequence", *bad};
    return out;
  }
  std::string owned(text);  // libpg_query needs a NUL-terminated string
  PgQueryParseResult result = pg_query_parse(owned.c_str());
  if (result.error) {
    int cursor = result.error->cursorpos;  // 1-based; 0 when unknown
    out.error = ParseError{result.error->message ? result.error->message : "syntax error",
                           cursor > 0 ? static_cast<std::size_t>(cursor - 1) : 0};
    pg_query_free_parse_result(result);
    return out;
  }
  nlohmann::json tree = nlohmann::json::parse(result.parse_tree, nullptr, false);
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

}  // namespace lockward::analysis
