// `lockward snapshot --db-url URL -o snap.json`: the schema (format 2, docs/snapshot.md: tables,
// columns, constraints, indexes, partitions, inheritance, triggers, views, sequences, types,
// functions) and table sizes of a database, read in one read-only REPEATABLE READ transaction
// with short timeouts. Credentials never appear in any message.
#include <fstream>
#include <iostream>

#include "server/cli/commands.h"
#include "server/config/schema_files.h"
#include "trace/catalog_sql.h"
#include "trace/pg_connection.h"
#include "trace/schema_reader.h"

namespace lockward::server {

int run_snapshot(const SnapshotArgs& args, std::ostream& out, std::ostream& err) {
  // Ours replace the string's own (URL or key=value alike: PgConnection parses it). A
  // read-only session with short timeouts, and search_path pg_catalog: a function the
  // database's owner planted in another schema is never found (see trace/catalog_sql.h).
  trace::PgConnection conn(args.db_url, {{"application_name", "lockward-snapshot"},
                                         {"connect_timeout", "5"},
                                         {"options", std::string("-c default_transaction_read_only=on "
                                                                 "-c statement_timeout=30s -c lock_timeout=1s "
                                                                 "-c search_path=") + trace::kCatalogSearchPath}});
  if (!conn.connected()) {
    err << "lockward: cannot connect: " << trace::scrub_credentials(conn.error()) << "\n";
    return kExitUsage;
  }
  analysis::SchemaSnapshot snapshot;
  // One consistent view of the catalog across the reader's queries.
  trace::QueryResult begin = conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  std::string e = begin.ok() ? trace::read_schema_snapshot(conn, snapshot) : begin.error->message;
  conn.exec("COMMIT");
  if (!e.empty()) {
    err << "lockward: reading the schema failed: " << trace::scrub_credentials(e) << "\n";
    return kExitUsage;
  }
  trace::QueryResult version = conn.exec("SHOW server_version_num");
  std::string json = snapshot_to_json(snapshot, std::atoi(version.value(0, 0).c_str()) / 10000);
  if (args.output.empty() || args.output == "-") {
    out << json;
  } else {
    std::ofstream file(args.output);
    file << json;
    if (!file) {
      err << "lockward: cannot write " << args.output << "\n";
      return kExitUsage;
    }
    err << "lockward: wrote " << snapshot.tables.size() << " tables, " << snapshot.views.size() << " views and "
        << snapshot.sequences.size() << " sequences to " << args.output << "\n";
  }
  return kExitClean;
}

}  // namespace lockward::server
