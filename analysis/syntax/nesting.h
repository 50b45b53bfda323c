// How deep a statement's parse tree can be, estimated from its tokens before it is parsed.
// libpg_query writes its tree to JSON by recursion, one or more C frames per tree level, with
// no stack check (its `stack_is_too_deep` always answers false), so a deep enough statement
// (`SELECT 1+1+…` with 65,000 terms on an 8 MiB stack) overflows the caller's stack. Bison's
// own stack stops right-nested forms (parentheses, NOT, nested CASE, subqueries) at about
// 10,000 grammar symbols with "memory exhausted"; left-associative chains (binary operators,
// `::`, IS NULL, COLLATE, UNION, JOIN) have no such bound. The estimate is an upper bound on
// the tree levels these forms add. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "analysis/text_range.h"

namespace lockward::analysis {

// The deepest nesting lockward parses. Measured with libpg_query 15-4.0 (Debian): about 134
// bytes of stack per chained operator and up to 400 per nested subquery level, plus at most
// about 1.3 MiB for the right-nested forms Bison bounds. `lockward check` of the worst
// statements just under the cap (chains, UNIONs, NOTs, subqueries, CTEs, JOINs, a DEFAULT
// expression) runs in a 2 MiB stack; every parsing thread has kParseStackBytes.
inline constexpr std::size_t kMaxNesting = 10'000;
// The stack a thread needs to analyse any statement. `lockward` gives every thread it starts
// at least this much (server/main.cpp), and the main thread's default limit on Linux is the same.
inline constexpr std::size_t kParseStackBytes = std::size_t{8} << 20;

struct NestingEstimate {
  std::size_t depth = 1;                    // upper bound on the levels; 1 for a flat statement
  std::optional<std::size_t> passed_limit;  // where the nesting first went past `limit`, if it did
};

// `tokens` are the statement's tokens from libpg_query's scanner (comments included), as
// ranges of `text`. Counts brackets, CASE … END and chained operators along the deepest
// path; commas, `;`, AND, OR, WHEN, THEN and ELSE separate items of flat lists, which add no
// depth to each other. UNION, INTERSECT, EXCEPT and JOIN chain across commas.
NestingEstimate estimate_nesting(std::string_view text, const std::vector<TextRange>& tokens, std::size_t limit);

}  // namespace lockward::analysis
