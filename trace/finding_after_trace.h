// What a static finding says once the trace has run its statement. A claim the trace
// disproved (a rewrite that did not happen, a lock weaker than predicted) is re-worded, and the
// finding's risk and severity are re-derived from what PostgreSQL did; a confirmed claim gets
// the evidence; a finding about the transaction (compounding locks, missing timeouts) gets
// the locks the transaction held at that point and for how long. Pure: no connection.
#pragma once

#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "trace/merge.h"
#include "trace/observation.h"

namespace lockward::trace {

// What the trace saw of one statement, as the editor keeps it.
struct TracedStatement {
  const StatementVerification* verification = nullptr;
  // The locks its transaction held once it had run (its own and the earlier statements'),
  // on objects that existed before the transaction.
  std::vector<ObservedLock> transaction_locks;
  double held_ms = 0;  // from its start to its transaction's end
};

analysis::Finding finding_after_trace(const analysis::Finding& finding, const TracedStatement& traced, int pg_version,
                                      std::string_view server_version);

}  // namespace lockward::trace
