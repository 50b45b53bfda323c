// DO blocks are analysed from their PL/pgSQL body: the static statements inside lock what they
// would lock at top level, reported at their own lines; what lockward cannot see is UNKNOWN.
#include <catch2/catch.hpp>
#include <string>

#include "analysis/analyze.h"
#include "check_helpers.h"

using namespace lockward::analysis;
using lockward::test::has_rule;

namespace {

Analysis run(const std::string& sql, int pg = 17) {
  Options o;
  o.pg_version = pg;
  return analyze(sql, o);
}

const Finding* finding(const Analysis& a, std::string_view rule) {
  for (const Finding& f : a.findings)
    if (f.rule == rule) return &f;
  return nullptr;
}

std::optional<LockMode> lock_on(const Statement& s, std::string_view table) {
  for (const LockFact& l : s.locks)
    if (l.object.name == table) return l.mode;
  return std::nullopt;
}

// The 1-based line of a byte offset.
std::size_t line_of(const std::string& text, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

TEST_CASE("a DO block's ALTER COLUMN TYPE is CRITICAL, reported at the inner statement", "[do]") {
  std::string sql =
      "SET lock_timeout = '2s';\n"
      "DO $$\n"
      "BEGIN\n"
      "  ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\n"
      "END\n"
      "$$;\n";
  Analysis a = run(sql);
  REQUIRE(a.statements.size() == 2);
  const Statement& s = a.statements[1];
  CHECK(s.node == "DoStmt");
  CHECK(s.status == StatementStatus::Analysed);
  CHECK(s.risk == Risk::Critical);
  CHECK(s.rewrite == Rewrite::Table);
  CHECK(lock_on(s, "orders") == LockMode::AccessExclusive);
  CHECK_FALSE(has_rule(a, "unknown-lock"));
  const Finding* f = finding(a, "alter-column-type");
  REQUIRE(f);
  CHECK(f->statement == 1u);
  CHECK(line_of(sql, f->range.begin) == 4);
  CHECK(f->range.slice(sql).starts_with("ALTER COLUMN total TYPE"));
  CHECK(f->fixes.empty());  // a rewrite would run in the block's one transaction
  CHECK(f->help.find("out of the DO block") != std::string::npos);
}

TEST_CASE("issue 15's DO blocks: NOT NULL DEFAULT, row level security on several tables, UNIQUE + FOREIGN KEY",
          "[do]") {
  SECTION("ADD COLUMN … NOT NULL DEFAULT with a volatile default rewrites") {
    std::string sql = "DO $$ BEGIN\n  ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\nEND $$;";
    Analysis a = run(sql);
    const Statement& s = a.statements[0];
    CHECK(s.risk >= Risk::High);
    CHECK(lock_on(s, "users") == LockMode::AccessExclusive);
    const Finding* f = nullptr;
    for (const Finding& x : a.findings)
      if (x.relation.name == "users") f = &x;
    REQUIRE(f);
    CHECK(line_of(sql, f->range.begin) == 2);
  }
  SECTION("ENABLE ROW LEVEL SECURITY on several tables locks each") {
    std::string sql = "DO $$\nBEGIN\n";
    for (const char* t : {"a", "b", "c", "d"}) sql += std::string("  ALTER TABLE ") + t + " ENABLE ROW LEVEL SECURITY;\n";
    sql += "END $$;";
    Analysis a = run(sql);
    const Statement& s = a.statements[0];
    CHECK(s.risk != Risk::Safe);
    CHECK(s.risk != Risk::Unknown);
    for (const char* t : {"a", "b", "c", "d"}) {
      INFO(t);
      CHECK(lock_on(s, t) == LockMode::AccessExclusive);
    }
    // One finding per table, each at its own line.
    std::vector<std::size_t> lines;
    for (const Finding& f : a.findings)
      if (f.lock && f.range.begin > 0) lines.push_back(line_of(sql, f.range.begin));
    CHECK(lines == std::vector<std::size_t>{3, 4, 5, 6});
  }
  SECTION("ADD UNIQUE and FOREIGN KEY") {
    std::string sql =
        "DO $$\nBEGIN\n"
        "  ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref);\n"
        "  ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES users (id);\n"
        "END $$;";
    Analysis a = run(sql);
    const Statement& s = a.statements[0];
    CHECK(s.risk >= Risk::High);
    CHECK(lock_on(s, "orders") == LockMode::AccessExclusive);
    CHECK(lock_on(s, "users") == LockMode::ShareRowExclusive);
    const Finding* fk = nullptr;
    for (const Finding& f : a.findings)
      if (f.relation.name == "users" || f.message.find("FOREIGN KEY") != std::string::npos) fk = &f;
    REQUIRE(fk);
    CHECK(line_of(sql, fk->range.begin) == 4);
  }
}

TEST_CASE("a DO block's locks feed the transaction like top-level statements", "[do]") {
  std::string sql =
      "BEGIN;\n"
      "SET lock_timeout = '2s';\n"
      "DO $$ BEGIN ALTER TABLE a ADD COLUMN x int; END $$;\n"
      "ALTER TABLE b ADD COLUMN y int;\n"
      "COMMIT;";
  Analysis a = run(sql);
  REQUIRE(a.statements.size() == 5);
  CHECK(a.statements[3].tx.held_count >= 1);
  REQUIRE(a.statements[3].tx.exclusive_tables.size() == 1);
  CHECK(a.statements[3].tx.exclusive_tables[0].object.name == "a");
  std::vector<LockFact> held = locks_held_before(a, 3);
  CHECK(std::any_of(held.begin(), held.end(), [](const LockFact& l) { return l.object.name == "a"; }));
}

TEST_CASE("an EXECUTE of a dynamic string is UNKNOWN, naming its line", "[do]") {
  std::string sql =
      "DO $$\n"
      "DECLARE t text;\n"
      "BEGIN\n"
      "  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n"
      "    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);\n"
      "  END LOOP;\n"
      "END $$;";
  Analysis a = run(sql);
  const Statement& s = a.statements[0];
  CHECK(s.status == StatementStatus::Unanalysable);
  CHECK(s.risk == Risk::Unknown);
  const Finding* f = finding(a, "unknown-lock");
  REQUIRE(f);
  CHECK(f->message.find("EXECUTE of a dynamic string at line 5 of the block") != std::string::npos);
  CHECK(f->message.find("cannot see which tables it locks") != std::string::npos);
  CHECK(line_of(sql, f->range.begin) == 5);
  CHECK(f->range.slice(sql).starts_with("format("));

  // quote_ident and concatenation are dynamic too; a constant string is read.
  CHECK(run("DO $$ BEGIN EXECUTE 'ALTER TABLE ' || quote_ident('t') || ' ADD c int'; END $$").statements[0].risk ==
        Risk::Unknown);
  Analysis constant = run("DO $$ BEGIN EXECUTE 'ALTER TABLE t ALTER COLUMN c TYPE bigint'; END $$");
  CHECK(constant.statements[0].status == StatementStatus::Analysed);
  CHECK(constant.statements[0].risk == Risk::Critical);
  REQUIRE(finding(constant, "alter-column-type"));
  CHECK(finding(constant, "alter-column-type")->range.slice("DO $$ BEGIN EXECUTE 'ALTER TABLE t ALTER COLUMN c TYPE bigint'; END $$")
            .starts_with("ALTER COLUMN c TYPE bigint"));
  // Known statements keep their risk beside the dynamic part.
  Analysis both = run("DO $$ BEGIN ALTER TABLE t ALTER COLUMN c TYPE bigint; EXECUTE 'LOCK ' || 't'; END $$");
  CHECK(both.statements[0].risk == Risk::Critical);
  CHECK(has_rule(both, "unknown-lock"));
}

TEST_CASE("statements in IF branches, loops, handlers and nested blocks are an upper bound", "[do]") {
  std::string sql =
      "DO $$\n"
      "BEGIN\n"
      "  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'i') THEN\n"
      "    CREATE INDEX i ON t (c);\n"
      "  END IF;\n"
      "  BEGIN\n"
      "    BEGIN\n"
      "      ALTER TABLE u ADD COLUMN d int;\n"
      "    END;\n"
      "  EXCEPTION WHEN duplicate_column THEN\n"
      "    RAISE NOTICE 'exists';\n"
      "  END;\n"
      "END $$;";
  Analysis a = run(sql);
  const Statement& s = a.statements[0];
  CHECK(s.status == StatementStatus::Analysed);
  CHECK(lock_on(s, "t") == LockMode::Share);
  CHECK(lock_on(s, "u") == LockMode::AccessExclusive);
  for (const LockFact& l : s.locks) {
    INFO(l.object.name);
    if (l.object.name == "t") CHECK(l.conditional);
    if (l.object.name == "u") CHECK_FALSE(l.conditional);  // a nested block always runs
  }
  const Finding* idx = finding(a, "create-index");
  REQUIRE(idx);
  CHECK(line_of(sql, idx->range.begin) == 4);
  CHECK(idx->message.find("an IF branch at line 3 of the DO block, it may not run") != std::string::npos);
}

TEST_CASE("a DO block that creates a table and indexes it locks nothing others see", "[do]") {
  Analysis a = run("DO $$ BEGIN CREATE TABLE n (c int); CREATE INDEX ON n (c); END $$");
  const Statement& s = a.statements[0];
  CHECK(s.status == StatementStatus::Analysed);
  CHECK(s.risk == Risk::Safe);
  CHECK_FALSE(has_rule(a, "create-index"));
  // A DO block of RAISE and assignments takes no lock and is SAFE, not UNKNOWN.
  Analysis quiet = run("DO $$ DECLARE x int; BEGIN x := 1; RAISE NOTICE 'x %', x; END $$");
  CHECK(quiet.statements[0].status == StatementStatus::Analysed);
  CHECK(quiet.statements[0].risk == Risk::Safe);
  CHECK(quiet.statements[0].locks.empty());
}

TEST_CASE("a nested DO, another language, and PERFORM of an unknown function", "[do]") {
  Analysis nested = run("DO $a$ BEGIN DO $b$ BEGIN ALTER TABLE t DROP COLUMN c; END $b$; END $a$");
  CHECK(lock_on(nested.statements[0], "t") == LockMode::AccessExclusive);
  Analysis other = run("DO LANGUAGE plpython3u $$ plpy.execute('ALTER TABLE t ADD c int') $$");
  CHECK(other.statements[0].risk == Risk::Unknown);
  CHECK(finding(other, "unknown-lock")->message.find("LANGUAGE plpython3u") != std::string::npos);
  Analysis perform = run("DO $$ BEGIN PERFORM my_backfill(); END $$");
  CHECK(perform.statements[0].risk == Risk::Unknown);
}

TEST_CASE("an unknown function in an assignment or a condition is UNKNOWN, built-ins are not", "[do]") {
  Analysis assign = run("DO $$ DECLARE n int; BEGIN n := my_backfill(); END $$");
  CHECK(assign.statements[0].risk == Risk::Unknown);
  CHECK(finding(assign, "unknown-lock")->message.find("my_backfill") != std::string::npos);
  Analysis condition = run("DO $$ BEGIN IF needs_backfill() THEN RAISE NOTICE 'x'; END IF; END $$");
  CHECK(condition.statements[0].risk == Risk::Unknown);
  Analysis builtin = run("DO $$ DECLARE n int; BEGIN n := length('abc') + 1; IF now() > '2020-01-01' THEN "
                         "RAISE NOTICE '%', n; END IF; END $$");
  CHECK(builtin.statements[0].risk == Risk::Safe);
  CHECK(finding(builtin, "unknown-lock") == nullptr);
}

TEST_CASE("CREATE FUNCTION / PROCEDURE lock no table; CALL and unknown functions are UNKNOWN", "[do]") {
  Analysis f = run("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE t ADD c int; END $$");
  CHECK(f.statements[0].status == StatementStatus::Analysed);
  CHECK(f.statements[0].locks.empty());
  Analysis p = run("CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE t ADD c int; END $$");
  CHECK(p.statements[0].locks.empty());
  CHECK(p.statements[0].risk != Risk::Unknown);
  CHECK(run("CALL p()").statements[0].risk == Risk::Unknown);
  CHECK(run("SELECT my_backfill()").statements[0].risk == Risk::Unknown);
}

TEST_CASE("a syntax error inside a DO body is a finding at its line, not a crash", "[do]") {
  std::string sql =
      "DO $$\n"
      "BEGIN\n"
      "  ALTER TABLE t ADD COLUMN c int;\n"
      "  ALTR TABLE t DROP COLUMN c;\n"
      "END $$;\n"
      "CREATE INDEX i ON t (c);";
  Analysis a = run(sql);
  REQUIRE(a.statements.size() == 2);
  CHECK(a.statements[0].risk == Risk::Unknown);
  const Finding* f = finding(a, "unknown-lock");
  REQUIRE(f);
  CHECK(f->message.find("does not parse") != std::string::npos);
  CHECK(f->message.find("ALTR") != std::string::npos);
  CHECK(line_of(sql, f->range.begin) >= 3);
  CHECK(line_of(sql, f->range.begin) <= 4);
  CHECK(has_rule(a, "create-index"));  // the rest of the file is analysed
  // Malformed bodies of every kind: never a crash, never SAFE.
  for (std::string body : {"", "BEGIN", "END;", "$x$", "BEGIN IF THEN END; END", "DECLARE BEGIN",
                           "BEGIN EXECUTE; END", "BEGIN PERFORM; END", "BEGIN FOR LOOP END LOOP; END",
                           "BEGIN EXECUTE ''''; END", "BEGIN EXECUTE $q$ $q$; END", "\xff\xfe"}) {
    INFO(body);
    Analysis m = run("DO $body$" + body + "$body$");
    REQUIRE(m.statements.size() == 1);
    if (m.statements[0].status != StatementStatus::ParseError) CHECK(m.statements[0].risk != Risk::Safe);
  }
}
