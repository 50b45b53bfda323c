// Trace against a real PostgreSQL started by the test (Debian's postgresql-15, or whatever
// installation find_pg_binaries picks): predictions confirmed, rewrites and errors observed.
#include <catch2/catch.hpp>
#include <signal.h>

#include <algorithm>
#include <filesystem>

#include "analysis/analyze.h"
#include "trace/local_cluster.h"
#include "trace/merge.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/pg_install.h"
#include "trace/tracer.h"
#include "tests/support/shared_cluster.h"

using namespace lockward;

namespace {

trace::LocalCluster& cluster() { return test::shared_cluster(); }

struct Traced {
  analysis::Analysis analysis;
  trace::FileTrace trace;
  trace::MergedFile merged;
};

Traced run(const std::string& setup, const std::string& sql, analysis::Options options = {}) {
  static int n = 0;
  std::string db = std::to_string(++n).insert(0, 1, 't');  // not "t" + …: GCC 12 -O3 false -Wrestrict
  trace::PgConnection admin(cluster().conninfo());
  REQUIRE(admin.exec("CREATE DATABASE " + db).ok());
  trace::PgConnection session(cluster().conninfo(db));
  trace::PgConnection observer(cluster().conninfo(db));
  REQUIRE(session.connected());
  if (!setup.empty()) REQUIRE(session.exec(setup).ok());
  Traced t;
  options.pg_version = cluster().binaries().major;
  t.analysis = analysis::analyze(sql, options);
  t.trace = trace::trace_file(session, observer, sql, t.analysis, {});
  t.merged = trace::merge_trace(t.analysis, t.trace);
  return t;
}

}  // namespace

TEST_CASE("trace confirms the locks of simple DDL", "[trace]") {
  Traced t = run("CREATE TABLE users (id bigint PRIMARY KEY, email text)",
                 "ALTER TABLE users ADD COLUMN c int;\nCREATE INDEX users_email_idx ON users (email);");
  REQUIRE(t.merged.statements.size() == 2);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
  CHECK(t.merged.statements[1].status == trace::Verification::Confirmed);
  REQUIRE(t.merged.statements[1].locks.size() == 1);
  CHECK(t.merged.statements[1].locks[0].observed == analysis::LockMode::Share);
  CHECK(t.merged.mismatches == 0);
  CHECK(t.merged.trace_only.empty());
}

TEST_CASE("trace observes a table rewrite and compares it with the prediction", "[trace]") {
  Traced t = run("CREATE TABLE users (id bigint PRIMARY KEY)",
                 "ALTER TABLE users ADD COLUMN token float8 DEFAULT random();\nALTER TABLE users ADD COLUMN n int DEFAULT 0;");
  REQUIRE(t.trace.statements.size() == 2);
  // The table, and its primary key index with it.
  CHECK(std::any_of(t.trace.statements[0].rewritten.begin(), t.trace.statements[0].rewritten.end(),
                    [](const analysis::ObjectName& n) { return n.name == "users"; }));
  CHECK(t.merged.statements[0].observed_rewrite);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
  CHECK_FALSE(t.merged.statements[1].observed_rewrite);  // fast default since PostgreSQL 11
  CHECK(t.merged.statements[1].status == trace::Verification::Confirmed);
}

TEST_CASE("trace keeps the file's transaction: locks of earlier statements stay held", "[trace]") {
  Traced t = run("CREATE TABLE a (id int); CREATE TABLE b (id int)",
                 "BEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE a ADD COLUMN y int;\nCOMMIT;");
  // The second ALTER needs the ACCESS EXCLUSIVE the first already holds: still confirmed.
  REQUIRE(t.merged.statements.size() == 4);
  CHECK(t.merged.statements[1].status == trace::Verification::Confirmed);
  CHECK(t.merged.statements[2].status == trace::Verification::Confirmed);
  CHECK_FALSE(t.trace.statements[2].held_before.empty());
}

TEST_CASE("trace ignores locks on objects created in the same transaction", "[trace]") {
  Traced t = run("", "BEGIN;\nCREATE TABLE n (id int);\nCREATE INDEX n_id ON n (id);\nCOMMIT;");
  CHECK(t.merged.trace_only.empty());
  for (const auto& s : t.trace.statements) CHECK(s.locks.empty());
}

TEST_CASE("CREATE INDEX CONCURRENTLY is observed deterministically from an observer", "[trace]") {
  Traced t = run("CREATE TABLE t (c int)", "CREATE INDEX CONCURRENTLY t_c ON t (c);");
  REQUIRE(t.trace.statements.size() == 1);
  CHECK(t.trace.statements[0].method == trace::ObservationMethod::ObserverWait);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
  CHECK_FALSE(t.trace.statements[0].error);
}

TEST_CASE("DROP INDEX CONCURRENTLY without a schema holds the index's table and sees the index lock", "[trace]") {
  Traced t = run("CREATE TABLE t (c int); CREATE INDEX t_c ON t (c)", "DROP INDEX CONCURRENTLY t_c;");
  REQUIRE(t.trace.statements.size() == 1);
  CHECK(t.trace.statements[0].method == trace::ObservationMethod::ObserverWait);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
}

TEST_CASE("VACUUM is stopped at its lock request, not missed by polling", "[trace]") {
  Traced t = run("CREATE TABLE t (c int)", "VACUUM t;");
  REQUIRE(t.trace.statements.size() == 1);
  CHECK(t.trace.statements[0].method == trace::ObservationMethod::ObserverWait);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
}

TEST_CASE("a dropped type is named from before the statement, a table's row type is not reported", "[trace]") {
  Traced t = run("CREATE TYPE mood AS ENUM ('happy'); CREATE TABLE t (c int)", "DROP TYPE mood;\nDROP TABLE t;");
  REQUIRE(t.merged.statements.size() == 2);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
  CHECK(t.merged.statements[1].status == trace::Verification::Confirmed);
  CHECK(t.merged.trace_only.empty());
}

TEST_CASE("the server's notices become part of what the trace saw", "[trace]") {
  Traced t = run("CREATE TABLE t (c int); CREATE UNIQUE INDEX t_c ON t (c)",
                 "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c;");
  REQUIRE(t.trace.statements.size() == 1);
  const auto& changes = t.trace.statements[0].changes;
  CHECK(std::any_of(changes.begin(), changes.end(),
                    [](const std::string& c) { return c.find("will rename index \"t_c\" to \"t_c_key\"") != std::string::npos; }));
}

TEST_CASE("a failing statement is an error at the server's position, the rest is skipped", "[trace]") {
  std::string sql = "CREATE INDEX i ON t (c);\nUPDATE t SET c = nope WHERE c > 0;\nCREATE INDEX j ON t (c);";
  Traced t = run("CREATE TABLE t (c int)", sql);
  REQUIRE(t.merged.statements.size() == 3);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
  CHECK(t.merged.statements[1].status == trace::Verification::Error);
  CHECK(t.merged.statements[2].status == trace::Verification::Skipped);
  REQUIRE(t.merged.errors.size() == 1);
  CHECK(t.merged.errors[0].message.find("column \"nope\" does not exist") != std::string::npos);
  CHECK(t.merged.errors[0].range.slice(sql) == "nope");
}

TEST_CASE("a trace turns an UNKNOWN statement into the locks it observed", "[trace]") {
  // A DO block's locks are UNKNOWN statically; the trace runs it, and what it took is the
  // answer: a trace-only finding with risk from the lock, and the verdict "observed" (not a
  // mismatch: nothing was predicted).
  Traced t = run("CREATE TABLE t (c int)", "DO $$ BEGIN EXECUTE 'LOCK TABLE ' || 't' || ' IN EXCLUSIVE MODE'; END $$;");
  CHECK(t.analysis.statements[0].risk == analysis::Risk::Unknown);
  REQUIRE(t.merged.statements.size() == 1);
  CHECK(t.merged.statements[0].status == trace::Verification::Observed);
  CHECK(t.merged.mismatches == 0);
  REQUIRE(t.merged.trace_only.size() == 1);
  CHECK(t.merged.trace_only[0].rule == "trace-unexpected-lock");
  CHECK(t.merged.trace_only[0].risk == analysis::Risk::High);
  CHECK(t.merged.trace_only[0].message.find("unknown statically") != std::string::npos);
  CHECK(t.merged.max_risk >= analysis::Risk::High);
}

TEST_CASE("a DO block's static statements are predicted, and a trace confirms them", "[trace][do]") {
  // The DO statement's prediction is the union of its inner statements' locks.
  Traced t = run("CREATE TABLE t (id int)",
                 "DO $$ BEGIN ALTER TABLE t ADD COLUMN c int; CREATE INDEX ON t (c); END $$;");
  REQUIRE(t.analysis.statements.size() == 1);
  CHECK(t.analysis.statements[0].status == analysis::StatementStatus::Analysed);
  REQUIRE(t.merged.statements.size() == 1);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
  CHECK(t.merged.mismatches == 0);

  // A branch that does not run predicts an upper bound: still confirmed.
  Traced branch = run("CREATE TABLE t (id int)",
                      "DO $$ BEGIN IF false THEN ALTER TABLE t ADD COLUMN c int; END IF; CREATE INDEX ON t (id); END $$;");
  REQUIRE(branch.merged.statements.size() == 1);
  CHECK(branch.merged.statements[0].status == trace::Verification::Confirmed);

  // A dynamic EXECUTE is not claimed: what was not predicted is what the trace observed.
  Traced dynamic = run("CREATE TABLE t (id int); CREATE TABLE u (id int)",
                       "DO $$ BEGIN CREATE INDEX ON t (id); EXECUTE 'LOCK TABLE ' || 'u'; END $$;");
  REQUIRE(dynamic.merged.statements.size() == 1);
  CHECK(dynamic.merged.statements[0].status == trace::Verification::Observed);
  CHECK(dynamic.merged.statements[0].status != trace::Verification::Confirmed);
}

TEST_CASE("credential scrubber", "[trace][security]") {
  CHECK(trace::scrub_credentials("postgres://app:s3cret@db:5432/x") == "postgres://app:***@db:5432/x");
  CHECK(trace::scrub_credentials("postgresql://u:p%40ss@h/db?sslmode=require") == "postgresql://u:***@h/db?sslmode=require");
  CHECK(trace::scrub_credentials("host=h password=hunter2 user=u") == "host=h password=*** user=u");
  CHECK(trace::scrub_credentials("host=h password='a b\\' c' user=u") == "host=h password=*** user=u");
  CHECK(trace::scrub_credentials("FATAL: password authentication failed for user \"u\"") ==
        "FATAL: password authentication failed for user \"u\"");
  CHECK(trace::scrub_credentials("password=x") == "password=***");
  CHECK(trace::scrub_credentials("postgres://user@host/db") == "postgres://user@host/db");
  CHECK(trace::scrub_credentials("could not connect with POSTGRESQL://a:b@h and PASSWORD = s3") ==
        "could not connect with POSTGRESQL://a:***@h and PASSWORD = ***");
}

TEST_CASE("the cluster stops and leaves nothing behind", "[trace]") {
  trace::PgLookup lookup = trace::find_pg_binaries({});
  REQUIRE(lookup.binaries);
  std::string error;
  auto c = trace::LocalCluster::start(*lookup.binaries, error);
  REQUIRE(c);
  auto dir = c->directory();
  pid_t pid = c->postmaster_pid();
  CHECK(std::filesystem::exists(dir));
  c->stop();
  CHECK_FALSE(std::filesystem::exists(dir));
  CHECK(kill(pid, 0) != 0);
}

TEST_CASE("the newest npm version of a major is chosen", "[trace][install]") {
  std::vector<std::string> versions = {"17.2.0-beta.6", "17.10.0-beta.17", "17.10.0-beta.9", "16.14.0-beta.17",
                                       "17.9.1-beta.20"};
  CHECK(trace::newest_for_major(versions, 17) == "17.10.0-beta.17");
  CHECK(trace::newest_for_major(versions, 16) == "16.14.0-beta.17");
  CHECK_FALSE(trace::newest_for_major(versions, 12));
}

TEST_CASE("a missing version names the next step", "[trace][install]") {
  trace::PgSearch search;
  search.major = 11;
  trace::PgLookup lookup = trace::find_pg_binaries(search);
  if (!lookup.binaries) CHECK(lookup.error.find("lockward pg install 11") != std::string::npos);
}

TEST_CASE("locks are held until the transaction ends", "[trace]") {
  Traced t = run("CREATE TABLE a (id int)",
                 "BEGIN;\nALTER TABLE a ADD COLUMN x int;\nSELECT pg_sleep(0.05);\nCOMMIT;");
  REQUIRE(t.trace.statements.size() == 4);
  CHECK(t.trace.statements[1].held_ms >= 50.0);
  CHECK(t.trace.statements[1].held_ms > t.trace.statements[1].duration_ms);
}

TEST_CASE("COPY FROM STDIN and COPY TO STDOUT do not hang the trace", "[trace]") {
  Traced t = run("CREATE TABLE t (c int)", "COPY t FROM STDIN;\nCOPY t TO STDOUT;\nCREATE INDEX t_c ON t (c);");
  REQUIRE(t.merged.statements.size() == 3);
  CHECK(t.merged.statements[0].status != trace::Verification::Error);
  CHECK(t.merged.statements[2].status == trace::Verification::Confirmed);
}

TEST_CASE("trace matches an object by name whatever kind the analysis gave it", "[trace][verdict]") {
  // The analysis calls the renamed index a table; PostgreSQL locks the index. One lock, one object.
  Traced t = run("CREATE TABLE users (id int, email text); CREATE INDEX users_email_idx ON users (email); "
                 "CREATE MATERIALIZED VIEW active_users AS SELECT id FROM users",
                 "ALTER TABLE users_email_idx RENAME TO users_email_key;\n"
                 "ALTER INDEX users_email_key SET (fillfactor = 80);\n"
                 "CREATE INDEX active_users_id_idx ON active_users (id);");
  REQUIRE(t.merged.statements.size() == 3);
  for (const auto& v : t.merged.statements) {
    INFO("statement " << v.statement << ": " << v.detail);
    CHECK(v.status == trace::Verification::Confirmed);
    CHECK(v.locks.size() == 1);
  }
  CHECK(t.merged.trace_only.empty());
}

TEST_CASE("trace counts a table's own sequence and primary key as part of the table's lock", "[trace][verdict]") {
  Traced t = run("CREATE TABLE orders (id serial PRIMARY KEY, total int); "
                 "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)",
                 "INSERT INTO orders (total) VALUES (1);\nDROP TABLE orders;\nDROP TABLE items;");
  REQUIRE(t.merged.statements.size() == 3);
  for (const auto& v : t.merged.statements) {
    INFO("statement " << v.statement << ": " << v.detail);
    CHECK(v.status == trace::Verification::Confirmed);
  }
  CHECK(t.merged.mismatches == 0);
  CHECK(t.merged.trace_only.empty());
}

TEST_CASE("trace confirms DROP … IF EXISTS of an object that never existed: nothing to lock", "[trace][verdict]") {
  Traced t = run("CREATE TABLE users (id int)",
                 "DROP INDEX IF EXISTS no_such_idx;\nDROP TABLE IF EXISTS no_such_table;\nDROP TABLE IF EXISTS users;");
  REQUIRE(t.merged.statements.size() == 3);
  for (const auto& v : t.merged.statements) {
    INFO("statement " << v.statement << ": " << v.detail);
    CHECK(v.status == trace::Verification::Confirmed);
  }
  REQUIRE(t.merged.statements[0].locks.size() == 1);
  CHECK(t.merged.statements[0].locks[0].absent);
  // The table that did exist is locked, and that lock is checked as usual.
  REQUIRE(t.merged.statements[2].locks.size() == 1);
  CHECK_FALSE(t.merged.statements[2].locks[0].absent);
  CHECK(t.merged.statements[2].locks[0].observed == analysis::LockMode::AccessExclusive);
}

TEST_CASE("trace does not hold a lock on a table its own transaction created against the prediction", "[trace][verdict]") {
  Traced t = run("", "BEGIN;\nCREATE TABLE t2 (id int);\nCOPY t2 TO STDOUT;\nCREATE INDEX t2_id_idx ON t2 (id);\nCOMMIT;");
  REQUIRE(t.merged.statements.size() == 5);
  for (std::size_t i : {2u, 3u}) {
    INFO("statement " << i << ": " << t.merged.statements[i].detail);
    CHECK(t.merged.statements[i].status != trace::Verification::Mismatch);
  }
  CHECK(t.merged.mismatches == 0);
}

namespace {

// The analysis as if it had not known the ACCESS SHARE locks a statement takes on what it
// reads: those locks gone, and no row behind the effects to predict them unnamed.
analysis::Analysis without_access_share(analysis::Analysis a) {
  for (auto& s : a.statements) {
    std::erase_if(s.locks, [](const analysis::LockFact& l) { return l.mode == analysis::LockMode::AccessShare; });
    for (auto& e : s.effects) {
      std::erase_if(e.locks, [](const analysis::LockFact& l) { return l.mode == analysis::LockMode::AccessShare; });
      e.row = nullptr;
    }
  }
  return a;
}

}  // namespace

TEST_CASE("an unpredicted ACCESS SHARE is a mismatch that names it", "[trace][verdict]") {
  const std::string setup =
      "CREATE TABLE users (id int PRIMARY KEY, email text); CREATE SEQUENCE s; "
      "CREATE VIEW v AS SELECT id FROM users; CREATE MATERIALIZED VIEW mv AS SELECT id FROM users";
  for (const std::string sql : {"CREATE TABLE c (LIKE users);", "COMMENT ON CONSTRAINT users_pkey ON users IS 'key';",
                                "CREATE OR REPLACE VIEW v AS SELECT id, email FROM users;",
                                "REFRESH MATERIALIZED VIEW mv;", "ALTER SEQUENCE s OWNED BY users.id;"}) {
    INFO(sql);
    Traced t = run(setup, sql);
    REQUIRE(t.merged.statements.size() == 1);
    // What the catalogue predicts, it predicts whole: confirmed, or the test of the row is wrong.
    INFO("with the catalogue's prediction: " << t.merged.statements[0].detail);
    CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
    // The same trace against a prediction without the read: a mismatch naming it.
    trace::MergedFile blind = trace::merge_trace(without_access_share(t.analysis), t.trace);
    REQUIRE(blind.statements.size() == 1);
    INFO("without it: " << blind.statements[0].detail);
    CHECK(blind.statements[0].status == trace::Verification::Mismatch);
    CHECK(blind.statements[0].detail.find("predicted no lock, observed ACCESS SHARE") != std::string::npos);
    CHECK(std::any_of(blind.trace_only.begin(), blind.trace_only.end(),
                      [](const analysis::Finding& f) { return f.rule == "trace-unexpected-lock"; }));
  }
}

TEST_CASE("locks on objects a row reaches without naming them are compared, never dropped", "[trace][verdict]") {
  Traced t = run("CREATE DOMAIN positive AS int; CREATE TABLE accounts (id int PRIMARY KEY, balance positive); "
                 "CREATE TABLE items (id int GENERATED BY DEFAULT AS IDENTITY, sku text); "
                 "CREATE INDEX items_sku_idx ON items (sku)",
                 "ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0);\n"
                 "ALTER TABLE items ALTER COLUMN id DROP IDENTITY;\n"
                 "REINDEX TABLE items;");
  REQUIRE(t.merged.statements.size() == 3);
  auto lock_on = [&](std::size_t statement, const std::string& name) -> const trace::LockComparison* {
    for (const auto& c : t.merged.statements[statement].locks) {
      if (c.object.name == name) return &c;
    }
    return nullptr;
  };
  // ALTER DOMAIN scans the table that uses the domain under SHARE.
  const trace::LockComparison* accounts = lock_on(0, "accounts");
  REQUIRE(accounts);
  CHECK(accounts->observed == analysis::LockMode::Share);
  CHECK(accounts->predicted == analysis::LockMode::Share);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
  // DROP IDENTITY drops the column's sequence: ACCESS EXCLUSIVE on it, shown.
  const trace::LockComparison* sequence = lock_on(1, "items_id_seq");
  REQUIRE(sequence);
  CHECK(sequence->observed == analysis::LockMode::AccessExclusive);
  // REINDEX TABLE locks each index.
  const trace::LockComparison* index = lock_on(2, "items_sku_idx");
  REQUIRE(index);
  CHECK(index->observed == analysis::LockMode::AccessExclusive);
  for (const auto& v : t.merged.statements) {
    INFO("statement " << v.statement << ": " << v.detail);
    CHECK(v.status == trace::Verification::Confirmed);
  }
}

TEST_CASE("trace matches a predicted lock to the relation its name resolves to, not to every one of that name",
          "[trace][verdict]") {
  // `users` is public.users on the search_path; audit.users is another table of the same name.
  Traced t = run("CREATE SCHEMA audit; CREATE TABLE users (id int); CREATE TABLE audit.users (id int)",
                 "INSERT INTO audit.users SELECT id FROM users;");
  REQUIRE(t.merged.statements.size() == 1);
  INFO(t.merged.statements[0].detail);
  CHECK(t.merged.statements[0].status == trace::Verification::Confirmed);
  for (const auto& c : t.merged.statements[0].locks) {
    INFO(c.object.sql());
    CHECK(c.matches());
  }
}
