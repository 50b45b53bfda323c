// What object a name in a migration is: the identifier under a byte offset, and the objects it
// may name, most likely first. Relations and types come from the parse tree's own locations
// (libpg_query's RangeVar and TypeName); a bare word elsewhere (a column in ALTER COLUMN, a
// constraint in DROP CONSTRAINT, an index in DROP INDEX) is offered as a column or constraint of
// the statement's tables, then as a relation, then as a type: the caller keeps the first one a
// schema knows. Also: the objects a file's own statements create and touch, for origins inside
// the open file. Pure; needs kParseStackBytes of stack (it parses).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "analysis/options.h"
#include "analysis/schema_model.h"
#include "analysis/syntax/splitter.h"
#include "analysis/text_range.h"

namespace lockward::analysis {

struct NameAt {
  TextRange range;      // the identifier (quotes included)
  TextRange statement;  // the statement it is in
  std::vector<ObjectRef> candidates;
};

// Nothing when the offset is not on an identifier of a statement (a keyword counts as an
// identifier here: its candidates then match nothing). Offsets past the text are not an error.
// `split` is the text's split_statements() when the caller keeps one (else it is split here).
std::optional<NameAt> name_at(std::string_view text, std::size_t offset, const SplitResult* split = nullptr);

// The open file's own statements folded into a model of their own at place 0 (`source` names
// the file): its touches are the file's statements, by byte range.
SchemaModel file_model(std::string_view text, const Options& options, std::string_view source);

// What navigation needs of an open file, computed once per text: its split and its own model.
struct FileIndex {
  SplitResult split;
  SchemaModel model;
};
FileIndex file_index(std::string_view text, const Options& options, std::string_view source);

}  // namespace lockward::analysis
