// `lockward snapshot --db-url URL -o snap.json`: column types, constraints, indexes and table
// sizes from a database, read in a read-only session with short timeouts. Credentials never
// appear in any message.
#include <fstream>
#include <iostream>

#include "server/cli/commands.h"
#include "server/config/schema_files.h"
#include "trace/pg_connection.h"
#include "trace/schema_reader.h"

namespace lockward::server {

int run_snapshot(const SnapshotArgs& args, std::ostream& out, std::ostream& err) {
  // libpq accepts options in both URLs and key=value strings; ours come last and win.
  bool url = args.db_url.rfind("postgres://", 0) == 0 || args.db_url.rfind("postgresql://", 0) == 0;
  std::string extra = "application_name=lockward-snapshot connect_timeout=5 "
                      "options='-c default_transaction_read_only=on -c statement_timeout=30s -c lock_timeout=1s'";
  std::string conninfo = url ? args.db_url + (args.db_url.find('?') == std::string::npos ? "?" : "&") +
                                   "application_name=lockward-snapshot&connect_timeout=5&options=-c%20default_transaction_read_only%3Don%20-c%20statement_timeout%3D30s%20-c%20lock_timeout%3D1s"
                             : args.db_url + " " + extra;
  trace::PgConnection conn(conninfo);
  if (!conn.connected()) {
    err << "lockward: cannot connect: " << trace::scrub_credentials(conn.error()) << "\n";
    return kExitUsage;
  }
  analysis::SchemaSnapshot snapshot;
  if (std::string e = trace::read_schema_snapshot(conn, snapshot); !e.empty()) {
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
    err << "lockward: wrote " << snapshot.tables.size() << " tables to " << args.output << "\n";
  }
  return kExitClean;
}

}  // namespace lockward::server
