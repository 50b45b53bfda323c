// Shared plumbing for the classify_*.cpp files: building effects from catalogue rows and
// locating clauses. Private to analysis/classify.
#pragma once

#include <string>
#include <string_view>

#include "analysis/classify/classify.h"
#include "analysis/syntax/ast.h"

namespace lockward::analysis::classify_detail {

using ast::Json;

struct Input {
  const ParsedNode& node;
  std::string_view text;        // the whole file
  std::size_t node_offset;      // where the parsed text starts in the file
  TextRange statement;          // the statement's code range in the file
  const ClassifyContext& context;

  // A libpg_query location (relative to the parsed text) as a file offset.
  std::size_t at(long location) const {
    return location < 0 ? statement.begin : node_offset + static_cast<std::size_t>(location);
  }
  std::string_view statement_text() const { return statement.slice(text); }
};

// Which object fills each role of a row, for one effect.
struct Targets {
  ObjectName table;
  ObjectName referenced;
  ObjectName partition;
  ObjectName index;
  ObjectName other;   // view, matview, sequence, type, schema, database
};

// Looks the row up for the context's version and fills its locks from `targets`. Returns an
// effect without a row when the id is unknown for that version (a bug: tests catch it).
Effect make_effect(const Input& in, std::string_view row_id, const Targets& targets, TextRange range);

ObjectKind kind_for_role(Role role);

// Ranges of the comma-separated subcommands of ALTER TABLE (top-level commas after the
// relation name). Returns an empty vector when the count does not match `expected`.
std::vector<TextRange> alter_table_clauses(const Input& in, std::size_t expected);

// Family classifiers; each fills `facts` for the node types it owns.
void classify_alter_table(const Input& in, StatementFacts& facts);
void classify_index(const Input& in, StatementFacts& facts);
void classify_other(const Input& in, StatementFacts& facts);

}  // namespace lockward::analysis::classify_detail
