// `lockward verify-rules`: runs the example of every lock-catalogue row on each available
// PostgreSQL version and reports Confirmed or Mismatch per row and version. When PostgreSQL
// disagrees, the catalogue is wrong. The examples run as traced migrations do: as the
// unprivileged role lockward_migrator that owns the database (the set-tablespace example is
// granted CREATE on its tablespace, as an application's role would be). The rows in
// kSuperuserRows need a right that role lacks by design; they run as the superuser, and the
// output says so.
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

#include "analysis/analyze.h"
#include "analysis/catalog/catalogue.h"
#include "server/cli/commands.h"
#include "trace/local_cluster.h"
#include "trace/merge.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/schema_reader.h"
#include "trace/trace_role.h"
#include "trace/tracer.h"

namespace lockward::server {

namespace {

// Row id, the last version where the trace role lacks the right, and which right.
struct SuperuserRow {
  std::string_view id;
  int max_pg;
  std::string_view why;
};
constexpr SuperuserRow kSuperuserRows[] = {
    {"drop-database", 99, "its setup creates a database (CREATEDB)"},
    {"create-extension", 12, "before PostgreSQL 13 no extension is trusted: only a superuser creates one"},
    {"create-role", 99, "it creates a role (CREATEROLE)"},
    {"alter-role", 99, "its setup creates a role (CREATEROLE)"},
    {"drop-role", 99, "its setup creates a role (CREATEROLE)"},
    {"grant-role", 99, "its setup creates roles (CREATEROLE)"},
    {"copy-from-referencing", 99, "COPY … FROM PROGRAM needs pg_execute_server_program"},
};

std::string_view superuser_reason(const analysis::CatalogueRow& row, int major) {
  for (const auto& r : kSuperuserRows)
    if (row.id == r.id && major <= r.max_pg) return r.why;
  return {};
}

struct RowOutcome {
  bool ok = false;
  std::string detail;
};

// Leaves the state only an interrupted statement leaves: runs `row.interrupted_setup` while
// another transaction reads a table, and cancels it once it waits for that reader.
std::string interrupt_setup(trace::PgConnection& session, trace::PgConnection& observer, const std::string& conninfo,
                            const analysis::CatalogueRow& row) {
  trace::PgConnection reader(conninfo);
  if (!reader.exec("BEGIN").ok() ||
      !reader.exec("LOCK TABLE " + std::string(row.interrupted_while_reading) + " IN ACCESS SHARE MODE").ok())
    return "cannot hold " + std::string(row.interrupted_while_reading);
  if (!session.send(std::string(row.interrupted_setup))) return session.error();
  std::string pid = std::to_string(session.backend_pid());
  bool waiting = false;
  for (int i = 0; i < 5000 && session.busy() && !waiting; ++i) {
    waiting = observer.exec("SELECT pg_catalog.count(*) FROM pg_catalog.pg_locks "
                            "WHERE NOT granted AND pid OPERATOR(pg_catalog.=) " + pid).value(0, 0) != "0";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (waiting) session.cancel();
  trace::QueryResult r = session.finish();
  reader.exec("COMMIT");
  if (waiting) return "";
  // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict for the chain of +.
  std::string out = "`";
  out += row.interrupted_setup;
  out += "` never waited";
  if (!r.ok()) {
    out += ": ";
    out += r.error->message;
  }
  return out;
}

// Every row runs in a fresh database named "app", as REINDEX DATABASE app expects.
RowOutcome verify_row(trace::LocalCluster& cluster, const trace::TraceIdentity& as, const analysis::CatalogueRow& row,
                      int major) {
  const std::string db = "app";
  trace::PgConnection admin(cluster.conninfo());
  admin.exec("DROP DATABASE IF EXISTS " + db);
  if (std::string e = trace::create_database_for(admin, db, cluster.conninfo(db), major, as); !e.empty()) return {false, e};
  const std::string conninfo = as.conninfo(cluster.conninfo(db));
  RowOutcome out;
  {
    trace::PgConnection session(conninfo);
    trace::PgConnection observer(conninfo);
    if (!row.setup.empty()) {
      trace::QueryResult setup = session.exec(std::string(row.setup));
      if (!setup.ok()) {
        admin.exec("DROP DATABASE IF EXISTS " + db);
        return {false, "setup failed: " + setup.error->message};
      }
    }
    if (!row.interrupted_setup.empty()) {
      if (std::string e = interrupt_setup(session, observer, conninfo, row); !e.empty()) {
        admin.exec("DROP DATABASE IF EXISTS " + db);
        return {false, "setup failed: " + e};
      }
    }
    // Rows that depend on the schema (binary-coercible type changes, SET NOT NULL after a
    // validated CHECK, which table an index belongs to) see it as a snapshot, as users would.
    analysis::SchemaSnapshot snapshot;
    trace::read_schema_snapshot(session, snapshot);
    analysis::Options options;
    options.pg_version = major;
    options.snapshot = &snapshot;
    std::string example(row.example);
    analysis::Analysis a = analysis::analyze(example, options);
    bool classified = false;
    for (const auto& s : a.statements) {
      for (const auto& e : s.effects) classified = classified || (e.row == &row);
    }
    trace::TraceOptions trace_options;
    trace_options.identity = &as;
    trace::FileTrace ft = trace::trace_file(session, observer, example, a, trace_options);
    trace::MergedFile merged = trace::merge_trace(a, ft);
    if (!ft.fatal_error.empty()) {
      out = {false, ft.fatal_error};
    } else if (!merged.errors.empty()) {
      out = {false, "error: " + merged.errors[0].message};
    } else if (!classified) {
      std::string got;
      for (const auto& s : a.statements)
        for (const auto& e : s.effects) got += (got.empty() ? "" : ", ") + std::string(e.row ? e.row->id : "?");
      out = {false, "the example is classified as " + (got.empty() ? std::string("nothing") : got)};
    } else if (merged.mismatches > 0 || !merged.trace_only.empty()) {
      std::string detail;
      for (const auto& v : merged.statements)
        if (!v.detail.empty()) detail += v.detail;
      for (const auto& f : merged.trace_only) detail += (detail.empty() ? "" : "; ") + f.message;
      out = {false, detail};
    } else {
      out = {true, ""};
    }
  }
  admin.exec("DROP DATABASE IF EXISTS " + db);
  return out;
}

}  // namespace

int run_verify_rules(const VerifyRulesArgs& args, std::ostream& out, std::ostream& err) {
  std::vector<trace::PgBinaries> installations;
  if (args.pg_bins.empty()) {
    installations = trace::list_pg_installations();
  } else {
    for (const auto& dir : args.pg_bins) {
      auto b = trace::probe_pg_bin(dir);
      if (!b) {
        err << "lockward: no runnable initdb and postgres in " << dir << "\n";
        return kExitUsage;
      }
      installations.push_back(*b);
    }
  }
  // One installation per major version.
  std::set<int> majors;
  std::erase_if(installations, [&](const trace::PgBinaries& b) { return !majors.insert(b.major).second; });
  if (installations.empty()) {
    err << "lockward: no PostgreSQL server found; run `lockward pg install 17` or pass --pg-bin\n";
    return kExitUsage;
  }
  std::size_t confirmed = 0, failed = 0;
  for (const auto& b : installations) {
    std::string error;
    auto cluster = trace::LocalCluster::start(b, error);
    if (!cluster) {
      err << "lockward: PostgreSQL " << b.version << ": " << error << "\n";
      return kExitUsage;
    }
    // The tablespace the set-tablespace example moves its table to.
    std::filesystem::path location = cluster->make_server_directory("fast_ssd");
    trace::PgConnection admin(cluster->conninfo());
    if (location.empty() || !admin.exec("CREATE TABLESPACE fast_ssd LOCATION '" + location.string() + "'").ok()) {
      err << "lockward: PostgreSQL " << b.version << ": cannot create the fast_ssd tablespace in " << location << "\n";
      return kExitUsage;
    }
    trace::TraceIdentity as;
    std::string role_error = trace::prepare_trace_role(
        admin, cluster->conninfo(), "verify-rules runs the examples as the role traces use", as);
    if (role_error.empty() && !admin.exec("GRANT CREATE ON TABLESPACE fast_ssd TO " + as.role).ok())
      role_error = "cannot grant the fast_ssd tablespace to " + as.role;
    if (!role_error.empty()) {
      err << "lockward: PostgreSQL " << b.version << ": " << role_error << "\n";
      return kExitUsage;
    }
    for (const auto& row : analysis::catalogue()) {
      if (b.major < row.min_pg || b.major > row.max_pg) continue;
      if (!args.only.empty() && row.id != args.only) continue;
      std::string_view superuser_because = superuser_reason(row, b.major);
      RowOutcome r = verify_row(*cluster, superuser_because.empty() ? as : trace::TraceIdentity{}, row, b.major);
      (r.ok ? confirmed : failed)++;
      out << std::left << std::setw(40) << row.id << "PG " << std::setw(4) << b.major
          << (r.ok ? "Confirmed" : "Mismatch ") << (r.detail.empty() ? "" : "  " + r.detail);
      if (!superuser_because.empty()) out << "  (as superuser: " << superuser_because << ")";
      out << "\n";
    }
    cluster->stop();
  }
  out << "\n" << confirmed << " confirmed, " << failed << " mismatched, on PostgreSQL";
  for (const auto& b : installations) out << " " << b.version;
  out << "\n";
  return failed > 0 ? kExitFindings : kExitClean;
}

}  // namespace lockward::server
