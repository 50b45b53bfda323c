// A DO block's PL/pgSQL body read into the SQL it runs: each static statement (SQL, PERFORM, the
// query of a FOR loop, EXECUTE of a constant string) with where it is in the body, whether it
// may not run (an IF/CASE branch, a loop, an exception handler), and each EXECUTE of a dynamic
// string. Parsed with libpg_query's PL/pgSQL parser (through parser.h). Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/text_range.h"

namespace lockward::analysis {

struct PlpgsqlStatement {
  enum class Kind { Sql, Perform, ConstantExecute, DynamicExecute };
  Kind kind = Kind::Sql;
  std::string sql;       // what to parse: the statement; PERFORM's as "SELECT …"; a constant EXECUTE's string
  int line = 1;          // 1-based line in the body (PL/pgSQL's own numbering)
  TextRange range;       // where the statement is in the body (its line when it could not be found)
  // When exact, sql offset i is body offset base + i for the statement's own text (PERFORM's
  // "SELECT " stands where "PERFORM" is, so base may be a few bytes off there: clamp to range);
  // false when the text is not the body's (a string with escapes), then everything is `range`.
  bool exact = false;
  std::ptrdiff_t base = 0;
  std::string condition;  // empty: runs whenever the block does; else why it may not ("an IF branch at line 5")
};

struct PlpgsqlBody {
  std::vector<PlpgsqlStatement> statements;  // in the order of the body
  std::optional<std::string> error;          // the body does not parse
  int error_line = 0;                        // 1-based line in the body (0: not known)
  bool too_complex = false;
};

// The body of a LANGUAGE plpgsql DO block, as the text between its quotes.
PlpgsqlBody read_plpgsql_body(std::string_view body);

// The byte offset where 1-based `line` starts in `text` (text.size() past its end).
std::size_t line_start(std::string_view text, int line);

}  // namespace lockward::analysis
