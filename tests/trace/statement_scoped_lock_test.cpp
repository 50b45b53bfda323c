// A lock PostgreSQL releases when the statement ends, not at COMMIT (COPY … TO up to
// PostgreSQL 12): predicted as such, and verified by a trace that sees the lock while the
// statement runs and not after. Needs PostgreSQL 12 (`lockward pg install 12`; scripts/test.sh
// installs every supported version before the tests run).
#include <catch2/catch.hpp>

#include <memory>

#include "analysis/analyze.h"
#include "trace/local_cluster.h"
#include "trace/merge.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/tracer.h"
#include "tests/support/shared_cluster.h"

using namespace lockward;

namespace {

struct Traced {
  analysis::Analysis analysis;
  trace::MergedFile merged;
};

Traced trace_on(trace::LocalCluster& cluster, const std::string& db, int predicted_for, const std::string& sql) {
  trace::PgConnection admin(cluster.conninfo());
  REQUIRE(admin.exec("CREATE DATABASE " + db).ok());
  trace::PgConnection session(cluster.conninfo(db));
  trace::PgConnection observer(cluster.conninfo(db));
  REQUIRE(session.exec("CREATE TABLE t (id int); CREATE TABLE u (id int)").ok());
  Traced out;
  analysis::Options options;
  options.pg_version = predicted_for;
  out.analysis = analysis::analyze(sql, options);
  trace::FileTrace ft = trace::trace_file(session, observer, sql, out.analysis, {});
  out.merged = trace::merge_trace(out.analysis, ft);
  return out;
}

const char* kMigration = "BEGIN;\nCOPY t TO STDOUT;\nALTER TABLE u ADD COLUMN c int;\nCOMMIT;";

}  // namespace

TEST_CASE("trace on PostgreSQL 12 sees COPY … TO release its lock at the statement's end", "[trace][pg12]") {
  trace::PgSearch search;
  search.major = 12;
  trace::PgLookup lookup = trace::find_pg_binaries(search);
  INFO(lookup.error);
  REQUIRE(lookup.binaries);
  std::string error;
  std::unique_ptr<trace::LocalCluster> cluster = trace::LocalCluster::start(*lookup.binaries, error);
  INFO(error);
  REQUIRE(cluster);
  Traced t = trace_on(*cluster, "scoped12", 12, kMigration);
  REQUIRE(t.merged.statements.size() == 4);
  const trace::StatementVerification& copy = t.merged.statements[1];
  INFO(copy.detail);
  CHECK(copy.status == trace::Verification::Confirmed);
  REQUIRE(copy.locks.size() == 1);
  CHECK(copy.locks[0].observed == analysis::LockMode::AccessShare);
  CHECK(copy.locks[0].observed_until_statement_end);
  CHECK(copy.locks[0].predicted_until_statement_end);
  CHECK(t.merged.statements[2].status == trace::Verification::Confirmed);
  CHECK(t.merged.mismatches == 0);
  cluster->stop();
}

TEST_CASE("trace reports a lock predicted to end with the statement that stays until COMMIT", "[trace]") {
  // Predicted for PostgreSQL 12, run on a newer server, which keeps the lock.
  trace::LocalCluster& cluster = test::shared_cluster();
  REQUIRE(cluster.binaries().major >= 13);
  Traced t = trace_on(cluster, "scoped_mismatch", 12, kMigration);
  REQUIRE(t.merged.statements.size() == 4);
  const trace::StatementVerification& copy = t.merged.statements[1];
  CHECK(copy.status == trace::Verification::Mismatch);
  CHECK(copy.detail == "t: predicted ACCESS SHARE released at statement end, observed ACCESS SHARE held until COMMIT");
  // And predicted for the server's own version, it is confirmed as held.
  Traced held = trace_on(cluster, "scoped_held", cluster.binaries().major, kMigration);
  REQUIRE(held.merged.statements.size() == 4);
  CHECK(held.merged.statements[1].status == trace::Verification::Confirmed);
  REQUIRE(held.merged.statements[1].locks.size() == 1);
  CHECK_FALSE(held.merged.statements[1].locks[0].observed_until_statement_end);
}
