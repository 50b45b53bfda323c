// lockward's catalog queries against a database whose owner (not a superuser) planted
// functions and operators that shadow the ones those queries use: a better argument match
// (public.pg_total_relation_size(oid) over pg_catalog's (regclass)), and, with ALTER DATABASE
// … SET search_path = public, pg_catalog, exact ones. Each planted function leaves a file
// through COPY … TO PROGRAM, which only works when a superuser calls it: lockward's snapshot
// and trace run as one, so a file means lockward ran the owner's code with its rights.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "analysis/analyze.h"
#include "tests/support/run_binary.h"
#include "trace/local_cluster.h"
#include "trace/merge.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/tracer.h"
#include "tests/support/shared_cluster.h"

namespace fs = std::filesystem;
using namespace lockward;
using lockward::test::run_lockward;
using lockward::test::TempDir;

namespace {

trace::LocalCluster& cluster() { return test::shared_cluster(); }

// A planted function: leaves `marker` in `dir`, then answers what the real one would.
std::string trap(const std::string& signature, const std::string& returns, const fs::path& dir, const std::string& marker,
                 const std::string& answer) {
  return "CREATE FUNCTION public." + signature + " RETURNS " + returns + " LANGUAGE plpgsql AS $trap$ BEGIN " +
         "EXECUTE 'COPY (SELECT 1) TO PROGRAM ''cat >/dev/null; touch " + (dir / marker).string() + "'''; RETURN " + answer +
         "; END $trap$;\n";
}

// Database `db` owned by a non-superuser who plants traps for every function and operator
// lockward's catalog queries use; returns the directory the traps write to (empty so far).
struct HostileDatabase {
  TempDir markers;
  std::string db;
  explicit HostileDatabase(const std::string& name) : db(name) {
    // The server runs as another user when the tests run as root.
    chmod(markers.path.c_str(), 0777);
    trace::PgConnection admin(cluster().conninfo());
    admin.exec("CREATE ROLE hostile_owner LOGIN");
    REQUIRE(admin.exec("CREATE DATABASE " + db + " OWNER hostile_owner").ok());
    trace::PgConnection owner(cluster().conninfo(db) + " user=hostile_owner");
    REQUIRE(owner.connected());
    const fs::path& d = markers.path;
    std::string plant =
        "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(20) DEFAULT 'n', CHECK (note IS NOT NULL));\n"
        "CREATE TABLE items (order_id bigint REFERENCES orders ON DELETE CASCADE);\n"
        "CREATE VIEW order_notes AS SELECT note FROM orders;\n"
        "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NEW; END $f$;\n"
        "INSERT INTO orders SELECT g, 'x' FROM generate_series(1, 1000) g;\n" +
        trap("pg_total_relation_size(oid)", "bigint", d, "pg_total_relation_size", "424242") +
        trap("format_type(oid, integer)", "text", d, "format_type", "'hijacked'") +
        trap("pg_get_constraintdef(oid)", "text", d, "pg_get_constraintdef", "'hijacked'") +
        trap("pg_get_indexdef(oid)", "text", d, "pg_get_indexdef", "'hijacked'") +
        trap("pg_get_expr(pg_node_tree, oid)", "text", d, "pg_get_expr", "'hijacked'") +
        trap("array_to_json(name[])", "json", d, "array_to_json", "'[\"hijacked\"]'::pg_catalog.json") +
        trap("pg_get_function_identity_arguments(oid)", "text", d, "pg_get_function_identity_arguments", "'hijacked'") +
        trap("current_database()", "name", d, "current_database", "'hijacked'") +
        trap("concat_ws(text, name, name, name)", "text", d, "concat_ws",
             "pg_catalog.concat_ws($1, $2, $3, $4)") +
        trap("eq_oid(oid, oid)", "boolean", d, "eq_oid", "pg_catalog.oideq($1, $2)") +
        trap("eq_oid_regclass(oid, regclass)", "boolean", d, "eq_oid_regclass",
             "pg_catalog.oideq($1, $2::pg_catalog.oid)") +
        trap("eq_char(\"char\", \"char\")", "boolean", d, "eq_char", "pg_catalog.chareq($1, $2)") +
        trap("ne_name(name, name)", "boolean", d, "ne_name", "pg_catalog.namene($1, $2)") +
        trap("not_like_name(name, name)", "boolean", d, "not_like_name",
             "pg_catalog.namenlike($1, $2::pg_catalog.text)") +
        trap("gt_int2_int4(smallint, integer)", "boolean", d, "gt_int2_int4", "pg_catalog.int24gt($1, $2)") +
        "CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = public.eq_oid);\n"
        "CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.eq_oid_regclass);\n"
        "CREATE OPERATOR public.= (LEFTARG = \"char\", RIGHTARG = \"char\", FUNCTION = public.eq_char);\n"
        "CREATE OPERATOR public.<> (LEFTARG = name, RIGHTARG = name, FUNCTION = public.ne_name);\n"
        "CREATE OPERATOR public.!~~ (LEFTARG = name, RIGHTARG = name, FUNCTION = public.not_like_name);\n"
        "CREATE OPERATOR public.> (LEFTARG = smallint, RIGHTARG = integer, FUNCTION = public.gt_int2_int4);\n"
        "ALTER DATABASE " + db + " SET search_path = public, pg_catalog;\n";
    trace::QueryResult planted = owner.exec(plant);
    INFO((planted.ok() ? "" : planted.error->message));
    REQUIRE(planted.ok());
    // Sizes and row counts for the snapshot to report.
    REQUIRE(trace::PgConnection(cluster().conninfo(db)).exec("ANALYZE orders").ok());
  }
  std::vector<std::string> sprung() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(markers.path)) out.push_back(e.path().filename().string());
    return out;
  }
  // Proof that the traps work here: an unqualified query as a superuser springs one.
  void check_armed() const {
    trace::PgConnection su(cluster().conninfo(db));
    trace::QueryResult armed = su.exec("SELECT pg_total_relation_size(c.oid) FROM pg_class c LIMIT 1");
    INFO((armed.ok() ? std::string() : armed.error->message + " / " + su.error()));
    REQUIRE(armed.ok());
    CHECK(sprung() == std::vector<std::string>{"pg_total_relation_size"});
  }
};

}  // namespace

TEST_CASE("lockward snapshot never runs what the database's owner planted", "[trace][cli][snapshot][security]") {
  HostileDatabase hostile("hostile_snapshot");
  TempDir dir;
  std::string out = (dir.path / "snap.json").string();
  auto r = run_lockward("snapshot --db-url \"" + cluster().conninfo(hostile.db) + "\" -o " + out);
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(hostile.sprung().empty());
  std::ifstream in(out);
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO(json);
  CHECK(json.find("hijacked") == std::string::npos);
  CHECK(json.find("424242") == std::string::npos);
  CHECK(json.find("\"character varying(20)\"") != std::string::npos);
  CHECK(json.find("\"rows\": 1000") != std::string::npos);
  CHECK(json.find("CHECK ((note IS NOT NULL))") != std::string::npos);
  CHECK(json.find("CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)") != std::string::npos);
  hostile.check_armed();
}

TEST_CASE("trace's observation queries never run what the database's owner planted", "[trace][security]") {
  HostileDatabase hostile("hostile_trace");
  // Session and observer as a trace has them: superuser, the database's search_path.
  trace::PgConnection session(cluster().conninfo(hostile.db));
  trace::PgConnection observer(cluster().conninfo(hostile.db));
  REQUIRE(session.connected());
  REQUIRE(session.exec("SHOW search_path").value(0, 0) == "public, pg_catalog");
  std::string sql =
      "ALTER TABLE orders ADD COLUMN total numeric;\n"
      "CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);\n"
      "ALTER TABLE orders ADD COLUMN token float8 DEFAULT random();\n"
      "ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total > 0) NOT VALID;\n";
  analysis::Options options;
  options.pg_version = cluster().binaries().major;
  analysis::Analysis a = analysis::analyze(sql, options);
  trace::FileTrace ft = trace::trace_file(session, observer, sql, a, {});
  trace::MergedFile merged = trace::merge_trace(a, ft);
  INFO(ft.fatal_error);
  CHECK(ft.fatal_error.empty());
  CHECK(hostile.sprung().empty());
  CHECK(merged.errors.empty());
  CHECK(merged.mismatches == 0);
  REQUIRE(ft.statements.size() == 4);
  CHECK(!ft.statements[1].locks.empty());  // the observer saw the index build's lock
  CHECK(ft.statements[2].rewritten.size() == 1);  // read_catalog saw the new relfilenode
  hostile.check_armed();
}
