// Trace timings against real local clusters. Reports numbers; asserts none.
// Targets: warm trace of a 10-statement migration under 300 ms; cold (cluster start
// included) under 3 s.
#include <chrono>
#include <cstdio>
#include <string>

#include "analysis/analyze.h"
#include "trace/local_cluster.h"
#include "trace/merge.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/tracer.h"

using namespace lockward;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

const char* kSetup =
    "CREATE TABLE users (id bigint PRIMARY KEY, email text, created_at timestamptz);"
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric(12,2));"
    "INSERT INTO users SELECT g, 'u' || g, now() FROM generate_series(1, 1000) g;"
    "INSERT INTO orders SELECT g, g % 1000 + 1, g FROM generate_series(1, 1000) g;";

const char* kMigration =
    "SET lock_timeout = '5s';\n"
    "BEGIN;\n"
    "ALTER TABLE users ADD COLUMN verified boolean NOT NULL DEFAULT false;\n"
    "ALTER TABLE users ADD COLUMN note text;\n"
    "CREATE INDEX users_created_at_idx ON users (created_at);\n"
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
    "COMMIT;\n"
    "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n"
    "CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);\n"
    "ANALYZE users;\n";

int n = 0;

double trace_once(trace::LocalCluster& cluster, const std::string& template_db, bool plain) {
  std::string db = std::to_string(++n).insert(0, 1, 'b');  // not "b" + …: GCC 12 -O3 false -Wrestrict
  trace::PgConnection admin(cluster.conninfo());
  auto t = Clock::now();
  admin.exec("CREATE DATABASE " + db + " TEMPLATE " + template_db);
  {
    trace::PgConnection session(cluster.conninfo(db));
    trace::PgConnection observer(cluster.conninfo(db));
    analysis::Analysis a = analysis::analyze(kMigration, {});
    if (plain) {
      for (const auto& s : a.statements) session.exec(std::string(s.code.slice(kMigration)));
    } else {
      trace::FileTrace ft = trace::trace_file(session, observer, kMigration, a, {});
      trace::merge_trace(a, ft);
    }
  }
  double ms = ms_since(t);
  admin.exec("DROP DATABASE " + db);
  return ms;
}

}  // namespace

int main() {
  trace::PgLookup lookup = trace::find_pg_binaries({});
  if (!lookup.binaries) {
    std::fprintf(stderr, "%s\n", lookup.error.c_str());
    return 1;
  }
  std::printf("PostgreSQL %s, migration of 10 statements\n", lookup.binaries->version.c_str());

  // Cold: cluster start, template replay, clone, trace.
  auto t = Clock::now();
  std::string error;
  auto cluster = trace::LocalCluster::start(*lookup.binaries, error);
  if (!cluster) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  double start_ms = ms_since(t);
  auto replay = Clock::now();
  {
    trace::PgConnection admin(cluster->conninfo());
    admin.exec("CREATE DATABASE tpl");
    trace::PgConnection tpl(cluster->conninfo("tpl"));
    tpl.exec(kSetup);
  }
  double replay_ms = ms_since(replay);
  double first_ms = trace_once(*cluster, "tpl", false);
  std::printf("cold trace (cluster start %.0f ms + replay %.0f ms + clone and trace %.0f ms): %.0f ms\n", start_ms,
              replay_ms, first_ms, ms_since(t));

  double warm = 1e9, plain = 1e9;
  for (int i = 0; i < 5; ++i) warm = std::min(warm, trace_once(*cluster, "tpl", false));
  for (int i = 0; i < 5; ++i) plain = std::min(plain, trace_once(*cluster, "tpl", true));
  std::printf("warm trace (replay cache hit: clone + trace), best of 5: %.0f ms\n", warm);
  std::printf("replay cache miss costs %.0f ms more (replaying the preceding migrations)\n", replay_ms);
  std::printf("plain execution of the same statements (clone included), best of 5: %.0f ms\n", plain);
  std::printf("observation overhead: %.1f ms per statement\n", (warm - plain) / 10.0);
  cluster->stop();
}
