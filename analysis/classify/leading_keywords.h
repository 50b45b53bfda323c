// A statement PostgreSQL 17's grammar rejects, read from its leading keywords when the target
// is PostgreSQL 18 or newer (named NOT NULL constraints, VIRTUAL generated columns, WITHOUT
// OVERLAPS, … are 18's syntax; libpg_query has no native 18 library). Conservative: ALTER
// TABLE t … takes at most ACCESS EXCLUSIVE on t (an upper bound, labelled so); CREATE TABLE t
// … creates t and, unless its text names another relation (REFERENCES, PARTITION OF,
// INHERITS, LIKE), locks nothing that exists. Anything else stays a syntax error.
#pragma once

#include <optional>
#include <string_view>

#include "analysis/classify/classify.h"

namespace lockward::analysis {

// The node type the analysis records for such a statement.
inline constexpr std::string_view kLeadingKeywordsNode = "LeadingKeywords";

// Facts in coordinates relative to `text` (the statement), or nullopt when the statement does
// not start with a form this reads (or pg_version < 18).
std::optional<StatementFacts> classify_leading_keywords(std::string_view text, int pg_version);

}  // namespace lockward::analysis
