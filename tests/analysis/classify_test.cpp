// Classification of statements into catalogue rows: defaults' volatility, version-dependent
// rows, snapshot-dependent rows, locks on referenced tables, and the ranges of subcommands.
#include <catch2/catch.hpp>
#include <string>

#include "analysis/analyze.h"
#include "analysis/classify/classify.h"
#include "analysis/syntax/parser.h"

using namespace lockward::analysis;

namespace {

Analysis run(const std::string& sql, int pg = 17, const SchemaSnapshot* snapshot = nullptr) {
  Options options;
  options.pg_version = pg;
  options.snapshot = snapshot;
  return analyze(sql, options);
}

std::vector<std::string> ids(const Statement& s) {
  std::vector<std::string> out;
  for (const auto& e : s.effects) out.push_back(e.row ? std::string(e.row->id) : "?");
  return out;
}

std::string only_id(const std::string& sql, int pg = 17, const SchemaSnapshot* snapshot = nullptr) {
  Analysis a = run(sql, pg, snapshot);
  REQUIRE(a.statements.size() >= 1);
  auto got = ids(a.statements.back());
  REQUIRE(got.size() == 1);
  return got[0];
}

const LockFact* lock_on(const Statement& s, const std::string& name) {
  for (const auto& l : s.locks)
    if (l.object.name == name) return &l;
  return nullptr;
}

}  // namespace

TEST_CASE("ADD COLUMN defaults: constant and stable are catalog-only, volatile rewrites", "[classify]") {
  CHECK(only_id("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()") == "add-column-constant-default");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT CURRENT_TIMESTAMP") == "add-column-constant-default");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c text DEFAULT 'x'::text") == "add-column-constant-default");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c text DEFAULT lower('X') || 'y'") == "add-column-constant-default");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c float8 DEFAULT random()") == "add-column-volatile-default");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()") == "add-column-volatile-default");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()") == "add-column-volatile-default");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c bigint DEFAULT nextval('s')") == "add-column-volatile-default");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c int DEFAULT app.f()") == "add-column-volatile-default");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c bigserial") == "add-column-serial");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS IDENTITY") == "add-column-identity");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (id * 2) STORED") == "add-column-generated-stored");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c int NOT NULL") == "add-column-not-null");
  CHECK(only_id("ALTER TABLE t ADD COLUMN c int") == "add-column");
}

TEST_CASE("ADD COLUMN effect carries the type, default text and NOT NULL for the recipe", "[classify]") {
  Analysis a = run("ALTER TABLE t ADD COLUMN c varchar(20) DEFAULT  ( 1 + 2 )::text  NOT NULL;");
  REQUIRE(a.statements[0].effects.size() == 1);
  const Effect& e = a.statements[0].effects[0];
  CHECK(e.column == "c");
  CHECK(e.type == "varchar(20)");
  CHECK(e.expression == "( 1 + 2 )::text");
  CHECK(e.not_null);
}

TEST_CASE("a constant default rewrites before PostgreSQL 11 only", "[classify]") {
  Analysis pg10 = run("ALTER TABLE t ADD COLUMN c int DEFAULT 0", 10);
  Analysis pg11 = run("ALTER TABLE t ADD COLUMN c int DEFAULT 0", 11);
  CHECK(pg10.statements[0].rewrite == Rewrite::Table);
  CHECK(pg11.statements[0].rewrite == Rewrite::None);
}

TEST_CASE("varchar widening: no rewrite with a snapshot, uncertain without", "[classify]") {
  SchemaSnapshot snapshot;
  snapshot.tables.push_back(SnapshotTable{ObjectName{"public", "t"},
                                          {{"v", "character varying(20)", false}, {"n", "numeric(10,2)", false}},
                                          {}, {}, {}});
  CHECK(only_id("ALTER TABLE t ALTER COLUMN v TYPE varchar(50)", 17, &snapshot) == "alter-column-type-no-rewrite");
  CHECK(only_id("ALTER TABLE t ALTER COLUMN v TYPE text", 17, &snapshot) == "alter-column-type-no-rewrite");
  CHECK(only_id("ALTER TABLE t ALTER COLUMN v TYPE varchar", 17, &snapshot) == "alter-column-type-no-rewrite");
  CHECK(only_id("ALTER TABLE t ALTER COLUMN v TYPE varchar(10)", 17, &snapshot) == "alter-column-type");
  CHECK(only_id("ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2)", 17, &snapshot) == "alter-column-type-no-rewrite");
  CHECK(only_id("ALTER TABLE t ALTER COLUMN n TYPE numeric(12,3)", 17, &snapshot) == "alter-column-type");
  CHECK(only_id("ALTER TABLE t ALTER COLUMN v TYPE varchar(50) USING v || ''", 17, &snapshot) == "alter-column-type");

  Analysis unknown = run("ALTER TABLE t ALTER COLUMN v TYPE varchar(50)");
  const Effect& e = unknown.statements[0].effects[0];
  CHECK(e.row->id == "alter-column-type");
  CHECK(e.uncertain);
  CHECK_FALSE(e.uncertainty.empty());
  CHECK(e.type == "varchar(50)");
  Analysis bigint = run("ALTER TABLE t ALTER COLUMN id TYPE bigint");
  CHECK_FALSE(bigint.statements[0].effects[0].uncertain);
}

TEST_CASE("SET NOT NULL skips its scan after a validated CHECK on PostgreSQL 12+", "[classify]") {
  std::string sql =
      "ALTER TABLE t ADD CONSTRAINT t_c_nn CHECK (c IS NOT NULL) NOT VALID;\n"
      "ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\n"
      "ALTER TABLE t ALTER COLUMN c SET NOT NULL;";
  Analysis pg12 = run(sql, 12);
  Analysis pg11 = run(sql, 11);
  CHECK(ids(pg12.statements[2]) == std::vector<std::string>{"set-not-null-with-check"});
  CHECK_FALSE(pg12.statements[2].scans);
  CHECK(ids(pg11.statements[2]) == std::vector<std::string>{"set-not-null"});
  CHECK(pg11.statements[2].scans);
  CHECK(ids(run("ALTER TABLE t ALTER COLUMN c SET NOT NULL", 17).statements[0]) ==
        std::vector<std::string>{"set-not-null"});
}

TEST_CASE("a multi-subcommand ALTER TABLE takes the strongest lock and keeps each clause's range", "[classify]") {
  std::string sql = "ALTER TABLE t ALTER COLUMN c SET STATISTICS 100,\n  ADD COLUMN d int DEFAULT random(), "
                    "ADD CONSTRAINT t_u UNIQUE (a, \"B\")";
  Analysis a = run(sql);
  const Statement& s = a.statements[0];
  REQUIRE(ids(s) == std::vector<std::string>{"set-statistics", "add-column-volatile-default", "add-unique"});
  CHECK(s.locks.size() == 1);
  CHECK(s.locks[0].mode == LockMode::AccessExclusive);
  CHECK(s.rewrite == Rewrite::Table);
  CHECK(s.effects[0].range.slice(sql) == "ALTER COLUMN c SET STATISTICS 100");
  CHECK(s.effects[1].range.slice(sql) == "ADD COLUMN d int DEFAULT random()");
  CHECK(s.effects[2].range.slice(sql) == "ADD CONSTRAINT t_u UNIQUE (a, \"B\")");
  CHECK(s.effects[2].columns == "(a, \"B\")");
  CHECK(s.effects[2].constraint == "t_u");
}

TEST_CASE("ADD COLUMN with inline constraints has one effect per aspect", "[classify]") {
  Analysis a = run("ALTER TABLE t ADD COLUMN p_id int REFERENCES p (id) UNIQUE");
  const Statement& s = a.statements[0];
  CHECK(ids(s) == std::vector<std::string>{"add-column", "add-foreign-key", "add-unique"});
  REQUIRE(lock_on(s, "p"));
  CHECK(lock_on(s, "p")->mode == LockMode::ShareRowExclusive);
  CHECK(lock_on(s, "t")->mode == LockMode::AccessExclusive);
}

TEST_CASE("foreign keys lock the referenced table SHARE ROW EXCLUSIVE", "[classify]") {
  Analysis a = run("ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (p_id) REFERENCES app.p (id) NOT VALID");
  const Statement& s = a.statements[0];
  CHECK(ids(s) == std::vector<std::string>{"add-foreign-key-not-valid"});
  REQUIRE(lock_on(s, "p"));
  CHECK(lock_on(s, "p")->object.schema == "app");
  CHECK(lock_on(s, "p")->mode == LockMode::ShareRowExclusive);
  CHECK(lock_on(s, "t")->mode == LockMode::ShareRowExclusive);

  Analysis created = run("CREATE TABLE c (id int, p_id int REFERENCES p (id), q_id int, FOREIGN KEY (q_id) REFERENCES q)");
  const Statement& cs = created.statements[0];
  CHECK(ids(cs) == std::vector<std::string>{"create-table-references", "create-table-references"});
  REQUIRE(lock_on(cs, "p"));
  REQUIRE(lock_on(cs, "q"));
  CHECK(lock_on(cs, "q")->mode == LockMode::ShareRowExclusive);
  CHECK(lock_on(cs, "c") == nullptr);
}

TEST_CASE("DETACH PARTITION CONCURRENTLY exists from PostgreSQL 14", "[classify]") {
  std::string sql = "ALTER TABLE m DETACH PARTITION m1 CONCURRENTLY";
  Analysis pg13 = run(sql, 13);
  Analysis pg14 = run(sql, 14);
  CHECK(ids(pg13.statements[0]) == std::vector<std::string>{"detach-partition"});
  CHECK(pg13.statements[0].effects[0].uncertain);
  CHECK(lock_on(pg13.statements[0], "m")->mode == LockMode::AccessExclusive);
  CHECK(ids(pg14.statements[0]) == std::vector<std::string>{"detach-partition-concurrently"});
  CHECK(lock_on(pg14.statements[0], "m")->mode == LockMode::ShareUpdateExclusive);
  CHECK(lock_on(pg14.statements[0], "m1")->role == Role::Partition);
}

TEST_CASE("ATTACH PARTITION: parent lock depends on the version, the partition is exclusive", "[classify]") {
  std::string sql = "ALTER TABLE m ATTACH PARTITION m1 FOR VALUES FROM (0) TO (10)";
  CHECK(lock_on(run(sql, 11).statements[0], "m")->mode == LockMode::AccessExclusive);
  CHECK(lock_on(run(sql, 12).statements[0], "m")->mode == LockMode::ShareUpdateExclusive);
  CHECK(lock_on(run(sql, 12).statements[0], "m1")->mode == LockMode::AccessExclusive);
}

TEST_CASE("statements without a lock of interest, and function bodies", "[classify]") {
  CHECK(run("SET lock_timeout = '1s'").statements[0].effects.empty());
  // SELECT 1 is the select row with nothing to lock: covered, SAFE.
  Analysis one = run("SELECT 1");
  REQUIRE(one.statements[0].effects.size() == 1);
  CHECK(one.statements[0].locks.empty());
  CHECK(one.statements[0].risk == Risk::Safe);
  // A LANGUAGE sql body is validated at creation (its tables locked): unknown.
  Analysis f = run("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1'");
  CHECK(f.statements[0].status == StatementStatus::Unanalysable);
  CHECK(f.statements[0].risk == Risk::Unknown);
  CHECK(f.statements[0].effects.empty());
  // A plpgsql body is only stored.
  Analysis p = run("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN 1; END'");
  CHECK(p.statements[0].status == StatementStatus::Analysed);
  CHECK(p.statements[0].risk == Risk::Safe);
}

TEST_CASE("LOCK TABLE takes the mode it names", "[classify]") {
  Analysis a = run("BEGIN; LOCK TABLE a, b IN SHARE ROW EXCLUSIVE MODE; LOCK c; COMMIT;");
  CHECK(lock_on(a.statements[1], "a")->mode == LockMode::ShareRowExclusive);
  CHECK(lock_on(a.statements[1], "b")->mode == LockMode::ShareRowExclusive);
  CHECK(lock_on(a.statements[2], "c")->mode == LockMode::AccessExclusive);
}

TEST_CASE("queries and DML lock what they touch", "[classify]") {
  Analysis a = run("SELECT * FROM a JOIN b ON true FOR UPDATE; SELECT * FROM c; INSERT INTO d VALUES (1);");
  CHECK(lock_on(a.statements[0], "b")->mode == LockMode::RowShare);
  CHECK(lock_on(a.statements[1], "c")->mode == LockMode::AccessShare);
  CHECK(lock_on(a.statements[2], "d")->mode == LockMode::RowExclusive);
  CHECK(a.statements[0].risk == Risk::Safe);
}

TEST_CASE("index statements: drop, reindex, concurrently by version", "[classify]") {
  SchemaSnapshot snapshot;
  SnapshotTable t{ObjectName{"public", "t"}, {}, {}, {}, {}};
  t.indexes.push_back(SnapshotIndex{"t_idx", false, false, true, "CREATE INDEX t_idx ON public.t (c)"});
  snapshot.tables.push_back(t);
  Analysis drop = run("DROP INDEX t_idx", 17, &snapshot);
  CHECK(lock_on(drop.statements[0], "t")->mode == LockMode::AccessExclusive);
  CHECK(lock_on(drop.statements[0], "t_idx")->mode == LockMode::AccessExclusive);
  Analysis reindex = run("REINDEX INDEX t_idx", 17, &snapshot);
  CHECK(lock_on(reindex.statements[0], "t")->mode == LockMode::Share);
  CHECK(only_id("REINDEX TABLE CONCURRENTLY t", 12) == "reindex-concurrently");
  CHECK(only_id("REINDEX TABLE CONCURRENTLY t", 11) == "reindex-table");
  CHECK(only_id("ALTER INDEX i RENAME TO j", 11) == "rename-index");
  CHECK(lock_on(run("ALTER INDEX i RENAME TO j", 12).statements[0], "i")->mode == LockMode::ShareUpdateExclusive);
  CHECK(only_id("REINDEX SCHEMA s") == "reindex-schema");
}

TEST_CASE("constraint facts feed the file context", "[classify]") {
  Analysis a = run("ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_idx;\n"
                   "ALTER TABLE t RENAME TO t2;\nVACUUM FULL t2;");
  CHECK(ids(a.statements[0]) == std::vector<std::string>{"add-unique-using-index"});
  CHECK(a.statements[1].effects[0].detail == "t2");
  CHECK(a.statements[2].effects[0].row->no_transaction);
  CHECK(a.statements[2].rewrite == Rewrite::Table);
}

TEST_CASE("column types and defined names carry their ranges", "[classify]") {
  std::string sql = "ALTER TABLE t ADD COLUMN \"Big\" character varying(20)[] NOT NULL DEFAULT '',"
                    " ADD COLUMN ts timestamp with time zone";
  Analysis a = analyze(sql, Options{});
  REQUIRE(a.statements.size() == 1);
  // The statement's facts are internal; the effect's clause ranges and types are what callers see.
  const Statement& s = a.statements[0];
  REQUIRE(s.effects.size() == 2);
  CHECK(s.effects[0].type == "varchar(20)[]");
  CHECK(s.effects[0].expression == "''");
  CHECK(s.effects[1].range.slice(sql) == "ADD COLUMN ts timestamp with time zone");
}

TEST_CASE("column type ranges cover the whole type name", "[classify]") {
  std::string sql = "CREATE TABLE t (a character varying(20)[] NOT NULL, b timestamp with time zone, "
                    "c double precision DEFAULT 0, d public.my_type)";
  ParseOutcome parsed = parse_statement(sql);
  REQUIRE(parsed.nodes.size() == 1);
  ClassifyContext context;
  StatementFacts facts = classify(parsed.nodes[0], sql, 0, TextRange{0, sql.size()}, context);
  REQUIRE(facts.column_types.size() == 4);
  CHECK(facts.column_types[0].range.slice(sql) == "character varying(20)[]");
  CHECK(facts.column_types[1].range.slice(sql) == "timestamp with time zone");
  CHECK(facts.column_types[2].range.slice(sql) == "double precision");
  CHECK(facts.column_types[3].range.slice(sql) == "public.my_type");
  bool named_a = false;
  for (const auto& n : facts.defined_names) named_a = named_a || (n.name == "a" && n.range.slice(sql) == "a");
  CHECK(named_a);
}
