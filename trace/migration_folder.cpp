#include "trace/migration_folder.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "analysis/syntax/splitter.h"
#include "trace/pg_connection.h"
#include "trace/trace_role.h"

namespace lockward::trace {

std::string replay_migration(PgConnection& conn, std::string_view text, const TraceIdentity* as,
                             const std::function<bool()>& cancelled) {
  std::string error;
  // A watcher cancels the running statement when asked (the handle is made on this thread).
  std::atomic<bool> done{false}, fired{false};
  std::optional<CancelHandle> handle;
  std::thread watcher;
  if (cancelled) {
    handle.emplace(conn);
    watcher = std::thread([&] {
      while (!done.load()) {
        if (cancelled()) {
          fired = true;
          handle->cancel();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  for (const analysis::Piece& piece : analysis::split_statements(text).pieces) {
    if (piece.kind != analysis::PieceKind::Sql) continue;
    if (fired.load()) {
      error = "cancelled";
      break;
    }
    QueryResult r = conn.exec(std::string(piece.code.slice(text)));
    if (!r.ok()) {
      error = fired.load() ? std::string("cancelled") : as ? as->explain(*r.error) : r.error->message;
      break;
    }
  }
  done = true;
  if (watcher.joinable()) watcher.join();
  if (conn.in_transaction()) conn.exec(error.empty() ? "COMMIT" : "ROLLBACK");
  conn.exec("RESET ALL");
  return error;
}

}  // namespace lockward::trace
