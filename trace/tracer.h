// Runs one migration file, statement by statement, in its real transaction structure
// (explicit BEGIN/COMMIT and the migration tool's implicit wrapping), and records after each
// statement the locks it took (pg_locks), what changed in the catalog, and how long it took.
// Statements that cannot run in a transaction block run in autocommit while an observer
// connection watches them (see observe_autocommit in tracer.cpp).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "trace/observation.h"
#include "trace/pg_connection.h"

namespace lockward::trace {

struct TraceIdentity;

enum class ObservationMethod {
  InTransaction,  // read pg_locks in the statement's own transaction before COMMIT
  ObserverWait,   // an observer transaction made it wait at a known point, then read its locks
  ObserverPoll,   // sampled pg_locks from an observer while it ran (may miss short locks)
  None,           // not executed
};
std::string_view observation_method_name(ObservationMethod method);

struct StatementTrace {
  std::size_t statement = 0;                // index into Analysis::statements
  bool executed = false;
  std::optional<QueryError> error;          // the server's error
  std::optional<analysis::TextRange> error_range;  // where in the file, when PostgreSQL said
  std::vector<ObservedLock> locks;          // locks this statement took on objects that existed before its transaction
  std::vector<ObservedLock> held_before;    // locks its transaction already held (same mode is not seen twice)
  std::vector<analysis::ObjectName> rewritten;          // tables and materialized views
  std::vector<analysis::ObjectName> rewritten_indexes;
  std::set<std::uint32_t> dropped;          // relations (by oid) that existed before it and not after
  // Relations the prediction locks that did not exist when it started (DROP … IF EXISTS of
  // a missing object): nothing to lock, so no lock to see.
  std::vector<analysis::ObjectName> absent_before;
  // Relations the prediction locks that its own transaction created: no other session can
  // see them, so the trace leaves their locks out.
  std::vector<analysis::ObjectName> created_in_transaction;
  // The relation each predicted lock (Statement::locks, same order) names, resolved as the
  // statement started: by its schema, else by the session's search_path. 0: not a relation,
  // or none of that name existed. The verdict matches observed locks by this identity.
  std::vector<std::uint32_t> predicted_oids;
  std::vector<std::string> changes;
  double duration_ms = 0;
  double held_ms = 0;  // from the statement's start to its transaction's end: how long its locks were held
  ObservationMethod method = ObservationMethod::None;
};

struct TraceOptions {
  bool continue_on_error = false;
  // Polled between statements and every few milliseconds while one runs (a running statement
  // is cancelled with PQcancel); a cancelled trace rolls back and marks the rest not executed.
  std::function<bool()> cancelled;
  // Called after each statement with (done, total), for progress reports.
  std::function<void(std::size_t, std::size_t)> progress;
  std::string lock_timeout = "5s";
  std::string statement_timeout = "60s";
  // Who the session runs as (trace_role.h): it explains a statement refused for lack of privilege.
  const TraceIdentity* identity = nullptr;
};

struct FileTrace {
  std::vector<StatementTrace> statements;  // one per analysed statement, in order
  std::string fatal_error;                 // a problem with the trace itself (not a statement), such as
                                           // the server going away: then `statements` is no result
  bool cancelled = false;
};

// `session` and `observer` are two connections to the same disposable database.
FileTrace trace_file(PgConnection& session, PgConnection& observer, std::string_view text,
                     const analysis::Analysis& analysis, const TraceOptions& options);

}  // namespace lockward::trace
