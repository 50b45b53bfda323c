// Snapshot format 2 from a real PostgreSQL (partitions, inheritance, views, foreign keys,
// sequences, domains, enums, triggers), and `check --snapshot` answering from it as it answers
// from the history: the same schema model. Also: the trace reports where the model and the
// catalog it replayed disagree.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/run_binary.h"
#include "tests/support/shared_cluster.h"
#include "trace/pg_connection.h"

namespace trace = lockward::trace;
using lockward::test::run_lockward;
using lockward::test::TempDir;
using nlohmann::json;

namespace {

// A production-like database, once per test binary.
const std::string& production_db() {
  static const std::string db = [] {
    trace::PgConnection admin(lockward::test::shared_cluster().conninfo());
    admin.exec("DROP DATABASE IF EXISTS snapshot_v2");
    REQUIRE(admin.exec("CREATE DATABASE snapshot_v2").ok());
    trace::PgConnection c(lockward::test::shared_cluster().conninfo("snapshot_v2"));
    trace::QueryResult r = c.exec(
        "CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');\n"
        "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
        "CREATE TABLE users (id bigserial PRIMARY KEY, mail email, feeling mood, note varchar(20));\n"
        "CREATE INDEX users_note_idx ON users (note);\n"
        "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "  user_id bigint REFERENCES users ON DELETE CASCADE, total numeric(10,2) CHECK (total > 0));\n"
        "CREATE TABLE reviews (user_id bigint, CONSTRAINT reviews_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n"
        "CREATE UNLOGGED TABLE scratch (id int);\n"
        "CREATE TABLE measurements (at date NOT NULL, v int DEFAULT 0) PARTITION BY RANGE (at);\n"
        "CREATE TABLE m2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n"
        "CREATE TABLE measurements_default PARTITION OF measurements DEFAULT;\n"
        "CREATE INDEX measurements_at_idx ON measurements (at);\n"
        "CREATE TABLE animals (name text);\n"
        "CREATE TABLE cats (lives int) INHERITS (animals);\n"
        "CREATE VIEW user_orders AS SELECT u.id, o.total FROM users u JOIN orders o ON o.user_id = u.id;\n"
        "CREATE MATERIALIZED VIEW order_totals AS SELECT sum(total) FROM orders;\n"
        "CREATE INDEX order_totals_idx ON order_totals (sum);\n"
        "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NEW; END $f$;\n"
        "CREATE TRIGGER orders_stamp BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION stamp();\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_big CHECK (total < 1000000) NOT VALID;\n");
    INFO((r.ok() ? "" : r.error->message));
    REQUIRE(r.ok());
    return std::string("snapshot_v2");
  }();
  return db;
}

std::string take_snapshot(const TempDir& dir) {
  const std::string out = (dir.path / "snap.json").string();
  auto r = run_lockward("snapshot --db-url \"" + lockward::test::shared_cluster().conninfo(production_db()) + "\" -o " +
                        out);
  INFO(r.output);
  REQUIRE(r.code == 0);
  return out;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

const json* find_named(const json& list, const std::string& name) {
  for (const json& x : list)
    if (x.value("name", "") == name) return &x;
  return nullptr;
}

// The relations a statement of a checked file locks, from the JSON report.
std::vector<std::string> locked(const json& report, std::size_t statement) {
  std::vector<std::string> out;
  for (const json& l : report["files"][0]["statements"][statement]["locks"]) out.push_back(l["object"].get<std::string>());
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("lockward snapshot writes format 2: partitions, inheritance, views, keys, sequences, types, triggers",
          "[trace][cli][snapshot]") {
  TempDir dir;
  const json s = read_json(take_snapshot(dir));
  CHECK(s["version"] == 2);
  CHECK(s["generated_at"].get<std::string>().size() == 20);
  const json* m = find_named(s["tables"], "measurements");
  REQUIRE(m);
  CHECK((*m)["partitioned"] == true);
  const json* def = find_named(s["tables"], "measurements_default");
  REQUIRE(def);
  CHECK((*def)["partition_of"]["name"] == "measurements");
  CHECK((*def)["default_partition"] == true);
  CHECK((*find_named(s["tables"], "m2026"))["default_partition"] == false);
  // The partition's index names the partitioned index it belongs to.
  bool parent_index = false;
  for (const json& i : (*def)["indexes"]) parent_index |= i["parent"].is_object() && i["parent"]["name"] == "measurements_at_idx";
  CHECK(parent_index);
  CHECK((*find_named(s["tables"], "cats"))["inherits"][0]["name"] == "animals");
  CHECK((*find_named(s["tables"], "scratch"))["persistence"] == "u");
  const json* orders = find_named(s["tables"], "orders");
  REQUIRE(orders);
  const json* fk = find_named((*orders)["constraints"], "orders_user_id_fkey");
  REQUIRE(fk);
  CHECK((*fk)["references"]["name"] == "users");
  CHECK((*fk)["on_delete"] == "c");
  CHECK((*fk)["columns"] == json::array({"user_id"}));
  CHECK((*fk)["referenced_columns"] == json::array({"id"}));
  CHECK((*find_named((*orders)["constraints"], "orders_big"))["validated"] == false);
  CHECK((*find_named((*orders)["constraints"], "orders_pkey"))["index"] == "orders_pkey");
  CHECK((*find_named((*orders)["columns"], "id"))["identity"] == "a");
  CHECK((*find_named((*orders)["columns"], "total"))["internal"] == "numeric");
  CHECK((*find_named((*orders)["triggers"], "orders_stamp"))["function"]["name"] == "stamp");
  const json* users = find_named(s["tables"], "users");
  REQUIRE(users);
  CHECK((*find_named((*users)["columns"], "mail"))["domain"]["name"] == "email");
  CHECK((*find_named((*users)["columns"], "id"))["default"].get<std::string>().find("nextval") != std::string::npos);
  const json* view = find_named(s["views"], "user_orders");
  REQUIRE(view);
  CHECK((*view)["materialized"] == false);
  CHECK((*view)["reads"].size() == 2);
  CHECK((*find_named(s["views"], "order_totals"))["materialized"] == true);
  const json* serial = find_named(s["sequences"], "users_id_seq");
  REQUIRE(serial);
  CHECK((*serial)["owned_by"]["name"] == "users");
  CHECK((*serial)["column"] == "id");
  CHECK((*serial)["identity"] == false);
  CHECK((*find_named(s["sequences"], "orders_id_seq"))["identity"] == true);
  CHECK((*find_named(s["types"], "mood"))["labels"] == json::array({"sad", "ok"}));
  CHECK((*find_named(s["types"], "email"))["kind"] == "d");
  CHECK((*find_named(s["functions"], "stamp"))["returns_trigger"] == true);
}

TEST_CASE("check --snapshot answers from the snapshot's schema as from a history", "[trace][cli][snapshot]") {
  TempDir dir;
  const std::string snap = take_snapshot(dir);
  const std::string file = dir.write("m/0042_change.sql",
                                     "SET lock_timeout = '1s';\n"
                                     "DROP INDEX users_note_idx;\n"                                     // 1
                                     "DELETE FROM users WHERE id = 1;\n"                                // 2
                                     "ALTER TABLE measurements ATTACH PARTITION m2027 FOR VALUES FROM "
                                     "('2027-01-01') TO ('2028-01-01');\n"                              // 3
                                     "DROP TABLE IF EXISTS never_there;\n"                              // 4
                                     "ALTER TABLE users ALTER COLUMN note TYPE varchar(40);\n"          // 5
                                     "DROP TABLE reviews;\n");                                          // 6
  auto r = run_lockward("check --no-history --format json --pg-version 15 --snapshot " + snap + " " + file, false);
  INFO(r.output);
  const json report = json::parse(r.output);
  CHECK(has(locked(report, 1), "users"));                 // the index's table
  CHECK(has(locked(report, 2), "orders"));                // ON DELETE CASCADE: its rows are deleted
  CHECK(has(locked(report, 2), "reviews"));               // NO ACTION: checked FOR KEY SHARE
  CHECK(has(locked(report, 3), "measurements_default"));  // the DEFAULT partition is scanned
  CHECK(locked(report, 4).empty());                       // the snapshot has no never_there
  CHECK(has(locked(report, 6), "users"));                 // the other end of its foreign key
  bool no_rewrite = false;
  for (const json& f : report["files"][0]["findings"]) no_rewrite |= f["rule"] == "alter-column-type-no-rewrite";
  CHECK(no_rewrite);
  const json& schema = report["files"][0]["schema"];
  CHECK(schema["snapshot"] == true);
  CHECK(schema["snapshot_live"] == false);
  CHECK(schema["snapshot_taken_at"].get<std::string>().size() == 20);
  // The text report names the snapshot by its date.
  auto text = run_lockward("check --no-history --pg-version 15 --snapshot " + snap + " " + file, false);
  CHECK(text.output.find("schema: snapshot of " + schema["snapshot_taken_at"].get<std::string>().substr(0, 10)) !=
        std::string::npos);
  // SARIF still parses.
  CHECK_NOTHROW(json::parse(run_lockward("check --no-history --format sarif --snapshot " + snap + " " + file, false).output));
}

TEST_CASE("history adds to the snapshot what was created after it", "[trace][cli][snapshot]") {
  TempDir dir;
  const std::string snap = take_snapshot(dir);
  // 0001 restates a table production has (the snapshot's stays), 0002 creates one it lacks.
  dir.write("m/0001_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  dir.write("m/0002_likes.sql", "CREATE TABLE likes (user_id bigint REFERENCES users ON DELETE CASCADE);\n"
                                "CREATE INDEX likes_user_idx ON likes (user_id);\n");
  const std::string file = dir.write("m/0003_purge.sql", "SET lock_timeout = '1s';\nDELETE FROM users;\n"
                                                         "DROP INDEX likes_user_idx;\nDROP INDEX users_note_idx;\n");
  auto r = run_lockward("check --format json --pg-version 15 --snapshot " + snap + " " + file, false);
  INFO(r.output);
  const json report = json::parse(r.output);
  CHECK(has(locked(report, 1), "orders"));  // from the snapshot
  CHECK(has(locked(report, 1), "likes"));   // from the history
  CHECK(has(locked(report, 2), "likes"));
  CHECK(has(locked(report, 3), "users"));   // users' index: the snapshot's users kept
  CHECK(report["files"][0]["schema"]["migrations"] == 2);
  auto text = run_lockward("check --pg-version 15 --snapshot " + snap + " " + file, false);
  CHECK(text.output.find("schema: 2 earlier migrations, snapshot of ") != std::string::npos);
}

TEST_CASE("trace: the schema model and the replayed catalog disagreeing is a finding", "[trace][cli][snapshot]") {
  TempDir dir;
  // A function creates the table when called: the model cannot see it (a SELECT is not read for
  // schema changes), so it believes `hidden` absent; PostgreSQL has it.
  dir.write("m/0001_setup.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY);\n"
            "CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CREATE TABLE hidden (id int); END $$;\n"
            "SELECT mk();\n");
  const std::string file = dir.write("m/0002_drop.sql", "SET lock_timeout = '1s';\nDROP TABLE IF EXISTS hidden;\n"
                                                        "ALTER TABLE users ADD COLUMN note text;\n");
  auto r = run_lockward("trace --format json --pg-version 15 " + file, false);
  INFO(r.output);
  const json report = json::parse(r.output);
  int mismatches = 0;
  for (const json& f : report["files"][0]["findings"]) {
    if (f["rule"] != "trace-schema-mismatch") continue;
    ++mismatches;
    CHECK(f["message"].get<std::string>().find("the replayed catalog has hidden") != std::string::npos);
  }
  CHECK(mismatches == 1);  // users agrees on both sides
}
