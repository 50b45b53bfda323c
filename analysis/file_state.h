// What the rule passes see of the file: its text and options, and the statements analysed in
// this run. A run starts where nothing but file-wide history flows in (see document_analysis.h),
// so a statement only ever refers back to statements of the same run.
#pragma once

#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/classify/classify.h"
#include "analysis/directives.h"
#include "analysis/model.h"
#include "analysis/options.h"
#include "analysis/syntax/splitter.h"

namespace lockward::analysis {

struct FileState {
  std::string_view text;
  const Options& options;
  const std::vector<Statement>& statements;  // this run's, from index `first` on
  std::size_t first = 0;
  bool implicit_transaction = false;  // the migration tool wraps the file
  const Statement& statement(std::size_t index) const { return statements[index - first]; }
};

// What the policy rules carry from one statement to the next.
struct PolicyState {
  // Timeouts: what the file has set so far, and which warnings it already got (once per file).
  bool lock_timeout = false, statement_timeout = false, idle_timeout = false;
  bool warned_lock = false, warned_statement = false, warned_idle = false;
  // Transactions.
  std::optional<std::size_t> open_begin;
  std::set<std::pair<std::string, std::string>> added_not_valid;  // in the current transaction
  bool in_tx = false;

  std::uint8_t timeout_bits() const {
    return static_cast<std::uint8_t>(lock_timeout | statement_timeout << 1 | idle_timeout << 2 | warned_lock << 3 |
                                     warned_statement << 4 | warned_idle << 5);
  }
  // Nothing of a transaction flows on (the timeouts do, file-wide).
  bool outside_transaction() const { return !open_begin && added_not_valid.empty() && !in_tx; }
};

// Rule passes, one statement at a time, each appending findings. The passes' order is the
// order of their findings at the same position.
void check_locks(const FileState& file, const Statement& s, std::vector<Finding>& out);
void check_timeouts(const FileState& file, const Statement& s, const StatementFacts& f, PolicyState& state,
                    std::vector<Finding>& out);
void check_transaction(const FileState& file, const Statement& s, const StatementFacts& f, PolicyState& state,
                       std::vector<Finding>& out);
// At the end of the file: a transaction left open.
void finish_transactions(const FileState& file, const PolicyState& state, std::vector<Finding>& out);
void check_advice(const FileState& file, const Statement& s, const StatementFacts& f, std::vector<Finding>& out);
// Safe rewrites for the lock findings of one statement.
std::vector<Fix> recipe_fixes(const FileState& file, const Statement& statement, const Effect& effect);
// A fix that inserts SET lock_timeout before `statement`.
Fix lock_timeout_fix(const FileState& file, const Statement& statement);

}  // namespace lockward::analysis
