// Splits SQL text into statements without parsing it, so that a statement the parser rejects
// never hides the others. Understands quotes, E-strings, dollar quotes, nested block comments,
// SQL-standard function bodies (BEGIN ATOMIC … END) and psql meta-commands. Pure; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "analysis/text_range.h"

namespace lockward::analysis {

enum class PieceKind {
  Sql,        // a statement for the parser
  PsqlMeta,   // a psql meta-command line such as \set or \connect
};

struct Comment {
  TextRange range;   // the whole comment, delimiters included
  TextRange body;    // without `--` or `/*` `*/`
};

struct Piece {
  PieceKind kind = PieceKind::Sql;
  TextRange code;              // first token to last token, without the terminating `;`
  bool terminated = false;     // ended by `;` (false for the last statement of a file without one)
  std::size_t terminator = 0;  // offset of the `;` when terminated
  std::vector<Comment> comments;  // leading, inner and same-line trailing comments
  bool unterminated_literal = false;  // a quote, dollar quote or comment ran to end of input
};

struct SplitResult {
  std::vector<Piece> pieces;
  std::vector<Comment> file_comments;  // every comment in the file, in order
  std::size_t content_begin = 0;       // after a UTF-8 byte order mark, if any
};

SplitResult split_statements(std::string_view text);

// What split_statements_after_edit replaced: old pieces [first, first + old_count) became the
// new [first, first + new_count); those before are unchanged, those after moved by the edit.
struct SplitChange {
  std::size_t first = 0;
  std::size_t old_count = 0;
  std::size_t new_count = 0;
};

// Makes `split`, the split of a text that differs from `text` only in its bytes
// [edit_begin, old_edit_end) (now `text`'s [edit_begin, new_edit_end)), equal to
// split_statements(text): scans from the last `;` before the edit until a `;` after it where
// the old split also ended a statement, and keeps the pieces before and (moved) after in place.
SplitChange split_statements_after_edit(std::string_view text, SplitResult& split, std::size_t edit_begin,
                                        std::size_t old_edit_end, std::size_t new_edit_end);

}  // namespace lockward::analysis
