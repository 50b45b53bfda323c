// Directives that live in comments: lockward's ignores and the migration tools' transaction
// switches (goose's `+goose NO TRANSACTION`, dbmate's `migrate:up transaction:false`).
// Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/syntax/splitter.h"

namespace lockward::analysis {

struct IgnoreDirective {
  TextRange range;                 // the comment
  bool file_level = false;         // lockward-ignore-file
  std::vector<std::string> rules;  // empty: every rule
  std::vector<TextRange> rule_ranges;  // where each listed rule id is written
  std::string reason;              // text after a second `--`, if any
  std::optional<std::size_t> piece;  // the statement a statement-level ignore belongs to
};

// Parses one comment; nullopt when it is not an ignore directive.
std::optional<IgnoreDirective> parse_ignore(std::string_view text, const Comment& comment);

// The file's own statement about its transaction, if any: false for goose's
// `-- +goose NO TRANSACTION`, dbmate's `-- migrate:up transaction:false` and
// `-- lockward-no-transaction` (and `-- migrate:down transaction:false` in a down part, sqlx's
// `-- no-transaction`, Atlas's `-- atlas:txmode none`); true for `-- lockward-in-transaction`
// and `-- atlas:txmode file|all`.
std::optional<bool> file_transaction_directive(std::string_view text, const SplitResult& split);

}  // namespace lockward::analysis
