// Parses one statement's text with libpg_query (PostgreSQL 17.4's grammar, libpg_query 17) into a JSON tree.
// The only file that includes pg_query.h. Pure; thread-safe (libpg_query keeps its state in
// thread-local memory contexts).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockward::analysis {

struct ParsedNode {
  std::string type;       // "AlterTableStmt"
  nlohmann::json body;    // the node's fields
  std::size_t begin = 0;  // byte range of this statement inside the parsed text
  std::size_t end = 0;
};

struct ParseError {
  std::string message;
  std::size_t offset = 0;  // byte offset inside the parsed text
  // Not parsed at all: nested deeper than kMaxNesting (nesting.h), which could overflow the
  // stack inside libpg_query. The statement may well be valid SQL.
  bool too_complex = false;
};

struct ParseOutcome {
  std::vector<ParsedNode> nodes;  // usually one; several when the text held more
  std::optional<ParseError> error;
};

// How libpg_query's JSON tree is read: by `read_json_tree` (json_tree.h), falling back to
// nlohmann for what it declines, or by nlohmann alone (the tests compare the two).
enum class TreeReader { Fast, Nlohmann };

// Refuses a statement nested deeper than kMaxNesting (an error with `too_complex`); needs
// kParseStackBytes of stack below the caller's frame.
ParseOutcome parse_statement(std::string_view text, TreeReader reader = TreeReader::Fast);

// Offset of the first byte that is not valid UTF-8, if any.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

}  // namespace lockward::analysis
