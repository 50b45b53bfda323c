// Merges a file's trace with its static analysis: each statement's predicted locks and
// rewrite against what PostgreSQL did. Trace-only findings (locks or rewrites no prediction
// covered) get a risk derived from what was observed, and count toward CI like any other.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/model.h"
#include "trace/tracer.h"

namespace lockward::trace {

enum class Verification {
  Confirmed,   // strongest observed lock per relation equals the prediction, rewrite as predicted
  Mismatch,    // PostgreSQL did something else; risk = max(static, observed)
  Error,       // the statement failed
  Skipped,     // not executed (after an error, or it does not parse)
  NoLocks,     // predicted and observed no lock on an existing object
  Observed,    // its locks were UNKNOWN statically: what the trace saw is the answer (trace-only findings)
};
std::string_view verification_name(Verification v);

struct LockComparison {
  analysis::ObjectName object;
  std::optional<analysis::LockMode> predicted;
  std::optional<analysis::LockMode> observed;
  // Whether the lock is released when the statement ends rather than held until COMMIT, as
  // the catalogue predicts it and as the trace saw it (seen while it ran, gone after).
  bool predicted_until_statement_end = false;
  bool observed_until_statement_end = false;
  bool absent = false;  // the object did not exist when the statement started: nothing to lock
  bool created_in_transaction = false;  // created by the statement's own transaction: not traced
  // Predicted only if the statement changes a row (a referencing table's RI trigger): not
  // taking it, when no row was deleted or updated, is no mismatch.
  bool if_rows_change = false;
  // Predicted for a statement of a DO block that may not run (a branch, a loop): an upper bound,
  // matched by the same lock, a weaker one, or none.
  bool upper_bound = false;
  bool matches() const {
    if ((absent || created_in_transaction || if_rows_change) && !observed) return true;
    if (upper_bound && predicted && (!observed || *observed < *predicted)) return true;
    return observed == predicted && (!predicted || predicted_until_statement_end == observed_until_statement_end);
  }
};

struct StatementVerification {
  std::size_t statement = 0;
  Verification status = Verification::Skipped;
  std::vector<LockComparison> locks;
  std::optional<bool> predicted_rewrite;  // nullopt: uncertain
  bool observed_rewrite = false;
  std::string detail;                     // why it is a mismatch, or the error
};

struct MergedFile {
  std::vector<StatementVerification> statements;
  std::vector<analysis::Finding> trace_only;  // new findings from the trace
  std::vector<analysis::Finding> errors;      // one per failed statement, at the server's position
  analysis::Risk max_risk = analysis::Risk::Safe;  // over static, mismatched and trace-only findings
  std::size_t verified = 0, confirmed = 0, mismatches = 0, error_count = 0;
};

// The risk an observed lock implies on an existing table (pgfence's scale, rewrites raise it).
analysis::Risk risk_of_observed(analysis::LockMode mode, bool rewrite);

MergedFile merge_trace(const analysis::Analysis& analysis, const FileTrace& trace);

}  // namespace lockward::trace
