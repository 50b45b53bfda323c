// Replaying a migration's up part into a trace database. Which migrations come before a file,
// and their up parts, is the migration set's (analysis/migration_set, server/migrations).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lockward::trace {

class PgConnection;
struct TraceIdentity;

// Runs a migration's statements one by one, as a migration tool would (a multi-statement
// string would be one implicit transaction, where CONCURRENTLY fails). psql meta-commands are
// skipped. Leaves no transaction open. Returns "" or the first error (explained by `as`, the
// identity `conn` runs as, when it lacked a privilege). `cancelled`, when given, is polled every
// 5 ms: a running statement is cancelled (PQcancel) and the replay stops with "cancelled".
std::string replay_migration(PgConnection& conn, std::string_view text, const TraceIdentity* as = nullptr,
                             const std::function<bool()>& cancelled = {});

}  // namespace lockward::trace
