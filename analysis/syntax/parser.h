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

// A PL/pgSQL function's text (`CREATE FUNCTION … LANGUAGE plpgsql AS $tag$ … $tag$`) parsed by
// libpg_query's `pg_query_parse_plpgsql`: its tree as JSON (an array of PLpgSQL_function), or
// an error whose `line` is PL/pgSQL's "near line N" (of the function body; 0 when not given).
struct PlpgsqlOutcome {
  nlohmann::json tree;
  std::optional<std::string> error;
  int error_line = 0;
  bool too_complex = false;  // refused before parsing, as parse_statement refuses
};
PlpgsqlOutcome parse_plpgsql_function(std::string_view function_text);

// Offset of the first byte that is not valid UTF-8, if any.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

}  // namespace lockward::analysis
