// The verdict from given observations: what merge_trace makes of locks the trace saw.
#include <catch2/catch.hpp>

#include "analysis/analyze.h"
#include "trace/merge.h"
#include "trace/tracer.h"

using namespace lockward;

TEST_CASE("the old index copies REINDEX … CONCURRENTLY drops are part of the rebuild", "[trace][merge]") {
  analysis::Options options;
  options.pg_version = 13;
  analysis::Analysis a = analysis::analyze("REINDEX SCHEMA CONCURRENTLY s;", options);
  REQUIRE(a.statements.size() == 1);
  trace::StatementTrace t;
  t.executed = true;
  trace::ObservedLock table{analysis::ObjectName{"s", "t"}, analysis::ObjectKind::Table,
                            analysis::LockMode::ShareUpdateExclusive, 100};
  // The old copy of s.t_pkey, dropped at the end under ACCESS EXCLUSIVE, named from before.
  trace::ObservedLock old_index{analysis::ObjectName{"s", "t_pkey"}, analysis::ObjectKind::Index,
                                analysis::LockMode::AccessExclusive, 200};
  old_index.owner = analysis::ObjectName{"s", "t"};
  t.locks = {table, old_index};
  trace::FileTrace ft;
  ft.statements.push_back(t);
  CHECK(trace::merge_trace(a, ft).mismatches == 1);  // an index that still exists: a real surprise
  ft.statements[0].dropped.insert(200);
  trace::MergedFile merged = trace::merge_trace(a, ft);
  INFO(merged.statements[0].detail);
  CHECK(merged.mismatches == 0);
  CHECK(merged.trace_only.empty());
}
