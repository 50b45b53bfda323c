// What analyze() knows about the file as a whole once every statement is classified: the
// statements, their facts, and the file-level settings. The rule passes read it.
#pragma once

#include <string_view>
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
  SplitResult split;
  std::vector<Statement> statements;
  std::vector<StatementFacts> facts;  // parallel to statements
  bool implicit_transaction = false;  // the migration tool wraps the file
};

// Rule passes, each appending findings.
void check_locks(const FileState& file, std::vector<Finding>& out);
void check_policies(const FileState& file, std::vector<Finding>& out);
void check_advice(const FileState& file, std::vector<Finding>& out);
// Safe rewrites for the lock findings of one statement.
std::vector<Fix> recipe_fixes(const FileState& file, const Statement& statement, const Effect& effect);
// A fix that inserts SET lock_timeout before `statement`.
Fix lock_timeout_fix(const FileState& file, const Statement& statement);

}  // namespace lockward::analysis
