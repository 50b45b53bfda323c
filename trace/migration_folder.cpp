#include "trace/migration_folder.h"

#include "analysis/syntax/splitter.h"
#include "trace/pg_connection.h"
#include "trace/trace_role.h"

namespace lockward::trace {

std::string replay_migration(PgConnection& conn, std::string_view text, const TraceIdentity* as) {
  std::string error;
  for (const analysis::Piece& piece : analysis::split_statements(text).pieces) {
    if (piece.kind != analysis::PieceKind::Sql) continue;
    QueryResult r = conn.exec(std::string(piece.code.slice(text)));
    if (!r.ok()) {
      error = as ? as->explain(*r.error) : r.error->message;
      break;
    }
  }
  if (conn.in_transaction()) conn.exec(error.empty() ? "COMMIT" : "ROLLBACK");
  conn.exec("RESET ALL");
  return error;
}

}  // namespace lockward::trace
